"""Import tips from CSV, following CONTRACTS.md "Tip CSV import".

- UTF-8 with or without a BOM. The whole file is decoded before anything is written, so a
  file in another encoding is refused with a clear error and nothing is imported.
- A header row is required; column names are case-insensitive. ``received_at``, ``channel``
  and ``content`` must be present (a tip without its time, channel or text is not a tip);
  the other known columns are optional and empty when missing; unknown columns are ignored
  with a warning. A column named twice is refused.
- Each row is checked on its own; a bad row is reported with the physical line where its
  record starts (header = line 1, multi-line quoted cells counted) and the rest still import.
- Cells are stored literally (formula-like text, markup); no cell may exceed its size cap
  (content :data:`~caseapp.services.tips.intake.MAX_CONTENT`, one-line fields
  :data:`~caseapp.services.tips.intake.MAX_FIELD`, identifiers :data:`MAX_IDENTIFIERS_CELL`).
- Error messages never quote the tipster's name or contact.

Transactions: **one per row**. Each imported row (tip, identifiers, audit entry) commits on
its own, so a crash mid-import leaves only whole rows behind; importing the same file again
skips those (same normalised content) and adds the rest.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from caseapp import faults
from caseapp.domain import tips as rules
from caseapp.domain.enums import IdentifierKind, TipChannel
from caseapp.domain.identifiers import parse_typed
from caseapp.domain.progress import Cancel, Progress
from caseapp.security import audit
from caseapp.services.cases.subjects import IdentifierInput
from caseapp.services.errors import CaseappError, InvalidInput
from caseapp.services.tips.dedup import ContentIndex, find_candidates
from caseapp.services.tips.intake import MAX_CONTENT, MAX_FIELD, new_tip_in
from caseapp.services.workspace import Workspace

COLUMNS = ("received_at", "channel", "programme", "reference", "anonymous", "tipster_name",
           "tipster_contact", "content", "identifiers", "reliability", "credibility")
REQUIRED = ("received_at", "channel", "content")
#: Largest CSV file accepted.
MAX_FILE_BYTES = 64 * 1024 * 1024
#: Largest ``identifiers`` cell (characters).
MAX_IDENTIFIERS_CELL = 20_000
_IDENTITY = frozenset({"tipster_name", "tipster_contact"})
_ALLOWED = {"channel": ", ".join(c.value for c in TipChannel), "reliability": "A-F",
            "credibility": "1-6"}

# No field can exceed the file cap, so the csv module never stops on its own field limit
# (raising the process-wide limit only ever loosens it).
if csv.field_size_limit() < MAX_FILE_BYTES:
    csv.field_size_limit(MAX_FILE_BYTES)


@dataclass(frozen=True)
class RowError:
    line: int
    error: str


@dataclass
class ImportReport:
    """Outcome of an import, in the ``tips import`` JSON shape (plus extra keys)."""

    imported: int = 0
    skipped_duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tips: list[str] = field(default_factory=list)
    candidates: list[dict[str, Any]] = field(default_factory=list)
    #: Line at which the user cancelled (rows before it were imported), or None.
    cancelled_at: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"imported": self.imported, "skipped_duplicates": self.skipped_duplicates,
                "errors": [{"line": e.line, "error": e.error} for e in self.errors],
                "warnings": list(self.warnings), "tips": list(self.tips),
                "duplicate_candidates": list(self.candidates),
                "cancelled_at": self.cancelled_at}


class _RowProblem(Exception):
    pass


def _short(value: str, limit: int = 40) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


def _decode(path: Path) -> str:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InvalidInput(f"Cannot read {path}: {exc.strerror or exc}.") from None
    if not path.is_file():
        raise InvalidInput(f"{path} is not a file.")
    if size > MAX_FILE_BYTES:
        raise InvalidInput(f"{path.name} is {size:,} bytes; the limit for a tip CSV is "
                           f"{MAX_FILE_BYTES:,}. Split it and import the parts.")
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InvalidInput(f"{path.name} is UTF-16 text; save it as UTF-8 and import again. "
                           "Nothing was imported.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InvalidInput(f"{path.name} is not UTF-8 text (invalid byte at line {line}); "
                           "save it as UTF-8 and import again. Nothing was imported.") from None


@dataclass(frozen=True)
class _Layout:
    columns: dict[str, int]
    width: int


def _header(cells: list[str], report: ImportReport) -> _Layout:
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = cell.strip().lower()
        if name in COLUMNS:
            if name in columns:
                raise InvalidInput(f"The header names the column {name!r} twice.")
            columns[name] = index
        elif name:
            report.warnings.append(f"unknown column {_short(cell.strip())} ignored")
    if not columns:
        raise InvalidInput("The first line is not a header row; expected column names such "
                           f"as {', '.join(COLUMNS)}.")
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise InvalidInput(f"The header lacks the required column(s): {', '.join(missing)}.")
    return _Layout(columns, len(cells))


def _cell(row: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    value = row[index] if index is not None and index < len(row) else ""
    limit = {"content": MAX_CONTENT, "identifiers": MAX_IDENTIFIERS_CELL}.get(name, MAX_FIELD)
    if len(value) > limit:
        raise _RowProblem(f"{name} cell is {len(value):,} characters; the limit is {limit:,}")
    return value


def _received(text: str) -> datetime:
    value = text.strip()
    if not value:
        raise _RowProblem("received_at is empty")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _RowProblem(f"received_at {_short(value)} is not an ISO 8601 time") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _identifiers(text: str) -> list[IdentifierInput]:
    result: list[IdentifierInput] = []
    for item in text.split(";"):
        item = item.strip()
        if not item:
            continue
        kind, value = parse_typed(item)
        if kind is None:
            raise _RowProblem(f"identifier {_short(item)}: cannot tell its kind; write it as "
                              f"kind:value ({', '.join(k.value for k in IdentifierKind)})")
        if not value:
            raise _RowProblem(f"identifier {_short(item)} has no value")
        result.append(IdentifierInput(kind.value, value))
    return result


def _row_fields(row: list[str], layout: _Layout) -> dict[str, Any]:
    if any(c.strip() for c in row[layout.width:]):
        raise _RowProblem(f"{len(row)} cells but the header has {layout.width} "
                          "(an unquoted comma?)")
    cells = {name: _cell(row, layout.columns, name) for name in COLUMNS}
    try:
        anonymous = rules.parse_bool(cells["anonymous"])
    except ValueError:
        raise _RowProblem(f"anonymous {_short(cells['anonymous'])} is not "
                          "true/false/yes/no/1/0") from None
    if anonymous and any(cells[name].strip() for name in _IDENTITY):
        raise _RowProblem("an anonymous tip cannot carry a tipster name or contact; fix the "
                          "row (the tipster's identity is never guessed)")
    if not cells["channel"].strip():
        raise _RowProblem("channel is empty")
    for name, check in (("channel", TipChannel.parse), ("reliability", rules.parse_reliability),
                        ("credibility", rules.parse_credibility)):
        try:
            check(cells[name])
        except ValueError:
            raise _RowProblem(f"{name} {_short(cells[name])} is not valid; use one of: "
                              f"{_ALLOWED[name]}") from None
    if not cells["content"].strip():
        raise _RowProblem("content is empty")
    return {"content": cells["content"], "channel": cells["channel"],
            "received_at": _received(cells["received_at"]), "programme": cells["programme"],
            "reference": cells["reference"], "anonymous": anonymous,
            "tipster_name": cells["tipster_name"] or None,
            "tipster_contact": cells["tipster_contact"] or None,
            "reliability": cells["reliability"], "credibility": cells["credibility"],
            "identifiers": _identifiers(cells["identifiers"])}


def import_tips_csv(ws: Workspace, path: Path, *,
                    progress: Progress | None = None,
                    cancel: Cancel | None = None) -> ImportReport:
    """Import tips from a CSV file; see the module docstring for the rules.

    Raises InvalidInput (nothing imported) when the file cannot be read as a UTF-8 CSV with a
    usable header; row problems are reported in the returned :class:`ImportReport`.
    ``progress(line, total_lines)`` is called per record; when ``cancel()`` returns True the
    import stops before the next record (rows already imported stay: one transaction per
    row) and ``cancelled_at`` names the first line not read.
    """
    path = Path(path)
    text = _decode(path)
    total_lines = text.count("\n") + 1
    report = ImportReport()
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise InvalidInput(f"The header row cannot be read as CSV: {exc}.") from None
    if header is None or not any(c.strip() for c in header):
        raise InvalidInput(f"{path.name} is empty or has no header row.")
    layout = _header(header, report)
    with ws.session() as session:
        index = ContentIndex.load(session)
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            report.errors.append(RowError(line, f"CSV syntax error ({exc}); the rest of the "
                                                "file was not read"))
            break
        if cancel is not None and cancel():
            report.cancelled_at = line
            report.warnings.append(f"Import cancelled at line {line}: the rows before it were "
                                   "imported, the rest of the file was not read.")
            break
        if progress is not None:
            progress(line, total_lines)
        if not any(cell.strip() for cell in row):
            continue
        _import_row(ws, row, layout, line, index, report)
        faults.step("tips.row")
    with ws.transaction() as session:
        audit.append(session, "tips.imported", "tip", "", {
            "file": path.name, "imported": report.imported,
            "skipped_duplicates": report.skipped_duplicates, "errors": len(report.errors),
            "cancelled_at": report.cancelled_at})
    return report


def _import_row(ws: Workspace, row: list[str], layout: _Layout, line: int,
                index: ContentIndex, report: ImportReport) -> None:
    try:
        fields = _row_fields(row, layout)
    except _RowProblem as exc:
        report.errors.append(RowError(line, str(exc)))
        return
    key = rules.content_key(fields["content"])
    if index.find_exact(key) is not None:
        report.skipped_duplicates += 1
        return
    try:
        with ws.transaction() as session:
            tip, idents = new_tip_in(session, source="csv", **fields)
            candidates = find_candidates(session, tip, idents, index=index)
            ref, tip_id, tip_key = tip.ref, tip.id or 0, tip.content_key
    except CaseappError as exc:  # invalid input or another refusal of this one row
        report.errors.append(RowError(line, str(exc)))
        return
    index.add(tip_id, tip_key)
    report.imported += 1
    report.tips.append(ref)
    for ident in idents:
        if not ident.normalized_ok:
            report.warnings.append(f"line {line}: {ref} identifier {ident.kind} "
                                   f"{_short(ident.raw)} could not be normalised "
                                   f"({ident.normalize_note}); kept as written")
    if candidates:
        names = "; ".join(f"{c.ref} ({', '.join(c.reasons)})" for c in candidates)
        report.warnings.append(f"line {line}: {ref} may duplicate {names}")
        report.candidates.append({"line": line, "ref": ref,
                                  "candidates": [c.to_json() for c in candidates]})
