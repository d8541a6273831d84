"""Use cases for evidence: ingest into the vault, custody, withdraw, open, export, verify."""

from __future__ import annotations

import json
import mimetypes
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, func, select

from caseapp import faults
from caseapp.domain.enums import CustodyAction
from caseapp.domain.models import Case, CustodyEvent, Evidence, utcnow
from caseapp.domain.progress import Cancel, Cancelled, Progress
from caseapp.domain.text import (
    clean_line,
    clean_text,
    file_name_text,
    hidden_controls,
    parse_exhibit,
)
from caseapp.security import audit
from caseapp.security.vault import (
    BlobCorrupt,
    BlobMissing,
    IngestResult,
    VaultError,
)
from caseapp.services.cases.cases import get_case_in, touch
from caseapp.services.errors import CaseappError, Conflict, DiskFull, InvalidInput, NotFound
from caseapp.services.evidence import case_keys
from caseapp.services.workspace import Workspace


class IngestFailed(CaseappError):
    """A file could not be ingested; nothing was stored."""


class DuplicateExhibit(Conflict):
    """The same content is already an exhibit of this case."""

    def __init__(self, exhibit: str) -> None:
        super().__init__(f"Identical content is already exhibit {exhibit}.")
        self.exhibit = exhibit


@dataclass(frozen=True)
class Acquisition:
    """Where an exhibit came from, as the investigator states it."""

    acquired_by: str = ""
    acquired_from: str = ""
    method: str = ""
    acquired_at: datetime | None = None


def current_user() -> str:
    """The OS user recorded as the actor (and default 'acquired by') of custody events."""
    return audit.current_actor()


def record_custody(session: Session, evidence: Evidence, action: CustodyAction,
                   detail: dict[str, Any] | None = None, sha256: str = "",
                   at: datetime | None = None) -> CustodyEvent:
    """Append a custody event for ``evidence`` in the caller's transaction."""
    event = CustodyEvent(evidence_id=evidence.id or 0, at=at or utcnow(),
                         actor=audit.current_actor(), action=action.value,
                         sha256=sha256, detail=json.dumps(detail or {}, ensure_ascii=False))
    session.add(event)
    return event


def vault_ingest(ws: Workspace, path: Path, progress: Progress | None = None,
                 cancel: Cancel | None = None, key: bytes | None = None) -> IngestResult:
    """Hash and encrypt one file into the vault (no database change); ``key``: a team
    case's data key (default: the home's vault key)."""
    try:
        return ws.vault.ingest(path, progress=progress, cancel=cancel, key=key)
    except VaultError as exc:
        raise IngestFailed(str(exc)) from None


def _media_type(name: str) -> str:
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed or "application/octet-stream"


def ingest_file(ws: Workspace, case_ref: str, path: Path, *, title: str | None = None,
                description: str = "", acquisition: Acquisition | None = None,
                progress: Progress | None = None, cancel: Cancel | None = None) -> Evidence:
    """Ingest one file as the next exhibit of a case.

    Raises DuplicateExhibit when the same content is already an exhibit of the case,
    IngestFailed/Cancelled when nothing could be stored.
    """
    path = Path(path)
    with ws.session() as session:  # fail fast on an unknown case before reading the file
        get_case_in(session, case_ref)
    attempt = 0
    while True:  # sealed again when a member's removal rotated the case key meanwhile
        attempt += 1
        key, version = case_keys.ingest_key(ws, case_ref)  # a team case's current data key
        result = vault_ingest(ws, path, progress, cancel, key)
        try:
            recorded = _record_ingest(ws, case_ref, path, result, title, description,
                                      acquisition or Acquisition(), version)
        except KeyRotated:
            ws.vault.discard(result.blob_id)
            if attempt < _KEY_ATTEMPTS:
                continue
            raise
        except BaseException:
            ws.vault.discard(result.blob_id)
            raise
        break
    faults.step("evidence.recorded")
    _index_text_now(ws)
    return recorded


