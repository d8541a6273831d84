"""Stress, fault-injection and disk-full tests run real caseapp processes (see harness.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
