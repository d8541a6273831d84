"""Write one production volume into a staging folder, Bates-numbered from a given start.

Layout (inside the production folder)::

    VOL001/DATA/VOL001.dat  VOL001.opt  VOL001.csv   load files (see caseapp.domain.loadfiles)
    VOL001/IMAGES/ACME-000001.pdf                   one Bates-stamped PDF per document
    VOL001/NATIVES/ACME-000001.docx                 the native, named by its first Bates number
    VOL001/TEXT/ACME-000001.txt                     extracted text, UTF-8
    PRIVILEGE_LOG.csv  PRIVILEGE_LOG.pdf            what was withheld, and why
    AUDIT-HEAD.txt                                  the audit chain head (``verify --anchor``)
    SHA256SUMS                                      every file above (``sha256sum -c``)

Each exhibit streams out of the vault once: re-hashed (SHA-256 and MD5) while its native is
written; what the rendition needs is read back from the staged native.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from caseapp.domain import loadfiles
from caseapp.domain.loadfiles import bates_label, windows_path
from caseapp.domain.models import Evidence
from caseapp.domain.progress import Cancel, Cancelled, Progress
from caseapp.pdf import exhibit_media
from caseapp.pdf.content import APPENDIX_IMAGE, APPENDIX_TEXT
from caseapp.pdf.privlog import COLUMNS as PRIVLOG_COLUMNS
from caseapp.pdf.privlog import render_privilege_log
from caseapp.pdf.redact import Redactor
from caseapp.pdf.rendition import KIND_IMAGE, KIND_NATIVE, KIND_TEXT, Document, Stamp, render
from caseapp.security.anchors import anchor_line
from caseapp.security.vault import VaultError
from caseapp.services.casefile import redaction
from caseapp.services.casefile.production import file_sha256, neutralise
from caseapp.services.casefile.redaction import REDACTION_SCOPE
from caseapp.services.casefile.signing import SigningIdentity, sign_into, sign_pdf
from caseapp.services.errors import IntegrityProblem, InvalidInput
from caseapp.services.workspace import Workspace
from caseapp.store.files import fsync_dir

AUDIT_HEAD = "AUDIT-HEAD.txt"
SUMS = "SHA256SUMS"
PRIVLOG = "PRIVILEGE_LOG"
#: Text files up to this size are typeset; larger ones get a slip sheet.
MAX_TEXT_RENDITION = redaction.MAX_TEXT_RENDITION
CANCELLED = "The production was cancelled; nothing was written and no Bates number was used."


@dataclass(frozen=True)
class Withheld:
    """An exhibit kept out of the production, for the privilege log."""

    evidence: Evidence
    reason: str  # the label, e.g. "Attorney-client privilege"
    description: str
    placeholder: str


@dataclass(frozen=True)
class RedactSpec:
    """How one exhibit is produced redacted: the reason's label and the user's description."""

    reason: str
    description: str = ""


@dataclass(frozen=True)
class ProducedDoc:
    """One document of the volume."""

    exhibit: str
    first: int
    last: int
    pages: int
    sha256: str
    md5: str
    image: str  # paths inside the volume, load-file form (backslashes)
    native: str
    text: str
    pdfa: bool = False  # the image PDF is PDF/A-2b
    redactions: int = 0  # passages masked (0: produced as it is)


@dataclass
class VolumeResult:
    """What a staged volume holds."""

    documents: list[ProducedDoc] = field(default_factory=list)
    pages: int = 0
    sums_sha256: str = ""
    files: int = 0


@dataclass(frozen=True)
class VolumeSpec:
    """How to write the volume."""

    prefix: str
    volume: str
    start: int
    endorsement: str
    natives: bool
    audit_head: tuple[int, str]
    title: str  # for the privilege log
    signer: SigningIdentity | None = None
    #: Writes the case file PDF Bates-numbered from the given start (with the given PDF
    #: producer); returns its page count and whether it is PDF/A-2b.
    case_file: Callable[[int, Path, str], tuple[int, bool]] | None = None
    case_ref: str = ""
    #: exhibit -> how it is produced redacted, with the case's redactor
    redact: dict[str, RedactSpec] = field(default_factory=dict)
    redactor: Redactor | None = None


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _suffix(name: str) -> str:
    suffix = PurePath(name).suffix.lower()
    ok = suffix[1:].isascii() and suffix[1:].isalnum() and len(suffix) <= 12
    return suffix if ok else ".bin"


def _stream_native(ws: Workspace, ev: Evidence, dest: Path,
                   cancel: Cancel | None) -> tuple[str, str]:
    sha, md5, size = hashlib.sha256(), hashlib.md5(usedforsecurity=False), 0
    try:
        with open(dest, "wb") as handle:
            for chunk in ws.vault.iter_plaintext(ev.blob_id):
                if cancel is not None and cancel():
                    raise Cancelled(CANCELLED)
                sha.update(chunk)
                md5.update(chunk)
                size += len(chunk)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
    except VaultError as exc:
        raise IntegrityProblem(f"{ev.exhibit} could not be read from the store ({exc}); run "
                               "“caseapp verify”. Nothing was produced.") from None
    if sha.hexdigest() != ev.sha256 or size != ev.size:
        raise IntegrityProblem(f"{ev.exhibit}: the stored copy does not match its recorded "
                               "SHA-256; run “caseapp verify”. Nothing was produced.")
    return sha.hexdigest(), md5.hexdigest()


def _document(ev: Evidence, native: Path) -> tuple[Document, str]:
    """The rendition's input and the extracted text."""
    plan = exhibit_media.plan(ev.media_type, ev.original_name, ev.size)

    def doc(kind: str, data: bytes = b"", reason: str = "") -> Document:
        return Document(kind, exhibit=ev.exhibit, title=ev.title, file_name=ev.original_name,
                        media_type=ev.media_type, sha256=ev.sha256, data=data, reason=reason)

    if plan.kind == APPENDIX_IMAGE:
        return doc(KIND_IMAGE, native.read_bytes()), ""
    if plan.kind == APPENDIX_TEXT and ev.size <= MAX_TEXT_RENDITION:
        from caseapp.pdf.rendition import decode_text

        data = native.read_bytes()
        text = decode_text(data)
        if text is not None:
            return doc(KIND_TEXT, data), text
    text = _pdf_text(native) if ev.media_type == "application/pdf" else ""
    return doc(KIND_NATIVE, reason=plan.note if plan.kind != APPENDIX_TEXT else ""), text


