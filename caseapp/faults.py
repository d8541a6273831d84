"""Named steps of multi-step operations, where the fault-injection tests crash the process.

``CASEAPP_FAULT_AT=<step>`` (or ``<step>@N`` for the N-th time the step is reached) makes the
process kill itself at that step as ``kill -9`` would: no ``finally`` blocks, no flushing, no
clean-up. The tests then start caseapp again and check the store is as before or as after.
Unset (always, outside the tests), :func:`step` costs one environment lookup.

Steps (search the code for ``faults.step(`` to see where they are):
``vault.chunk``, ``vault.before-rename``, ``vault.renamed``, ``evidence.before-commit``,
``evidence.recorded``, ``export.built``, ``export.staged``, ``export.published``,
``produce.staged``, ``produce.recorded``, ``tips.row``, ``backup.db-copied``, ``backup.blob``, ``backup.before-rename``,
``restore.copied``, ``restore.item``, ``restore.adopted``,
``files.before-rename.<file name>``, ``redflags.upgrade.before-commit``,
``migrate.before-commit``, ``signals.before-commit``.
"""

from __future__ import annotations

import os
import signal
import sys

_seen: dict[str, int] = {}


def step(name: str) -> None:
    """Crash here if ``CASEAPP_FAULT_AT`` names this step (and its count is reached)."""
    target = os.environ.get("CASEAPP_FAULT_AT")
    if not target:
        return
    wanted, _, nth = target.partition("@")
    if wanted != name:
        return
    _seen[name] = _seen.get(name, 0) + 1
    if _seen[name] >= (int(nth) if nth.isdigit() else 1):
        crash()


def crash() -> None:
    """End the process at once, the way a power cut or ``kill -9`` would."""
    if sys.platform != "win32":
        os.kill(os.getpid(), signal.SIGKILL)
    os._exit(137)
