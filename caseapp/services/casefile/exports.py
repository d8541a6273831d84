"""Use case: export a case as a PDF case file (and optionally a production package).

:func:`export_case_file` is what the CLI and the UI's worker thread call. It gathers the case
through the services, re-hashes every exhibit from the vault, builds the PDF into a temp file
beside the target, optionally encrypts it (AES-256), then in one transaction records the
export in the case's history, adds an ``exported-in-pdf`` custody event to every exhibit
(and ``exported`` for each native in a package), appends an audit entry with the PDF's
SHA-256, and renames the file (and package folder) into place. If anything fails or the
user cancels, nothing appears at the target path and nothing is recorded.

Thread use: pass ``progress(done, total, stage)`` and ``cancel() -> bool``; the function
opens its own sessions, so a worker thread may call it with the UI's Workspace.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from caseapp import faults
from caseapp.domain.enums import CustodyAction
from caseapp.domain.models import Evidence, ExportRecord, utcnow
from caseapp.domain.progress import Cancel, Progress, check_cancel
from caseapp.pdf.case_file import BuildResult, build_case_file
from caseapp.pdf.content import ExhibitEntry
from caseapp.pdf.options import (
    DEFAULT_CLASSIFICATION,
    SECTIONS,
    SUGGESTED_PRIVILEGE_LEGEND,
    ExportOptions,
    OptionsError,
)
from caseapp.security import anchors, audit
from caseapp.services.casefile import production as pkg
from caseapp.services.casefile.content import Natives, gather
from caseapp.services.casefile.signing import SigningIdentity, sign_pdf
from caseapp.services.cases.cases import get_case_in
from caseapp.services.errors import Conflict, InvalidInput, write_failed
from caseapp.services.evidence.evidence import record_custody, safe_file_name
from caseapp.services.workspace import Workspace
from caseapp.store.files import fsync_dir, sha256_file

__all__ = ["DEFAULT_CLASSIFICATION", "SECTIONS", "SUGGESTED_PRIVILEGE_LEGEND", "ExportOptions",
           "ExportResult", "export_case_file", "export_history", "exported_file_sha256"]


def exported_file_sha256(path: Path, *, progress: Progress | None = None,
                         cancel: Callable[[], bool] | None = None) -> str | None:
    """Re-hash an exported file on disk (to compare with its export record); None if cancelled.

    Raises InvalidInput when the file is gone or unreadable.
    """
    try:
        return sha256_file(Path(path), progress=progress, cancel=cancel)
    except OSError as exc:
        raise InvalidInput(f"{Path(path).name} cannot be read: {exc.strerror or exc}") from None


@dataclass(frozen=True)
class ExportResult:
    """Outcome of one export."""

    path: Path
    sha256: str
    pages: int
    bates_first: str
    bates_last: str
    package: Path | None
    record_id: int
    exhibit_pages: dict[str, tuple[int, int]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The ``export --json`` contract shape."""
        return {"path": str(self.path), "sha256": self.sha256, "pages": self.pages,
                "bates_first": self.bates_first, "bates_last": self.bates_last,
                "package": str(self.package) if self.package else None}


def export_history(ws: Workspace, case_ref: str) -> list[ExportRecord]:
    """Earlier exports of a case, newest first (recipient, options, pages, Bates, hash)."""
    with ws.session() as session:
        case = get_case_in(session, case_ref)
        return list(session.exec(select(ExportRecord).where(ExportRecord.case_id == case.id)
                                 .order_by(col(ExportRecord.id).desc())).all())


