"""Use case: share a case as STIX 2.1, MISP, a link chart or a referral pack.

Each share is an export of the case: the case file's redaction rules apply (see
:mod:`caseapp.services.exchange.gather`), the file is written beside the target and renamed
into place inside the transaction that appends a ``case.shared`` audit entry (format, TLP,
path, SHA-256, counts) and an ``exported`` custody event on every exhibit the export
describes. If anything fails, nothing appears at the target and nothing is recorded.
caseapp prepares these files; it sends nothing anywhere.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from caseapp.domain.enums import CustodyAction
from caseapp.domain.exchange.content import ShareContent
from caseapp.domain.exchange.tlp import FORMATS, TLP, TLPError, check_tlp
from caseapp.domain.models import Evidence, utcnow
from caseapp.domain.progress import Cancel, Progress, check_cancel
from caseapp.security import audit
from caseapp.services.cases.cases import get_case_in
from caseapp.services.errors import InvalidInput, write_failed
from caseapp.services.evidence.evidence import record_custody
from caseapp.services.exchange.gather import ShareOptions, gather_share
from caseapp.services.workspace import Workspace
from caseapp.store.files import fsync_dir

__all__ = ["FORMATS", "ShareOptions", "SharePreview", "ShareResult", "preview_share",
           "share_case"]


@dataclass(frozen=True)
class Artefact:
    """What a builder made: files by suffix (``""``: the one file) and counts by type."""

    files: dict[str, bytes]
    counts: dict[str, int]


Builder = Callable[..., Artefact]  # (content, tlp, **format options) -> Artefact


def _builders() -> dict[str, Builder]:
    from caseapp.services.exchange import stix

    def build_stix(content: ShareContent, tlp: TLP) -> Artefact:
        data = stix.render(content, tlp)
        return Artefact({"": data}, stix.counts(data))

    from caseapp.services.exchange import misp

    found: dict[str, Builder] = {"stix": build_stix, "misp": misp.build}
    from caseapp.services.exchange import graph

    found["anx"] = graph.build_anx
    found["graphml"] = graph.build_graphml
    from caseapp.services.exchange import referral

    found["ic3"] = referral.build_ic3
    found["rfj"] = referral.build_rfj
    return found


@dataclass(frozen=True)
class SharePreview:
    """What would leave: counts per object type and what is redacted."""

    format: str
    tlp: TLP
    counts: dict[str, int]
    redactions: tuple[str, ...]
    files: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"format": self.format, "tlp": self.tlp.value, "counts": self.counts,
                "redactions": list(self.redactions), "files": list(self.files)}


@dataclass(frozen=True)
class ShareResult:
    """Outcome of one share export."""

    case_ref: str
    format: str
    tlp: TLP
    paths: tuple[Path, ...]
    sha256: dict[str, str]
    counts: dict[str, int]
    redactions: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        """The ``share --json`` contract shape."""
        return {"case": self.case_ref, "format": self.format, "tlp": self.tlp.value,
                "files": [{"path": str(p), "sha256": self.sha256[str(p)]} for p in self.paths],
                "counts": self.counts, "redactions": list(self.redactions),
                "sent": False}


def _with_options(fmt: str, builder: Builder, opts: ShareOptions) -> Builder:
    """Referral packs also take the victim business and a contact from the options."""
    if fmt == "ic3":
        return functools.partial(builder, victim=opts.victim, contact=opts.contact)
    if fmt == "rfj":
        return functools.partial(builder, contact=opts.contact)
    return builder


def _check(fmt: str, tlp: TLP) -> Builder:
    try:
        check_tlp(fmt, tlp)
    except TLPError as exc:
        raise InvalidInput(str(exc)) from None
    builder = _builders().get(fmt)
    if builder is None:
        raise InvalidInput(f"The {fmt} format is not available in this build.")
    return builder


def _targets(out: Path, files: dict[str, bytes]) -> dict[Path, bytes]:
    """Where each file goes: ``out`` itself, ``out``'s stem + suffix, or one zip."""
    if set(files) == {""}:
        return {out: files[""]}
    if out.suffix.lower() == ".zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for suffix, data in sorted(files.items()):
                archive.writestr(f"{out.stem}{suffix}", data)
        return {out: buffer.getvalue()}
    stem = out.with_suffix("") if out.suffix.lower() in {s for s in files} else out
    return {stem.with_name(stem.name + suffix): data for suffix, data in files.items()}


