"""The text form of an anchor (an audit chain head written outside the database): one line
that case files, production packages and backup manifests carry, and ``verify`` reads back."""

from __future__ import annotations

import re

#: The one-line form of an anchor in text files and PDF metadata.
ANCHOR_LINE = "caseapp audit chain head: entry {entry}, SHA-256 {hash}"
ANCHOR_RE = re.compile(r"caseapp audit chain head: entry (\d+), SHA-256 ([0-9a-f]{64})")
#: PDF document-information key holding :data:`ANCHOR_LINE`.
PDF_KEY = "/CaseappAuditHead"


def anchor_line(entry_id: int, entry_hash: str) -> str:
    """The text form of an anchor (for case files, packages and manifests)."""
    return ANCHOR_LINE.format(entry=entry_id, hash=entry_hash)