def record_ingested(ws: Workspace, case_ref: str, path: Path, result: IngestResult, *,
                    title: str | None = None, description: str = "",
                    acquisition: Acquisition | None = None,
                    key_version: int | None = None) -> Evidence:
    """Record a file already hashed and encrypted by :func:`vault_ingest` as the next exhibit
    (custody and audit included). Inside ``ws.unit_of_work()`` it joins the unit, so an import
    can make the exhibit and what it derived from it one transaction. The caller discards the
    blob if this (or its unit) fails. Raises DuplicateExhibit like :func:`ingest_file`, and
    KeyRotated when ``key_version`` (the case key it was sealed under) is no longer current."""
    return _record_ingest(ws, case_ref, Path(path), result, title, description,
                          acquisition or Acquisition(), key_version)


def _index_text_now(ws: Workspace) -> None:
    """Index a new text exhibit's content now rather than at the next search."""
    from caseapp.services.discovery.search import index_pending

    try:
        index_pending(ws)
    except Exception:  # noqa: BLE001 - the exhibit stays queued; search() indexes it later
        return


#: How often :func:`ingest_file` seals a file again when the case key rotated meanwhile.
_KEY_ATTEMPTS = 3


class KeyRotated(Conflict):
    """The case key rotated (a member was removed) after the file was sealed."""


def _record_ingest(ws: Workspace, case_ref: str, path: Path, result: IngestResult,
                   title: str | None, description: str, acq: Acquisition,
                   key_version: int | None = None) -> Evidence:
    name = file_name_text(path.name)
    now = utcnow()
    with ws.transaction() as session:
        case = get_case_in(session, case_ref)
        if key_version is not None:  # inside the lock: still the case's current key?
            state = case_keys.case_state(session, case)
            if state is None or state.current != key_version:
                raise KeyRotated(f"The case key of {case.ref} changed while the file was "
                                 "being sealed; add it again.")
        existing = session.exec(select(Evidence).where(
            Evidence.case_id == case.id, Evidence.sha256 == result.sha256)).first()
        if existing is not None:
            raise DuplicateExhibit(existing.exhibit)
        number = (session.exec(select(func.max(Evidence.number))
                               .where(Evidence.case_id == case.id)).one() or 0) + 1
        mtime = (datetime.fromtimestamp(result.src_mtime_ns / 1e9, UTC)
                 if result.src_mtime_ns else None)
        evidence = Evidence(
            case_id=case.id, number=number, title=clean_line(title or name) or "(untitled)",
            description=clean_text(description), original_name=name,
            original_path=file_name_text(str(path.resolve()) if path.exists() else str(path)),
            size=result.size, media_type=_media_type(name), sha256=result.sha256,
            blob_id=result.blob_id, acquired_at=acq.acquired_at or now,
            acquired_by=clean_line(acq.acquired_by) or audit.current_actor(),
            acquired_from=clean_line(acq.acquired_from), acquisition_method=clean_line(acq.method),
            file_mtime=mtime, ingested_at=now, ingested_by=audit.current_actor())
        session.add(evidence)
        session.flush()
        record_custody(session, evidence, CustodyAction.ACQUIRED, {
            "by": evidence.acquired_by, "from": evidence.acquired_from,
            "method": evidence.acquisition_method, "original_path": evidence.original_path,
            "file_mtime": mtime.isoformat() if mtime else None,
            "file_ctime_ns": result.src_ctime_ns}, at=evidence.acquired_at)
        record_custody(session, evidence, CustodyAction.INGESTED,
                       {"size": result.size, "blob": result.blob_id}, sha256=result.sha256,
                       at=now)
        touch(case, now)
        session.add(case)
        audit.append(session, "evidence.ingested", "evidence", evidence.id, {
            "case": case.ref, "exhibit": evidence.exhibit, "sha256": result.sha256,
            "size": result.size, "name": name})
        faults.step("evidence.before-commit")
        return evidence


@dataclass(frozen=True)
class IngestOutcome:
    """Result for one path of a batch, in the contract's JSON shape."""

    path: str
    evidence: Evidence | None = None
    duplicate_of: str | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        if self.evidence is not None:
            ev = self.evidence
            return {"path": self.path, "exhibit": ev.exhibit, "id": ev.id, "sha256": ev.sha256,
                    "size": ev.size, "name": ev.original_name, "title": ev.title,
                    "media_type": ev.media_type,
                    "hidden_characters": hidden_controls(ev.original_name)}
        if self.duplicate_of is not None:
            return {"path": self.path, "duplicate_of": self.duplicate_of}
        return {"path": self.path, "error": self.error}


