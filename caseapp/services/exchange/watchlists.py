"""Use cases: import, list and remove watchlists; find watchlist hits on cases.

A watchlist is a file the user downloaded (the OFAC SDN list, an advisory STIX bundle or
MISP event, a CSV). Import parses it completely first: a malformed file changes nothing
and every problem is reported with its location; entries caseapp cannot use are skipped
and reported. Then, in one transaction, the list's row (file name, publisher, list date,
SHA-256, counts) is written and its previous entries replaced, with an audit entry.

Hits are computed when asked for (never stored) and change no state: an identifier of a
case subject whose key equals a listed identifier (``exact``, strong), a case URL or e-mail
on a listed website (``site``, strong), or a subject name or alias close to a listed name
(``name``, weak, with its score).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert
from sqlmodel import col, select

from caseapp.domain.exchange import advisory, sdn
from caseapp.domain.exchange.listed import (
    FORMATS,
    MAX_BYTES,
    ParsedList,
    WatchlistFormatError,
    detect_format,
)
from caseapp.domain.models import Watchlist, WatchlistEntry, utcnow
from caseapp.domain.progress import Cancel, Progress, check_cancel
from caseapp.domain.text import load_list
from caseapp.security import audit, record_state
from caseapp.services.errors import InvalidInput, NotFound
from caseapp.services.workspace import Workspace
from caseapp.store.case_list import no_cyclic_gc

_NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_SDN_SET = ("sdn.csv", "add.csv", "alt.csv")


@dataclass(frozen=True)
class WatchlistInfo:
    """An imported list (``problems``: what the import skipped or noted)."""

    name: str
    format: str
    publisher: str
    file_name: str
    list_date: str
    sha256: str
    entries: int
    records: int
    skipped: int
    imported_at: datetime
    problems: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["imported_at"] = self.imported_at.isoformat()
        data["problems"] = list(self.problems)
        return data


@dataclass(frozen=True)
class WatchlistHit:
    """A case subject's identifier or name that a watchlist lists."""

    case: str
    subject: str
    subject_id: int
    list: str
    list_date: str
    list_sha256: str
    publisher: str
    entry_ref: str
    entry_name: str
    entry_type: str
    programmes: tuple[str, ...]
    kind: str
    case_value: str
    listed_value: str
    match: str  # "exact" | "site" | "name"
    strength: str  # "strong" | "weak"
    score: int = 100

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["programmes"] = list(self.programmes)
        return data

    @property
    def reason(self) -> str:
        """One line for a red-flag suggestion, the Links tab and the PDF."""
        progs = f" [{', '.join(self.programmes)}]" if self.programmes else ""
        party = self.entry_name or self.listed_value
        if self.match == "name":
            listed = "" if self.listed_value == party else f"'{self.listed_value}' of "
            what = f"name {self.case_value} similar ({self.score}%) to {listed}{party}"
        else:
            how = "listed for" if self.match == "exact" else "on a website listed for"
            what = f"{self.kind} {self.case_value} {how} {party}"
        return (f"{what}{progs} — {self.list} ({self.list_date or 'undated'}, "
                f"SHA-256 {self.list_sha256[:12]}…)")


