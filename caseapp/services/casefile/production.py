"""The production folder written next to a case-file PDF: the PDF, the native files, a
manifest CSV and a ``SHA256SUMS`` file that ``sha256sum -c`` accepts.

The folder is assembled in a staging directory (natives are streamed there while the
exhibits are re-hashed); :func:`publish` renames it into place in one step.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from caseapp.pdf.options import ExportOptions
from caseapp.store.files import fsync_dir

MANIFEST = "manifest.csv"
SUMS = "SHA256SUMS"
AUDIT_HEAD = "AUDIT-HEAD.txt"
NATIVES = "natives"
MANIFEST_COLUMNS = ["exhibit", "title", "original_file_name", "media_type", "size", "sha256",
                    "bates_begin", "bates_end", "pages", "native_file", "status"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def rewrite(path: Path, write: Callable[[BinaryIO], None], *, suffix: str) -> None:
    """Replace ``path`` with what ``write`` writes: into ``path`` + ``suffix``, fsynced, then
    renamed over it (the temp file goes whatever happens)."""
    tmp = path.with_name(path.name + suffix)
    try:
        with open(tmp, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def neutralise(cell: object) -> str:
    """A CSV cell that spreadsheets will not run as a formula (``'`` prefix)."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(_FORMULA_START) else text


@dataclass(frozen=True)
class ManifestRow:
    """One exhibit's line of the manifest."""

    exhibit: str
    title: str
    original_name: str
    media_type: str
    size: int
    sha256: str
    pages: tuple[int, int] | None
    native_file: str | None  # path inside the package, None when not included
    status: str


@dataclass(frozen=True)
class PackageFile:
    """A file of the package and its SHA-256 (as listed in SHA256SUMS)."""

    name: str
    sha256: str


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def manifest_csv(rows: list[ManifestRow], options: ExportOptions) -> bytes:
    """The manifest as UTF-8 CSV (with BOM, so spreadsheet programs read it as UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(MANIFEST_COLUMNS)
    for r in rows:
        first, last = r.pages if r.pages else (None, None)
        writer.writerow([neutralise(v) for v in (
            r.exhibit, r.title, r.original_name, r.media_type, r.size, r.sha256,
            options.bates(first) if first else "", options.bates(last) if last else "",
            (last - first + 1) if first and last else "", r.native_file or "", r.status)])
    return buffer.getvalue().encode("utf-8-sig")


def finish(staging: Path, pdf: Path, pdf_name: str, pdf_sha256: str, rows: list[ManifestRow],
           options: ExportOptions, audit_head: str = "") -> list[PackageFile]:
    """Copy the PDF in, write the manifest, ``AUDIT-HEAD.txt`` (``audit_head``, the anchor
    line, when given) and SHA256SUMS; returns the files listed there.

    Natives must already be in ``staging`` under their ``native_file`` names, verified.
    """
    shutil.copyfile(pdf, staging / pdf_name)
    if file_sha256(staging / pdf_name) != pdf_sha256:
        raise OSError("the copy of the PDF in the package does not match the PDF")
    manifest = manifest_csv(rows, options)
    _write(staging / MANIFEST, manifest)
    files = [PackageFile(pdf_name, pdf_sha256),
             PackageFile(MANIFEST, hashlib.sha256(manifest).hexdigest())]
    files += [PackageFile(r.native_file, r.sha256) for r in rows if r.native_file]
    if audit_head:
        head = (audit_head + "\n").encode("ascii")
        _write(staging / AUDIT_HEAD, head)
        files.append(PackageFile(AUDIT_HEAD, hashlib.sha256(head).hexdigest()))
    sums = "".join(f"{f.sha256}  {f.name}\n" for f in files)
    _write(staging / SUMS, sums.encode("utf-8"))
    for folder in (staging / NATIVES, staging):
        if folder.is_dir():
            fsync_dir(folder)
    return files


def publish(staging: Path, target: Path) -> None:
    """Move the staged folder to ``target`` (absent or an empty folder) in one rename."""
    if target.is_dir() and not any(target.iterdir()):
        target.rmdir()
    os.replace(staging, target)
    fsync_dir(target.parent)
