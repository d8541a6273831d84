"""``caseapp signals import``: a sign-in log or inventory becomes an exhibit, rows, findings.

1. The file is hashed and encrypted into the vault (before the write lock is taken).
2. The same bytes are parsed as a stream (their SHA-256 is checked against the vault's, so
   what was parsed is what was preserved); rows are attributed to subjects by account,
   e-mail or host, and fed to the rules (:mod:`caseapp.domain.signals.engine`).
3. One unit of work records the exhibit with its custody, the import, its observations
   (one per account/IP/device, first and last line), the subjects' new IP and device
   identifiers, the findings and the audit entries. Cancel, an error or a kill before the
   commit leaves nothing (the blob of a failed import is discarded; one left by a kill is an
   orphan that ``verify`` reports and start-up removes).
"""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from caseapp import faults
from caseapp.domain.progress import Cancel, Cancelled, Progress
from caseapp.domain.signals import engine as E
from caseapp.domain.signals.parse import looks_like_json, read_csv_stream, read_json
from caseapp.domain.signals.refdata import DataSet
from caseapp.domain.signals.rows import (
    InventoryItem,
    RowError,
    SignalFormat,
    SignIn,
    SignInBatch,
)
from caseapp.domain.signals.rules import Finding
from caseapp.security.vault import IngestResult
from caseapp.services.cases.cases import get_case_in
from caseapp.services.errors import InvalidInput
from caseapp.services.evidence.evidence import (
    Acquisition,
    DuplicateExhibit,
    record_ingested,
    vault_ingest,
)
from caseapp.services.signals import crosscase, records, refdata
from caseapp.services.signals.attribution import Attribution
from caseapp.services.workspace import Workspace

#: Largest JSON export read whole (CSV is streamed and has no limit).
MAX_JSON_BYTES = 256 * 1024 * 1024
#: Rows between progress reports and cancel checks.
_STEP = 5000


class _Hashing(io.RawIOBase):
    """A read-only stream that hashes and counts what passes through it."""

    def __init__(self, raw: io.BufferedIOBase) -> None:
        self.raw, self.sha, self.done = raw, hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self.raw.readinto(buffer) or 0  # straight into the reader's buffer
        self.sha.update(memoryview(buffer)[:count])
        self.done += count
        return count


@dataclass
class SignalReport:
    """Outcome of an import, in the ``signals import`` JSON shape."""

    case: str = ""
    exhibit: str = ""
    format: str = ""
    rows: int = 0
    attributed: int = 0
    unattributed: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    identifiers_added: int = 0
    findings: list[dict[str, Any]] = field(default_factory=list)
    data: list[DataSet] = field(default_factory=list)
    import_id: int | None = None
    #: Earlier cases re-evaluated by this import (shared egress): case ref -> finding ids.
    reevaluated: dict[str, list[int]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"case": self.case, "exhibit": self.exhibit, "format": self.format,
                "import": self.import_id, "rows": self.rows, "attributed": self.attributed,
                "unattributed": [{"account": a, "rows": n} for a, n in
                                 sorted(self.unattributed.items(), key=lambda kv: -kv[1])],
                "errors": [{"line": e.line, "error": e.error} for e in self.errors],
                "warnings": list(self.warnings), "identifiers_added": self.identifiers_added,
                "findings": list(self.findings), "data": [d.to_json() for d in self.data],
                "reevaluated": [{"case": ref, "findings": ids}
                                for ref, ids in sorted(self.reevaluated.items())]}


@dataclass
class _Parsed:
    fmt: SignalFormat
    report: SignalReport
    engine: E.SignInEngine | None
    findings: list[Finding]
    sha256: str
    hosts: dict[int, set[str]]


def _rows(path: Path, fmt: SignalFormat | None, stream: _Hashing,
          owner: Callable[[str], int | None],
          ) -> tuple[SignalFormat, Iterator[SignInBatch | SignIn | InventoryItem | RowError]]:
    head = path.open("rb").read(4096)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InvalidInput(f"{path.name} is UTF-16 text; save it as UTF-8 and import again.")
    try:
        if looks_like_json(head.decode("utf-8-sig", errors="replace")):
            if path.stat().st_size > MAX_JSON_BYTES:
                raise InvalidInput(f"{path.name} is larger than {MAX_JSON_BYTES:,} bytes; "
                                   "export it as CSV to import it.")
            return read_json(stream.read().decode("utf-8-sig"), fmt)
        text = io.TextIOWrapper(io.BufferedReader(stream), encoding="utf-8-sig", newline="")
        return read_csv_stream(text, fmt, owner=owner)
    except ValueError as exc:  # includes UnicodeDecodeError
        raise InvalidInput(f"{path.name}: {_why(exc)}. Nothing was imported.") from None


def _why(exc: ValueError) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "the file is not UTF-8 text"
    return str(exc)