def _read(path: Path, fmt: str) -> tuple[str, dict[str, bytes], bytes]:
    """(format, files by lower-case name, bytes to hash) — size-checked, nothing parsed."""
    if not path.exists():
        raise InvalidInput(f"{path} does not exist.")
    sources: dict[str, Path] = {}
    if path.is_dir():
        sources = {p.name.lower(): p for p in path.iterdir()
                   if p.is_file() and p.name.lower() in _SDN_SET}
        if "sdn.csv" not in sources:
            raise InvalidInput(f"{path} is a folder without sdn.csv; give the list's file.")
        fmt = "ofac-sdn" if fmt == "auto" else fmt
    else:
        sources = {path.name.lower(): path}
    total = sum(p.stat().st_size for p in sources.values())
    if total > MAX_BYTES:
        raise InvalidInput(f"{path.name} is {total / 1e6:,.0f} MB; caseapp reads watchlists "
                           f"of up to {MAX_BYTES // 2**20} MB. Nothing was imported.")
    files = {name: p.read_bytes() for name, p in sources.items()}
    if path.is_file() and path.suffix.lower() == ".zip":
        files = _unzip(path.name, files[path.name.lower()])
    if path.is_file() and path.name.lower() == "sdn.csv":
        for sibling in path.parent.iterdir():
            if sibling.name.lower() in ("add.csv", "alt.csv") and sibling.is_file():
                files[sibling.name.lower()] = sibling.read_bytes()
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(files[name])
    if fmt == "auto":
        main = files.get("sdn.csv") or next(iter(files.values()))
        found = "ofac-sdn" if "sdn.csv" in files else detect_format(main)
        if found is None:
            raise InvalidInput(f"{path.name}: caseapp cannot tell which kind of list this is; "
                               f"give --format ({', '.join(FORMATS)}).")
        fmt = found
    if fmt not in FORMATS:
        raise InvalidInput(f"Unknown list format {fmt!r}; use auto or one of "
                           f"{', '.join(FORMATS)}.")
    return fmt, files, digest.digest()


def _unzip(name: str, data: bytes) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [i for i in archive.infolist() if not i.is_dir()]
        if sum(i.file_size for i in members) > MAX_BYTES:
            raise InvalidInput(f"{name} unpacks to more than {MAX_BYTES // 2**20} MB; "
                               "nothing was imported.")
        chosen = [i for i in members if Path(i.filename).name.lower() in _SDN_SET] or members
        if len(chosen) != 1 and not any(Path(i.filename).name.lower() == "sdn.csv"
                                        for i in chosen):
            raise InvalidInput(f"{name} holds {len(chosen)} files; put one list in it.")
        return {Path(i.filename).name.lower(): archive.read(i) for i in chosen}
    except zipfile.BadZipFile:
        raise InvalidInput(f"{name} is not a readable zip archive.") from None


def _parse(fmt: str, files: dict[str, bytes]) -> ParsedList:
    main_name, main = next(iter(files.items()))
    try:
        if fmt == "ofac-sdn":
            if "sdn.csv" in files:
                return sdn.parse_csv_set(files)
            return sdn.parse_xml(main)
        if fmt == "stix":
            return advisory.parse_stix(main, main_name)
        if fmt == "misp":
            return advisory.parse_misp(main, main_name)
        return advisory.parse_csv(main, main_name)
    except WatchlistFormatError as exc:
        raise InvalidInput("Nothing was imported: " + "; ".join(exc.problems)) from None


def import_watchlist(ws: Workspace, path: Path | str, *, fmt: str = "auto",
                     name: str | None = None, progress: Progress | None = None,
                     cancel: Cancel | None = None) -> WatchlistInfo:
    """Import (or re-import) a list; raises InvalidInput for a file that cannot be used."""
    source = Path(path).expanduser()
    if progress is not None:
        progress(0, 3, "Reading the list")
    fmt, files, raw_digest = _read(source, fmt)
    list_name = (name or ("ofac-sdn" if fmt == "ofac-sdn" else source.stem)).strip().lower()
    list_name = re.sub(r"[^a-z0-9._-]+", "-", list_name).strip("-")
    if not _NAME_RE.fullmatch(list_name):
        raise InvalidInput("A watchlist name is 1-64 letters, digits, '.', '_' or '-'.")
    check_cancel(cancel, "The import was cancelled; nothing was imported.")
    if progress is not None:
        progress(1, 3, "Parsing the list")
    with no_cyclic_gc():
        parsed = _parse(fmt, files)
    if not parsed.list_date:
        stamp = datetime.fromtimestamp(source.stat().st_mtime, UTC).date().isoformat()
        parsed.list_date = stamp
        parsed.problems.append(f"the file states no list date; the file's date {stamp} is "
                               "used")
    check_cancel(cancel, "The import was cancelled; nothing was imported.")
    if progress is not None:
        progress(2, 3, f"Storing {parsed.entries:,} entries")
    with no_cyclic_gc():
        info = _store(ws, list_name, fmt, source.name, parsed, raw_digest.hex())
    if progress is not None:
        progress(3, 3, "Done")
    return info