def _redacted_document(spec: VolumeSpec, ev: Evidence, native: Path) -> tuple[Document, str, int]:
    """The redacted rendition's input, its text and the number of passages masked."""
    from caseapp.pdf.rendition import decode_text

    assert spec.redactor is not None
    text = decode_text(native.read_bytes())
    if text is None:
        raise InvalidInput(f"{ev.exhibit} is not UTF-8 text, so it cannot be produced "
                           "redacted; withhold it instead. Nothing was produced.")
    masked, count = spec.redactor.text_counted(text)
    if not count:
        raise InvalidInput(f"{ev.exhibit} holds none of the account numbers, ID numbers or "
                           "tipster details recorded in the case, so there is nothing to "
                           "redact; produce it as it is or withhold it. Nothing was produced.")
    return (Document(KIND_TEXT, exhibit=ev.exhibit, title=spec.redactor.text(ev.title),
                     file_name=spec.redactor.text(ev.original_name),
                     media_type=ev.media_type, sha256="", data=masked.encode("utf-8")),
            masked, count)


def _kind(ev: Evidence) -> str:
    return PurePath(ev.original_name).suffix[1:].upper() or ev.media_type


def _pdf_text(path: Path) -> str:
    try:
        from pypdf import PdfReader

        reader = PdfReader(str(path))
        if reader.is_encrypted:
            return ""
        return "\n\f".join(page.extract_text() or "" for page in reader.pages)
    except Exception:  # noqa: BLE001 - a damaged PDF has no extractable text
        return ""


