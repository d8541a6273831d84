"""The Qt binding must not corrupt reference counts: PySide6 6.12.0 dropped a reference to None
on every call returning None, and on Python 3.11 (where None is not immortal) the interpreter
aborts with ``none_dealloc`` after a few thousand such calls, i.e. minutes into a session."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QObject

CALLS = 2000


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12 on")
def test_calls_returning_none_keep_nones_reference_count() -> None:
    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        obj.setObjectName("case-list")
    after = sys.getrefcount(None)
    # Unrelated code may take or drop a handful of references meanwhile; a binding that leaks
    # loses one per call.
    assert before - after < CALLS // 10, (before, after)