def hidden_name_characters(evidence: Evidence) -> list[str]:
    """Hidden bidi or zero-width characters (``U+XXXX``) in the exhibit's file name or title:
    the name may not read as what it is (``rtl`` U+202E ``gpj.exe`` shows as ``rtlexe.jpg``)."""
    return sorted(set(hidden_controls(evidence.original_name))
                  | set(hidden_controls(evidence.title)))


def ingest_files(ws: Workspace, case_ref: str, paths: Sequence[Path], *,
                 acquisition: Acquisition | None = None,
                 progress: Progress | None = None,
                 cancel: Cancel | None = None) -> list[IngestOutcome]:
    """Ingest several files; one failure does not stop the others. Cancel stops the batch.

    ``progress`` gets each file's bytes done/total with the stage "File i of n: name".
    """
    outcomes: list[IngestOutcome] = []
    count = len(paths)
    for index, path in enumerate(paths):
        stage = f"Hashing and encrypting file {index + 1} of {count}: {Path(path).name}"

        def file_progress(done: int, total: int, _stage: str = "", _s: str = stage) -> None:
            if progress:
                progress(done, total, _s)
        try:
            ev = ingest_file(ws, case_ref, Path(path), acquisition=acquisition,
                             progress=file_progress, cancel=cancel)
            outcomes.append(IngestOutcome(str(path), evidence=ev))
        except DuplicateExhibit as dup:
            outcomes.append(IngestOutcome(str(path), duplicate_of=dup.exhibit))
        except Cancelled:
            outcomes.append(IngestOutcome(str(path), error="cancelled"))
            break
        except (IngestFailed, InvalidInput) as exc:
            outcomes.append(IngestOutcome(str(path), error=str(exc)))
    return outcomes


def _exhibit(session: Session, case_ref: str, exhibit: str) -> tuple[Case, Evidence]:
    case = get_case_in(session, case_ref)
    try:
        number = parse_exhibit(exhibit)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    evidence = session.exec(select(Evidence).where(Evidence.case_id == case.id,
                                                   Evidence.number == number)).first()
    if evidence is None:
        raise NotFound(f"{case.ref} has no exhibit {exhibit}.")
    return case, evidence


def list_evidence(ws: Workspace, case_ref: str) -> list[Evidence]:
    """Exhibits of a case by number, withdrawn ones included (they carry withdrawn_at)."""
    with ws.session() as session:
        case = get_case_in(session, case_ref)
        return list(session.exec(select(Evidence).where(Evidence.case_id == case.id)
                                 .order_by(col(Evidence.number))).all())


def get_exhibit(ws: Workspace, case_ref: str, exhibit: str) -> Evidence:
    with ws.session() as session:
        return _exhibit(session, case_ref, exhibit)[1]


def custody_log(ws: Workspace, evidence_id: int) -> list[CustodyEvent]:
    """Custody events of one exhibit, oldest first."""
    with ws.session() as session:
        return list(session.exec(select(CustodyEvent)
                                 .where(CustodyEvent.evidence_id == evidence_id)
                                 .order_by(col(CustodyEvent.at), col(CustodyEvent.id))).all())


def withdraw(ws: Workspace, case_ref: str, exhibit: str, reason: str) -> Evidence:
    """Withdraw an exhibit: it stays in the vault and the record, marked with who/when/why."""
    reason = clean_text(reason)
    if not reason:
        raise InvalidInput("Say why the exhibit is withdrawn.")
    with ws.transaction() as session:
        case, evidence = _exhibit(session, case_ref, exhibit)
        if evidence.withdrawn_at is not None:
            raise Conflict(f"{evidence.exhibit} was already withdrawn.")
        now = utcnow()
        evidence.withdrawn_at, evidence.withdrawn_by = now, audit.current_actor()
        evidence.withdrawn_reason = reason
        session.add(evidence)
        record_custody(session, evidence, CustodyAction.WITHDRAWN, {"reason": reason}, at=now)
        touch(case, now)
        session.add(case)
        audit.append(session, "evidence.withdrawn", "evidence", evidence.id,
                     {"case": case.ref, "exhibit": evidence.exhibit, "reason": reason})
        return evidence