def write_volume(ws: Workspace, staging: Path, spec: VolumeSpec, exhibits: Sequence[Evidence],
                 withheld: Sequence[Withheld], *, progress: Progress | None = None,
                 cancel: Cancel | None = None) -> VolumeResult:
    """Write everything into ``staging`` (an empty folder); returns what was written."""
    vol = staging / spec.volume
    dirs = {name: vol / name for name in ("DATA", "IMAGES", "NATIVES", "TEXT")}
    for folder in dirs.values():
        folder.mkdir(parents=True)
    work = staging / ".work"
    work.mkdir()
    result = VolumeResult()
    number, dat_rows, opt_docs = spec.start, [], []
    redacted: list[Withheld] = []
    total = len(exhibits)
    producer = _producer(spec)
    for index, ev in enumerate(exhibits):
        if cancel is not None and cancel():
            raise Cancelled(CANCELLED)
        if progress is not None:
            progress(index, total, f"Producing {ev.exhibit}")
        raw = work / "native"
        sha, md5 = _stream_native(ws, ev, raw, cancel)
        masked = 0
        if ev.exhibit in spec.redact:
            doc, text, masked = _redacted_document(spec, ev, raw)
            sha = hashlib.sha256(text.encode("utf-8")).hexdigest()  # never the original's
            md5 = hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()
        else:
            doc, text = _document(ev, raw)
        begin = bates_label(spec.prefix, number)
        image = dirs["IMAGES"] / f"{begin}.pdf"
        rendered = io.BytesIO()
        pages, archival = render(doc, Stamp(spec.prefix, number, spec.endorsement), rendered,
                                 producer=producer)
        with open(image, "wb") as handle:
            if spec.signer is not None:  # signed from memory as it is written
                sign_into(rendered.getvalue(), handle, spec.signer,
                          reason=f"Produced as {begin}")
            else:
                handle.write(rendered.getvalue())
            handle.flush()
            os.fsync(handle.fileno())
        native_name = ""
        if spec.natives and not masked:
            native_name = f"{begin}{_suffix(ev.original_name)}"
            os.replace(raw, dirs["NATIVES"] / native_name)
        else:
            raw.unlink()
        _write(dirs["TEXT"] / f"{begin}.txt", text.encode("utf-8"))
        last = number + pages - 1
        end = bates_label(spec.prefix, last)
        produced = ProducedDoc(
            exhibit=ev.exhibit, first=number, last=last, pages=pages, sha256=sha, md5=md5,
            image=windows_path("IMAGES", image.name),
            native=windows_path("NATIVES", native_name) if native_name else "",
            text=windows_path("TEXT", f"{begin}.txt"), pdfa=archival, redactions=masked)
        result.documents.append(produced)
        if masked:
            how = spec.redact[ev.exhibit]
            redacted.append(Withheld(
                ev, f"{how.reason} (produced redacted)",
                how.description or f"{_kind(ev)} document produced with {masked} "
                f"redaction{'s' if masked != 1 else ''} ({REDACTION_SCOPE}).",
                f"{begin} to {end}"))
        moment = ev.file_mtime or ev.acquired_at or ev.ingested_at
        dat_rows.append({
            "BEGBATES": begin, "ENDBATES": end, "BEGATTACH": begin, "ENDATTACH": end,
            "EXHIBIT": ev.exhibit, "CUSTODIAN": ev.acquired_from, "TITLE": doc.title,
            "FILENAME": doc.file_name, "FILEEXT": PurePath(ev.original_name).suffix[1:],
            "DOCDATE": moment.date().isoformat() if moment else "", "PAGES": pages,
            "SHA256": sha, "MD5": md5, "NATIVELINK": produced.native,
            "TEXTLINK": produced.text, "IMAGELINK": produced.image,
            "CONFIDENTIALITY": spec.endorsement})
        opt_docs.append(([bates_label(spec.prefix, n) for n in range(number, last + 1)],
                         spec.volume, produced.image))
        result.pages += pages
        number = last + 1
    if spec.case_file is not None:  # last, so the exhibits' ranges are known in advance
        number = _case_file_document(spec, dirs, number, result, dat_rows, opt_docs)
    if progress is not None:
        progress(total, total, "Writing the load files")
    work.rmdir()
    _write_load_files(dirs["DATA"], spec.volume, dat_rows, opt_docs)
    _write_privilege_log(staging, spec, [*withheld, *redacted])
    _write(staging / AUDIT_HEAD, (anchor_line(*spec.audit_head) + "\n").encode("ascii"))
    result.sums_sha256, result.files = _write_sums(staging)
    for folder in (*dirs.values(), vol, staging):
        fsync_dir(folder)
    return result


CASE_FILE = "CASE-FILE"


def _producer(spec: VolumeSpec) -> str:
    """The PDF producer entry: pyHanko's own when the PDFs get signed (it then leaves Info
    and XMP equal), else caseapp's."""
    if spec.signer is not None:
        from caseapp.pdf.pdfa import signing_producer

        return signing_producer()
    from caseapp import __version__

    return f"caseapp {__version__}"