def preview_share(ws: Workspace, case_ref: str, fmt: str, tlp: TLP = TLP.AMBER,
                  options: ShareOptions | None = None) -> SharePreview:
    """Build the export in memory and say what it holds (nothing written or recorded)."""
    opts = options or ShareOptions()
    builder = _with_options(fmt, _check(fmt, tlp), opts)
    content = gather_share(ws, case_ref, opts, now=utcnow())
    artefact = builder(content, tlp)
    return SharePreview(fmt, tlp, artefact.counts, content.redactions,
                        tuple(f"*{s}" if s else "one file" for s in artefact.files))


def share_case(ws: Workspace, case_ref: str, fmt: str, out: Path | str, *,
               tlp: TLP = TLP.AMBER, options: ShareOptions | None = None,
               progress: Progress | None = None, cancel: Cancel | None = None,
               now: datetime | None = None) -> ShareResult:
    """Write the share export to ``out`` (atomically) and record it in audit and custody.

    Raises InvalidInput (format/TLP/path), NotFound (no such case), Cancelled.
    """
    opts = options or ShareOptions()
    builder = _with_options(fmt, _check(fmt, tlp), opts)
    target = Path(out).expanduser().absolute()
    if target.is_dir():
        raise InvalidInput(f"{target} is a folder; give the file name to write.")
    if not target.parent.is_dir():
        raise InvalidInput(f"The folder {target.parent} does not exist.")
    moment = now or utcnow()
    _step(progress, cancel, "Gathering the case", 0)
    content = gather_share(ws, case_ref, opts, now=moment)
    _step(progress, cancel, f"Building the {FORMATS[fmt]}", 1)
    artefact = builder(content, tlp)
    targets = _targets(target, artefact.files)
    _step(progress, cancel, "Writing and recording", 2)
    temps: dict[Path, Path] = {}
    try:
        for path, data in targets.items():
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
            temps[path] = Path(name)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        digests = {str(p): hashlib.sha256(d).hexdigest() for p, d in targets.items()}
        _record(ws, content, fmt, tlp, opts, temps, digests, artefact.counts, moment)
        temps = {}
    except OSError as exc:
        raise write_failed("The share export", exc) from None
    finally:
        for temp in temps.values():
            with contextlib.suppress(OSError):
                temp.unlink()
    if progress is not None:
        progress(3, 3, "Done")
    return ShareResult(content.case_ref, fmt, tlp, tuple(targets), digests, artefact.counts,
                       content.redactions)


def _step(progress: Progress | None, cancel: Cancel | None, stage: str, done: int) -> None:
    check_cancel(cancel, "The share export was cancelled; no file was written.")
    if progress is not None:
        progress(done, 3, stage)


def _record(ws: Workspace, content: ShareContent, fmt: str, tlp: TLP, opts: ShareOptions,
            temps: dict[Path, Path], digests: dict[str, str], counts: dict[str, int],
            moment: datetime) -> None:
    published: list[Path] = []
    try:
        with ws.transaction() as session:
            case = get_case_in(session, content.case_ref)
            exhibits = session.exec(select(Evidence).where(
                Evidence.case_id == case.id, col(Evidence.withdrawn_at).is_(None))
                .order_by(col(Evidence.number))).all()
            files = [{"path": p, "sha256": h} for p, h in digests.items()]
            for ev in exhibits:  # described (title, hash), never their content
                record_custody(session, ev, CustodyAction.EXPORTED, {
                    "purpose": f"share export ({FORMATS[fmt]})", "format": fmt,
                    "tlp": tlp.value, "files": files, "content_included": False},
                    sha256=ev.sha256, at=moment)
            audit.append(session, "case.shared", "case", case.ref, {
                "format": fmt, "tlp": tlp.value, "files": files, "counts": counts,
                "reveal_tipsters": opts.reveal_tipsters,
                "reveal_accounts": opts.reveal_accounts,
                "findings": list(opts.findings) if opts.findings is not None else "all"})
            session.flush()
            for path, temp in temps.items():
                os.replace(temp, path)
                published.append(path)
            for folder in {p.parent for p in published}:
                fsync_dir(folder)
    except BaseException:
        for path in published:
            with contextlib.suppress(OSError):
                path.unlink()
        raise