def _parse(ws: Workspace, case_ref: str, path: Path, fmt: SignalFormat | None,
           data: refdata.RefData, progress: Progress | None, cancel: Cancel | None,
           settings: E.Settings | None) -> _Parsed:
    with ws.session() as session:
        case = get_case_in(session, case_ref)
        who = Attribution(session, case.id or 0)
    profiles = {sid: refdata.profile(s) for sid, s in who.subjects.items()}
    report = SignalReport(case=case.ref)
    total = path.stat().st_size or 1
    with path.open("rb") as raw:
        stream = _Hashing(raw)
        found, rows = _rows(path, fmt, stream, who.subject_for)
        report.format = found.value
        engine = (None if found.is_inventory else
                  E.SignInEngine(profiles, data.ranges, data.providers, refdata.locate,
                                 settings))
        items: list[InventoryItem] = []
        hosts: dict[int, set[str]] = {}
        unattributed: Counter[str] = Counter()  # account as written (folded below)
        subject_for = who.subject_for
        count = attributed = 0
        read = 0  # rows and row errors: cancel and progress are checked on either
        next_check = _STEP
        try:
            for row in rows:
                kind = type(row)
                if kind is SignInBatch:  # a CSV log, 5,000 rows read at a time
                    assert isinstance(row, SignInBatch) and engine is not None
                    report.errors.extend(row.errors)
                    unattributed.update(row.other_accounts)
                    count += row.size
                    read += row.size + len(row.errors)
                    attributed += len(row.codes)
                    engine.feed_batch(row)
                    next_check = read  # after each batch, even one of errors only
                elif kind is RowError:  # JSON and inventory rows (sign-in CSV errors are batched)
                    report.errors.append(row)  # type: ignore[arg-type]
                    read += 1
                elif kind is SignIn:
                    count += 1
                    read += 1
                    assert isinstance(row, SignIn)
                    sid = subject_for(row.account)
                    if sid is None or engine is None:
                        unattributed[row.account] += 1
                    else:
                        attributed += 1
                        engine.feed(sid, row)
                else:
                    assert isinstance(row, InventoryItem)
                    count += 1
                    read += 1
                    sid = subject_for(row.user) if row.user else None
                    sid = sid if sid is not None else who.subject_for_host(row.host)
                    if sid is None:
                        unattributed[row.user or row.host] += 1
                    else:
                        attributed += 1
                        hosts.setdefault(sid, set()).add(row.host)
                        items.append(row)
                if read >= next_check:
                    next_check = read + _STEP
                    if cancel is not None and cancel():
                        raise Cancelled()
                    if progress is not None:
                        progress(stream.done, total, "Reading")
            rest = stream.read()  # anything after the last record still counts in the hash
            del rest
        except UnicodeDecodeError:
            raise InvalidInput(f"{path.name} is not UTF-8 text (at about byte "
                               f"{stream.done:,}). Nothing was imported.") from None
    report.rows, report.attributed = count, attributed
    folded: Counter[str] = Counter()
    for account, n in unattributed.items():
        folded[account.lower()] += n
    report.unattributed = dict(folded)
    if engine is not None:
        findings = engine.finish()
    else:
        by_line = {i.line: who.subject_for(i.user) if i.user else None for i in items}
        findings = E.match_inventory(
            items, data.tools,
            lambda i: by_line.get(i.line) if by_line.get(i.line) is not None
            else who.subject_for_host(i.host))
    return _Parsed(found, report, engine, findings, stream.sha.hexdigest(), hosts)


def import_signals(ws: Workspace, case_ref: str, path: Path, *,
                   fmt: SignalFormat | str | None = None,
                   data_files: dict[str, Path] | None = None,
                   settings: E.Settings | None = None,
                   progress: Progress | None = None,
                   cancel: Cancel | None = None) -> SignalReport:
    """Import one sign-in log or inventory into a case (see the module docstring).

    Raises InvalidInput (nothing imported) for an unreadable file or header, Conflict when
    the same file was already imported into the case, Cancelled when ``cancel()`` said so.
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"{path} is not a file.")
    wanted = None if fmt in (None, "", "auto") else SignalFormat(str(fmt))
    data = refdata.load(data_files)
    with ws.session() as session:
        get_case_in(session, case_ref)
    from caseapp.services.evidence import case_keys

    key, version = case_keys.ingest_key(ws, case_ref)  # a team case's key, as for evidence
    result = vault_ingest(ws, path, None, cancel, key)
    try:
        parsed = _parse(ws, case_ref, path, wanted, data, progress, cancel, settings)
        if parsed.sha256 != result.sha256:
            raise InvalidInput(f"{path.name} changed while it was imported; import it again.")
        if progress is not None:
            progress(1, 1, "Recording")
        return _record(ws, case_ref, path, result, parsed, data, version)
    except BaseException:
        ws.vault.discard(result.blob_id)
        raise


def _record(ws: Workspace, case_ref: str, path: Path, result: IngestResult, parsed: _Parsed,
            data: refdata.RefData, key_version: int | None = None) -> SignalReport:
    report = parsed.report
    report.data = ([*data.ranges.data_sets(), data.providers.data] if parsed.engine
                   else [data.tools.data])
    with ws.unit_of_work() as session:
        case = get_case_in(session, case_ref)
        try:
            evidence = record_ingested(
                ws, case_ref, path, result, title=f"Sign-in log {path.name}"
                if parsed.engine else f"Endpoint inventory {path.name}",
                description=f"Imported as {parsed.fmt.value} by caseapp signals import.",
                acquisition=Acquisition(method=f"signals import ({parsed.fmt.value})"),
                key_version=key_version)
        except DuplicateExhibit as exc:
            evidence = records.exhibit_for_reimport(session, case, exc.exhibit)
            ws.vault.discard(result.blob_id)
        report.exhibit = evidence.exhibit
        imp = records.save_import(session, case, evidence, parsed.fmt, report, parsed.engine)
        report.import_id = imp.id
        if parsed.engine is not None:
            records.save_observations(session, case, imp, parsed.engine.observations.values())
            shared, reverse = crosscase.cross_case_shared(session, case, parsed.engine,
                                                          data.ranges.data)
            parsed.findings.extend(shared)
            report.reevaluated = crosscase.update_other_cases(
                session, case, imp, evidence, reverse, data.ranges.data)
        report.identifiers_added = records.add_identifiers(session, parsed.engine, parsed.hosts,
                                                         report)
        report.findings = records.save_findings(session, case, imp, evidence, parsed.findings)
        records.audit_import(session, case, evidence, imp, report)
        faults.step("signals.before-commit")
    return report

