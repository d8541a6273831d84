"""Exhibits made from given bytes, for tests that need a case with files of their own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from caseapp.services.evidence import evidence


def ingest_files(ws: Any, case_ref: str, folder: Path, files: dict[str, bytes], *,
                 acquired_from: str) -> None:
    """Write ``files`` (name: bytes) into the new ``folder`` and ingest each, in order, as an
    exhibit of ``case_ref`` (acquired by J. Doe from ``acquired_from``, by copy)."""
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
        evidence.ingest_file(ws, case_ref, folder / name, acquisition=evidence.Acquisition(
            acquired_by="J. Doe", acquired_from=acquired_from, method="copy"))