def export_case_file(ws: Workspace, case_ref: str, out: Path | str,
                     options: ExportOptions | None = None, *,
                     progress: Progress | None = None, cancel: Cancel | None = None,
                     now: datetime | None = None,
                     signer: SigningIdentity | None = None) -> ExportResult:
    """Write the case file PDF to ``out`` (atomically) and record the export.

    ``signer``: sign the PDF (PAdES B-B, pyHanko) before it is hashed; not with a password.

    Raises InvalidInput (bad options or paths), Conflict (package folder not empty),
    NotFound (no such case), IntegrityProblem (an exhibit does not verify), Cancelled.
    """
    with ws.session() as session:
        case = get_case_in(session, case_ref)
    try:
        opts = (options or ExportOptions()).validated(case.ref)
    except OptionsError as exc:
        raise InvalidInput(str(exc)) from None
    if signer is not None and opts.password is not None:
        raise InvalidInput("A signed case file cannot also have an open password here; "
                           "sign it, or protect it with a password.")
    target, package_dir = _check_paths(Path(out), opts.package_dir)
    opts = opts if package_dir is None else _with_package(opts, package_dir)
    if signer is not None:  # named on the export record page
        from dataclasses import replace

        opts = replace(opts, signed_by=signer.describe())
    moment = now or utcnow()
    tz: tzinfo = (ZoneInfo(opts.timezone) if opts.timezone
                  else datetime.now().astimezone().tzinfo or UTC)
    staging: Path | None = None
    tmp_pdf: Path | None = None
    try:
        natives = None
        if package_dir is not None:
            staging = Path(tempfile.mkdtemp(prefix=f".{package_dir.name}.", suffix=".part",
                                            dir=package_dir.parent))
            natives = _natives(ws, case.ref, staging)
        content = gather(ws, case.ref, opts, now=moment, tz=tz, natives=natives,
                         progress=progress, cancel=cancel)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                    dir=target.parent)
        tmp_pdf = Path(name)
        with os.fdopen(fd, "wb") as handle:
            result = build_case_file(content, opts, handle, progress=progress, cancel=cancel,
                                     producer=_signing_producer() if signer else None)
            handle.flush()
            os.fsync(handle.fileno())
        faults.step("export.built")
        if opts.password is not None:
            _step(progress, cancel, "Encrypting the PDF")
            _encrypt(tmp_pdf, opts.password)
        if signer is not None:
            _step(progress, cancel, "Signing the PDF")
            sign_pdf(tmp_pdf, signer, reason=f"Case file of {case.ref}")
        sha256 = pkg.file_sha256(tmp_pdf)
        if staging is not None and natives is not None:
            _step(progress, cancel, "Writing the production package")
            rows = _manifest_rows(content.exhibits, natives, result)
            head = content.info
            pkg.finish(staging, tmp_pdf, target.name, sha256, rows, opts,
                       audit_head=anchors.anchor_line(head.audit_head_id, head.audit_head_hash)
                       if head.audit_head_id else "")
            faults.step("export.staged")
        _step(progress, cancel, "Recording the export")
        record_id = _record(ws, case.ref, target, package_dir, staging, tmp_pdf, opts, result,
                            sha256, natives, moment)
        tmp_pdf = staging = None  # published
        if content.info.audit_head_id:  # the head this file carries, kept outside the store too
            with contextlib.suppress(OSError):  # the PDF itself carries it; not worth failing
                anchors.append_to_log(ws.home, content.info.audit_head_id,
                                      content.info.audit_head_hash, "export")
    except OSError as exc:
        raise write_failed("The case file", exc) from None
    finally:
        if tmp_pdf is not None:
            with contextlib.suppress(OSError):
                tmp_pdf.unlink()
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return ExportResult(path=target, sha256=sha256, pages=result.pages,
                        bates_first=result.bates_first, bates_last=result.bates_last,
                        package=package_dir, record_id=record_id,
                        exhibit_pages=result.exhibit_pages)


def _signing_producer() -> str:
    from caseapp.pdf.pdfa import signing_producer

    return signing_producer()


def _with_package(opts: ExportOptions, package_dir: Path) -> ExportOptions:
    from dataclasses import replace

    return replace(opts, package_dir=package_dir)


def _step(progress: Progress | None, cancel: Cancel | None, stage: str) -> None:
    check_cancel(cancel, "The export was cancelled; no file was written.")
    if progress is not None:
        progress(0, 1, stage)


def _check_paths(out: Path, package_dir: Path | None) -> tuple[Path, Path | None]:
    target = out.expanduser().absolute()
    if target.is_dir():
        raise InvalidInput(f"{target} is a folder; give the PDF's file name.")
    if not target.parent.is_dir():
        raise InvalidInput(f"The folder {target.parent} does not exist.")
    if package_dir is None:
        return target, None
    folder = package_dir.expanduser().absolute()
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise Conflict(f"{folder} exists and is not an empty folder; a production package "
                       "goes into a new or empty folder.")
    if not folder.parent.is_dir():
        raise InvalidInput(f"The folder {folder.parent} does not exist.")
    if target.parent == folder or folder in target.parents:
        raise InvalidInput("Write the PDF outside the package folder; the package gets its "
                           "own copy of it.")
    return target, folder


