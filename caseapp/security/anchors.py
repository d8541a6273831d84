"""Anchors: the audit chain head (entry id and hash) written outside the database.

Someone holding the store's key can rewrite the database, the audit log included, and keep the
chain consistent. What they cannot reach is a copy of the chain head already handed out: in a
case file, a production package, a backup manifest, or the append-only ``anchors.log`` in the
data home. ``verify`` checks that the chain still holds every anchor it can find: a chain that
ends before an anchored entry was cut short (``audit-truncated``); an anchored entry with
another hash was rewritten (``audit-rewritten``). Anchors carry no case content: an entry id, a
hash, a time and the kind of event that wrote it.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from caseapp.domain.anchors import ANCHOR_LINE, ANCHOR_RE, PDF_KEY, anchor_line

__all__ = ["ANCHORS_LOG", "ANCHOR_LINE", "ANCHOR_RE", "PDF_KEY", "Anchor", "anchor_line",
           "append_to_log", "read_file", "read_log"]

ANCHORS_LOG = "anchors.log"
_MAX_SCAN = 64 * 1024 * 1024


@dataclass(frozen=True)
class Anchor:
    """One copy of a chain head, and where it was found."""

    entry_id: int
    entry_hash: str
    source: str


def append_to_log(home: Path, entry_id: int, entry_hash: str, reason: str) -> None:
    """Append an anchor to the data home's ``anchors.log`` (append-only, one JSON per line)."""
    line = json.dumps({"at": datetime.now(UTC).isoformat(timespec="seconds"),
                       "entry": entry_id, "hash": entry_hash, "reason": reason},
                      sort_keys=True) + "\n"
    fd = os.open(home / ANCHORS_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)


def read_log(home: Path) -> tuple[list[Anchor], list[str]]:
    """The anchors in ``anchors.log`` and the lines that could not be read (line numbers)."""
    path = home / ANCHORS_LOG
    if not path.exists():
        return [], []
    anchors, bad = [], []
    for number, line in enumerate(path.read_text(encoding="ascii", errors="replace")
                                  .splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            entry, digest = int(data["entry"]), str(data["hash"])
            if not re.fullmatch(r"[0-9a-f]{64}", digest):
                raise ValueError(digest)
        except (ValueError, KeyError, TypeError):
            bad.append(f"{ANCHORS_LOG} line {number}")
            continue
        anchors.append(Anchor(entry, digest, f"{ANCHORS_LOG} line {number}"))
    return anchors, bad


def read_file(path: Path) -> list[Anchor]:
    """Anchors in a case-file PDF, a backup or production folder, or any text/JSON file.

    Raises OSError when the file cannot be read and ValueError when it holds no anchor.
    """
    path = Path(path)
    if path.is_dir():
        found: list[Anchor] = []
        for name in ("backup.json", "AUDIT-HEAD.txt"):
            if (path / name).is_file():
                found += read_file(path / name)
        for pdf in sorted(path.glob("*.pdf")):
            found += _pdf_anchors(pdf)
        if not found:
            raise ValueError(f"{path.name}: no caseapp anchor found in this folder")
        return found
    if path.suffix.lower() == ".pdf":
        found = _pdf_anchors(path)
    else:
        with path.open("rb") as handle:
            text = handle.read(_MAX_SCAN).decode("utf-8", errors="replace")
        found = _text_anchors(text, path.name)
    if not found:
        raise ValueError(f"{path.name}: no caseapp anchor found in this file")
    return found


def _text_anchors(text: str, source: str) -> list[Anchor]:
    found = [Anchor(int(m.group(1)), m.group(2), source) for m in ANCHOR_RE.finditer(text)]
    if not found and text.lstrip().startswith("{"):
        try:
            head = json.loads(text).get("audit_head") or {}
            found = [Anchor(int(head["entry"]), str(head["sha256"]), source)]
        except (ValueError, KeyError, TypeError, AttributeError):
            return []
    return found


def _pdf_anchors(path: Path) -> list[Anchor]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise ValueError(f"{path.name} is password-protected: give its password-free "
                             "copy, the production folder or the backup instead")
        value = str((reader.metadata or {}).get(PDF_KEY, ""))
    except PdfReadError as exc:
        raise ValueError(f"{path.name} is not a readable PDF ({exc})") from None
    return _text_anchors(value, path.name)