def _store(ws: Workspace, name: str, fmt: str, file_name: str, parsed: ParsedList,
           sha256: str) -> WatchlistInfo:
    moment = utcnow()
    with ws.transaction() as session:
        row = session.exec(select(Watchlist).where(Watchlist.name == name)).first()
        replaced = row is not None
        if row is None:
            row = Watchlist(name=name, format=fmt, imported_at=moment)
        else:
            session.execute(delete(WatchlistEntry).where(
                col(WatchlistEntry.watchlist_id) == row.id))
        row.format, row.publisher, row.file_name = fmt, parsed.publisher, file_name
        row.list_date, row.sha256 = parsed.list_date[:32], sha256
        row.entries, row.records, row.skipped = parsed.entries, parsed.records, parsed.skipped
        row.problems = json.dumps(parsed.problems, ensure_ascii=False)
        row.imported_at, row.imported_by = moment, audit.current_actor()
        session.add(row)
        session.flush()
        # a Core insert (no per-row ORM bookkeeping; SQLModel sets __table__ at runtime),
        # 5,000 rows at a time so the list is never held twice as row dicts
        table = WatchlistEntry.__table__  # pyright: ignore[reportAttributeAccessIssue]
        written: list[tuple[Any, ...]] = []  # ENTRY_FIELDS in insertion (= id) order
        chunk: list[dict[str, Any]] = []
        encoded: dict[tuple[str, ...], str] = {}  # lists repeat their programme sets
        for p in parsed.parties:
            progs = encoded.get(p.programmes)
            if progs is None:
                progs = encoded[p.programmes] = json.dumps(list(p.programmes),
                                                           ensure_ascii=False)
            kind = p.type[:32]
            for i in p.items:
                chunk.append({"watchlist_id": row.id, "entry_ref": p.ref,
                              "entry_name": p.name, "entry_type": kind, "remarks": p.remarks,
                              "programmes": progs, "kind": i.kind, "value": i.value,
                              "normalized": i.normalized})
                written.append((p.ref, p.name, kind, progs, i.kind, i.value, i.normalized,
                                p.remarks))
                if len(chunk) == 5000:
                    session.execute(insert(table), chunk)
                    chunk = []
        if chunk:
            session.execute(insert(table), chunk)
        # what was just written: the state hash needs no re-read (verify reads the store)
        record_state.vouch_entries(session, row.id or 0, written)
        audit.append(session, "watchlist.imported", "watchlist", name, {
            "format": fmt, "file": file_name, "sha256": sha256, "list_date": row.list_date,
            "publisher": row.publisher, "entries": row.entries, "records": row.records,
            "skipped": row.skipped, "replaced": replaced})
        return _info(row)


def _info(row: Watchlist) -> WatchlistInfo:
    return WatchlistInfo(name=row.name, format=row.format, publisher=row.publisher,
                         file_name=row.file_name, list_date=row.list_date, sha256=row.sha256,
                         entries=row.entries, records=row.records, skipped=row.skipped,
                         imported_at=row.imported_at, problems=tuple(load_list(row.problems)))


def list_watchlists(ws: Workspace) -> list[WatchlistInfo]:
    with ws.session() as session:
        return [_info(r) for r in session.exec(select(Watchlist).order_by(
            col(Watchlist.name))).all()]


def remove_watchlist(ws: Workspace, name: str) -> None:
    with ws.transaction() as session:
        row = session.exec(select(Watchlist).where(Watchlist.name == name.strip().lower())
                           ).first()
        if row is None:
            raise NotFound(f"No watchlist named {name!r}.")
        session.execute(delete(WatchlistEntry).where(col(WatchlistEntry.watchlist_id) == row.id))
        session.delete(row)
        audit.append(session, "watchlist.removed", "watchlist", row.name,
                     {"sha256": row.sha256, "entries": row.entries})