def _natives(ws: Workspace, case_ref: str, staging: Path) -> Natives:
    folder = staging / pkg.NATIVES
    folder.mkdir()
    with ws.session() as session:
        case = get_case_in(session, case_ref)
        exhibits = session.exec(select(Evidence).where(Evidence.case_id == case.id,
                                                       col(Evidence.withdrawn_at).is_(None))
                                .order_by(col(Evidence.number))).all()
    names = {e.exhibit: f"{e.exhibit}_{safe_file_name(e.original_name, 'file.bin')}"
             for e in exhibits}
    return Natives(folder, names)


def _manifest_rows(exhibits: Sequence[ExhibitEntry], natives: Natives,
                   result: BuildResult) -> list[pkg.ManifestRow]:
    rows = []
    for e in exhibits:
        ev = e.evidence
        name = natives.names.get(e.exhibit)
        rows.append(pkg.ManifestRow(
            exhibit=e.exhibit, title=ev.title, original_name=ev.original_name,
            media_type=ev.media_type, size=ev.size, sha256=ev.sha256,
            pages=result.exhibit_pages.get(e.exhibit),
            native_file=f"{pkg.NATIVES}/{name}" if name else None,
            status="withdrawn" if e.withdrawn else "produced"))
    return rows


def _encrypt(path: Path, password: str) -> None:
    """Re-write ``path`` encrypted with an AES-256 open password (pypdf)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(path))
    writer.encrypt(user_password=password, owner_password=None, algorithm="AES-256")

    def write(handle: BinaryIO) -> None:
        writer.write(handle)

    pkg.rewrite(path, write, suffix=".enc")


def _record(ws: Workspace, case_ref: str, target: Path, package_dir: Path | None,
            staging: Path | None, tmp_pdf: Path, opts: ExportOptions, result: BuildResult,
            sha256: str, natives: Natives | None, moment: datetime) -> int:
    """Record history, custody and audit, and publish the files, in one transaction."""
    options = opts.to_record()
    published: list[Path] = []
    try:
        with ws.transaction() as session:
            case = get_case_in(session, case_ref)
            record = ExportRecord(
                case_id=case.id or 0, created_at=moment, actor=audit.current_actor(),
                recipient=opts.prepared_for, options=json.dumps(options, ensure_ascii=False),
                pages=result.pages, bates_first=result.bates_first,
                bates_last=result.bates_last, sha256=sha256, path=str(target),
                package_dir=str(package_dir) if package_dir else None)
            session.add(record)
            session.flush()
            exhibits = session.exec(select(Evidence).where(Evidence.case_id == case.id)
                                    .order_by(col(Evidence.number))).all()
            for ev in exhibits:
                pages = result.exhibit_pages.get(ev.exhibit)
                record_custody(session, ev, CustodyAction.EXPORTED_IN_PDF, {
                    "export": record.id, "pdf": str(target), "pdf_sha256": sha256,
                    "recipient": opts.prepared_for,
                    "bates": (f"{opts.bates(pages[0])} to {opts.bates(pages[1])}"
                              if pages else None)}, sha256=ev.sha256, at=moment)
                if natives is not None and ev.exhibit in natives.names:
                    record_custody(session, ev, CustodyAction.EXPORTED, {
                        "to": str(package_dir / pkg.NATIVES / natives.names[ev.exhibit])
                        if package_dir else None,
                        "purpose": "production package", "export": record.id},
                        sha256=ev.sha256, at=moment)
            audit.append(session, "case.exported", "case", case.ref, {
                "export": record.id, "path": str(target), "sha256": sha256,
                "pages": result.pages, "bates_first": result.bates_first,
                "bates_last": result.bates_last, "recipient": opts.prepared_for,
                "package": str(package_dir) if package_dir else None,
                "natives": len(natives.names) if natives else 0, "pdfa": result.pdfa,
                "options": options})
            session.flush()
            if staging is not None and package_dir is not None:
                pkg.publish(staging, package_dir)
                published.append(package_dir)
            os.replace(tmp_pdf, target)
            published.append(target)
            fsync_dir(target.parent)
            faults.step("export.published")
            return record.id or 0
    except BaseException:
        for path in reversed(published):  # the record was not kept: take the files back
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    path.unlink()
        raise