_SAFE_NAME = re.compile(r"[^\w.\- ]+", re.UNICODE)


_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)", re.IGNORECASE)


def safe_file_name(name: str, fallback: str) -> str:
    """A file name safe on every OS, keeping letters of any script."""
    cleaned = _SAFE_NAME.sub("_", name).strip(" .")[:120].strip(" .")
    if _WINDOWS_RESERVED.match(cleaned):
        cleaned = "_" + cleaned  # "CON.txt" cannot be created on Windows
    return cleaned or fallback


def _decrypt(ws: Workspace, evidence: Evidence, dest: Path, progress: Progress | None,
             cancel: Cancel | None) -> str:
    try:
        sha = ws.vault.decrypt_to(evidence.blob_id, dest, progress=progress, cancel=cancel)
    except (BlobMissing, BlobCorrupt) as exc:
        raise CaseappError(f"{evidence.exhibit} cannot be decrypted: {exc}") from None
    except VaultError as exc:
        raise (DiskFull if exc.no_room else CaseappError)(str(exc)) from None
    if sha != evidence.sha256:
        dest.unlink(missing_ok=True)
        raise CaseappError(f"{evidence.exhibit}: the decrypted content does not match its "
                           "recorded SHA-256; run verify.")
    return sha


def open_exhibit(ws: Workspace, case_ref: str, exhibit: str) -> Path:
    """Decrypt an exhibit into the private 'open' folder for an external viewer."""
    with ws.session() as session:
        case, evidence = _exhibit(session, case_ref, exhibit)
    folder = ws.open_dir / uuid.uuid4().hex[:12]
    folder.mkdir(mode=0o700)
    dest = folder / safe_file_name(evidence.original_name, f"{evidence.exhibit}.bin")
    _decrypt(ws, evidence, dest, None, None)
    with ws.transaction() as session:
        evidence = session.merge(evidence)
        record_custody(session, evidence, CustodyAction.OPENED, {"viewer": "external"},
                       sha256=evidence.sha256)
        audit.append(session, "evidence.opened", "evidence", evidence.id,
                     {"case": case.ref, "exhibit": evidence.exhibit})
    return dest


def export_original(ws: Workspace, case_ref: str, exhibit: str, dest: Path, *,
                    progress: Progress | None = None, cancel: Cancel | None = None,
                    purpose: str = "") -> Path:
    """Write the exhibit's original bytes to ``dest`` (atomically) and record custody."""
    dest = Path(dest)
    with ws.session() as session:
        case, evidence = _exhibit(session, case_ref, exhibit)
    if dest.is_dir():
        dest = dest / safe_file_name(evidence.original_name, f"{evidence.exhibit}.bin")
    sha = _decrypt(ws, evidence, dest, progress, cancel)
    with ws.transaction() as session:
        evidence = session.merge(evidence)
        record_custody(session, evidence, CustodyAction.EXPORTED,
                       {"to": str(dest), "purpose": clean_line(purpose)}, sha256=sha)
        audit.append(session, "evidence.exported", "evidence", evidence.id,
                     {"case": case.ref, "exhibit": evidence.exhibit, "to": str(dest)})
    return dest


@dataclass(frozen=True)
class ExhibitCheck:
    exhibit: str
    ok: bool
    detail: str


def verify_exhibit(ws: Workspace, case_ref: str, exhibit: str) -> ExhibitCheck:
    """Re-hash one exhibit from the vault and record the result in its custody log."""
    with ws.session() as session:
        case, evidence = _exhibit(session, case_ref, exhibit)
    try:
        sha, size = ws.vault.verify(evidence.blob_id)
        ok = sha == evidence.sha256 and size == evidence.size
        detail = "SHA-256 matches" if ok else "SHA-256 does not match the recorded value"
    except (BlobMissing, BlobCorrupt) as exc:
        sha, ok, detail = "", False, str(exc)
    with ws.transaction() as session:
        evidence = session.merge(evidence)
        record_custody(session, evidence, CustodyAction.VERIFIED, {"ok": ok, "detail": detail},
                       sha256=sha)
        audit.append(session, "evidence.verified", "evidence", evidence.id,
                     {"case": case.ref, "exhibit": evidence.exhibit, "ok": ok})
    return ExhibitCheck(evidence.exhibit, ok, detail)