def _case_file_document(spec: VolumeSpec, dirs: dict[str, Path], number: int,
                        result: VolumeResult, dat_rows: list[dict[str, object]],
                        opt_docs: list[tuple[list[str], str, str]]) -> int:
    """The case file itself as the volume's last document; returns the next number."""
    assert spec.case_file is not None
    begin = bates_label(spec.prefix, number)
    image = dirs["IMAGES"] / f"{begin}.pdf"
    pages, archival = spec.case_file(number, image, _producer(spec))
    if spec.signer is not None:
        sign_pdf(image, spec.signer, reason=f"Produced as {begin}")
    text = _pdf_text(image)
    _write(dirs["TEXT"] / f"{begin}.txt", text.encode("utf-8"))
    last = number + pages - 1
    sha = file_sha256(image)
    md5 = hashlib.md5(image.read_bytes(), usedforsecurity=False).hexdigest()
    doc = ProducedDoc(exhibit=CASE_FILE, first=number, last=last, pages=pages, sha256=sha,
                      md5=md5, image=windows_path("IMAGES", image.name), native="",
                      text=windows_path("TEXT", f"{begin}.txt"), pdfa=archival)
    result.documents.append(doc)
    result.pages += pages
    end = bates_label(spec.prefix, last)
    dat_rows.append({
        "BEGBATES": begin, "ENDBATES": end, "BEGATTACH": begin, "ENDATTACH": end,
        "EXHIBIT": CASE_FILE, "TITLE": f"Case file {spec.case_ref}",
        "FILENAME": f"{spec.case_ref} case file.pdf", "FILEEXT": "pdf", "PAGES": pages,
        "SHA256": sha, "MD5": md5, "TEXTLINK": doc.text, "IMAGELINK": doc.image,
        "CONFIDENTIALITY": spec.endorsement})
    opt_docs.append(([bates_label(spec.prefix, n) for n in range(number, last + 1)],
                     spec.volume, doc.image))
    return last + 1


def _write_load_files(data: Path, volume: str, rows: list[dict[str, object]],
                      opt_docs: list[tuple[list[str], str, str]]) -> None:
    _write(data / f"{volume}.dat", loadfiles.dat_text(rows).encode("utf-8"))
    _write(data / f"{volume}.opt", loadfiles.opt_text(opt_docs).encode("ascii"))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(loadfiles.DAT_FIELDS)
    for row in rows:
        writer.writerow([neutralise(row.get(f, "")) for f in loadfiles.DAT_FIELDS])
    _write(data / f"{volume}.csv", buffer.getvalue().encode("utf-8-sig"))


def privilege_rows(withheld: Sequence[Withheld]) -> list[list[str]]:
    """The privilege log's rows (columns as :data:`caseapp.pdf.privlog.COLUMNS`)."""
    rows = []
    for w in withheld:
        ev = w.evidence
        moment = ev.file_mtime or ev.acquired_at or ev.ingested_at
        kind = _kind(ev)
        rows.append([w.placeholder, ev.exhibit, moment.date().isoformat() if moment else "",
                     ev.acquired_from or ev.acquired_by, kind, w.reason,
                     w.description or f"{kind} document withheld: {w.reason.lower()}."])
    return rows


def _write_privilege_log(staging: Path, spec: VolumeSpec, withheld: Sequence[Withheld]) -> None:
    rows = privilege_rows(withheld)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(PRIVLOG_COLUMNS)
    writer.writerows([[neutralise(v) for v in row] for row in rows])
    _write(staging / f"{PRIVLOG}.csv", buffer.getvalue().encode("utf-8-sig"))
    with open(staging / f"{PRIVLOG}.pdf", "wb") as handle:
        render_privilege_log(rows, title=spec.title, endorsement=spec.endorsement, out=handle)
        handle.flush()
        os.fsync(handle.fileno())


def _write_sums(staging: Path) -> tuple[str, int]:
    files = sorted(p for p in staging.rglob("*") if p.is_file())
    text = "".join(f"{file_sha256(p)}  {p.relative_to(staging).as_posix()}\n" for p in files)
    data = text.encode("utf-8")
    _write(staging / SUMS, data)
    return hashlib.sha256(data).hexdigest(), len(files) + 1
