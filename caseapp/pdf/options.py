"""What the user chooses for one PDF export: labels, Bates numbering, sections, redaction.

Pure data with validation; no database, no reportlab. The same object drives the CLI, the
UI's options dialog and the export record printed in the PDF and kept in the case's export
history (the password itself is never recorded, only whether one was set).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from caseapp.domain.text import clean_line

DEFAULT_CLASSIFICATION = "CONFIDENTIAL"
#: The conventional privilege legend (indicators.md, "Legal-export conventions").
SUGGESTED_PRIVILEGE_LEGEND = ("Privileged & Confidential — Attorney Work Product — "
                              "Prepared at the Direction of Counsel")

#: Optional sections in document order: key -> heading. Cover, contents, export record and
#: hash certification are always included (they make the file verifiable).
SECTIONS: dict[str, str] = {
    "summary": "Case summary",
    "subjects": "Subjects and identifiers",
    "checklist": "Red-flag checklist",
    "exhibits": "Exhibit list",
    "custody": "Chain of custody",
    "timeline": "Timeline and notes",
    "tips": "Linked tips",
    "links": "Links to other cases and tips",
    "findings": "Signals findings",
    "appendix": "Appendix: exhibits",
}
FIXED_SECTIONS: dict[str, str] = {
    "record": "Export record",
    "certification": "Hash certification",
}
ALL_SECTIONS: tuple[str, ...] = tuple(SECTIONS)

_BATES_PREFIX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")
MAX_BATES_START = 10**12


class OptionsError(ValueError):
    """An option value that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class ExportOptions:
    """Options of one PDF export (see module docstring). Validate with :meth:`validated`."""

    classification: str = DEFAULT_CLASSIFICATION
    privilege_legend: str = ""
    prepared_by: str = ""
    prepared_for: str = ""  # the recipient: printed on the cover, kept in the export history
    bates_prefix: str | None = None  # None: the case ref
    bates_start: int = 1
    sections: tuple[str, ...] = ALL_SECTIONS
    reveal_tipsters: bool = False
    reveal_accounts: bool = False
    password: str | None = field(default=None, repr=False)  # AES-256 open password
    package_dir: Path | None = None
    timezone: str | None = None  # IANA name for times shown; None: this computer's zone
    #: Who signs the PDF after it is built (PAdES); "" when it is not signed.
    signed_by: str = ""

    def validated(self, case_ref: str) -> ExportOptions:
        """A cleaned copy with defaults resolved against ``case_ref``; raises OptionsError."""
        classification = clean_line(self.classification, limit=80)
        if not classification:
            raise OptionsError("The classification label cannot be empty "
                               f"(the default is {DEFAULT_CLASSIFICATION}).")
        prefix = clean_line(self.bates_prefix or "") or case_ref
        if not _BATES_PREFIX.match(prefix):
            raise OptionsError(f"Bates prefix {prefix!r}: use 1-40 letters, digits, '.', '_' "
                               "or '-', starting with a letter or digit.")
        if isinstance(self.bates_start, bool) or not isinstance(self.bates_start, int):
            raise OptionsError("The Bates start number must be a whole number.")
        if not 0 <= self.bates_start <= MAX_BATES_START:
            raise OptionsError(f"The Bates start number must be between 0 and "
                               f"{MAX_BATES_START:,}.")
        unknown = [s for s in self.sections if s not in SECTIONS]
        if unknown:
            raise OptionsError(f"Unknown section(s): {', '.join(unknown)}; choose from "
                               f"{', '.join(SECTIONS)}.")
        sections = tuple(s for s in SECTIONS if s in self.sections)
        if self.package_dir is not None and "exhibits" not in sections:
            raise OptionsError("A production package needs the exhibit list section "
                               "(its manifest cites each exhibit's Bates pages).")
        if self.password is not None and not self.password:
            raise OptionsError("The PDF password is empty; leave it unset for no password.")
        if self.timezone:
            try:
                ZoneInfo(self.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                raise OptionsError(f"Unknown time zone {self.timezone!r}.") from None
        return replace(
            self, classification=classification,
            privilege_legend=clean_line(self.privilege_legend, limit=300),
            prepared_by=clean_line(self.prepared_by, limit=200),
            prepared_for=clean_line(self.prepared_for, limit=200),
            bates_prefix=prefix, sections=sections,
            package_dir=Path(self.package_dir) if self.package_dir is not None else None)

    def includes(self, section: str) -> bool:
        """Whether an optional section is part of this export."""
        return section in self.sections

    def bates(self, page: int) -> str:
        """Bates number of 1-based ``page``: ``{prefix}-{n:06d}`` (7+ digits past 999999)."""
        return bates_label(self.bates_prefix or "", self.bates_start + page - 1)

    def to_record(self) -> dict[str, Any]:
        """The options as kept in the export history and printed on the export record."""
        return {
            "classification": self.classification,
            "privilege_legend": self.privilege_legend,
            "prepared_by": self.prepared_by,
            "prepared_for": self.prepared_for,
            "bates_prefix": self.bates_prefix,
            "bates_start": self.bates_start,
            "sections": list(self.sections),
            "reveal_tipsters": self.reveal_tipsters,
            "reveal_accounts": self.reveal_accounts,
            "password_protected": self.password is not None,
            "package": self.package_dir is not None,
            "timezone": self.timezone,
            **({"signed_by": self.signed_by} if self.signed_by else {}),
        }


def bates_label(prefix: str, number: int) -> str:
    """``CASE-2026-0001-000001``; never wraps (``-1000000`` after ``-999999``)."""
    return f"{prefix}-{number:06d}"
