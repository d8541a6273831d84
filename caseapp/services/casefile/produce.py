"""Use case: a legal production of a case (``caseapp produce``) and the production log.

A production is a numbered, recorded act. Bates numbers continue per prefix across every
production of the store and are never issued twice:

1. the volume is written into a hidden staging folder beside the target, numbered from the
   last number used under the prefix + 1 (read without the write lock: layout is slow);
2. in one write unit (``BEGIN IMMEDIATE``) the last number is read again; if another
   production took numbers meanwhile, the volume is written again from the new start;
   otherwise the production row, a ``produced`` custody event per exhibit and the audit
   entry are committed;
3. only then is the staging folder renamed into place, and the chain head appended to
   ``anchors.log``.

A crash before step 2 commits leaves no record (no number used) and no volume at the target
(only the hidden ``.NAME.*.part`` folder). A crash between the commit and the rename leaves the
numbers used (never reused) and the volume in the staging folder.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, func, select

from caseapp import faults
from caseapp.domain.enums import CustodyAction
from caseapp.domain.loadfiles import bates_label
from caseapp.domain.models import Evidence, Production, utcnow
from caseapp.domain.progress import Cancel, Cancelled, Progress
from caseapp.pdf.options import MAX_BATES_START
from caseapp.security import anchors, audit
from caseapp.services.casefile import volume as vol
from caseapp.services.casefile.finish import (
    list_productions,
    recorded_stagings,
    remove_stale_staging,
    staging_lock,
)
from caseapp.services.casefile.redaction import (
    Redact,
    case_redactor,
    check_redactions,
    exhibit_label,
)
from caseapp.services.casefile.signing import SigningIdentity
from caseapp.services.cases.cases import get_case_in
from caseapp.services.errors import CaseappError, Conflict, InvalidInput
from caseapp.services.evidence.evidence import record_custody
from caseapp.services.workspace import Workspace
from caseapp.store import allocation
from caseapp.store.files import fsync_dir

#: ``--withhold E-NNN=REASON[:description]`` reasons and their labels in the privilege log.
WITHHOLD_REASONS = {
    "attorney-client": "Attorney-client privilege",
    "work-product": "Attorney work product",
    "pii": "Personal information (FRCP 5.2)",
    "tipster-protection": "Tipster protection",
}
_PREFIX_OK = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"
_ATTEMPTS = 3
__all__ = ["WITHHOLD_REASONS", "ProduceOptions", "ProductionResult", "Redact", "Withhold",
           "list_productions", "parse_redact", "parse_withhold", "produce", "select_exhibits"]


@dataclass(frozen=True)
class Withhold:
    """One exhibit to keep out, with the privilege or reason."""

    exhibit: str
    reason: str  # a key of WITHHOLD_REASONS
    description: str = ""


@dataclass(frozen=True)
class ProduceOptions:
    """What ``produce`` writes. ``exhibits`` None: every exhibit not withdrawn or withheld."""

    prefix: str | None = None  # default: the case ref
    volume: str | None = None  # default: VOL{production number:03d}
    exhibits: tuple[str, ...] | None = None
    withhold: tuple[Withhold, ...] = ()
    redact: tuple[Redact, ...] = ()
    endorsement: str = ""
    natives: bool = True
    signer: SigningIdentity | None = None
    case_file: bool = False  # the PDF case file as the last document

    def to_record(self) -> dict[str, Any]:
        """The options as kept in the production log and the audit entry."""
        return {"exhibits": list(self.exhibits) if self.exhibits is not None else "all",
                "withhold": [[w.exhibit, w.reason] for w in self.withhold],
                "redact": [[r.exhibit, r.reason] for r in self.redact],
                "endorsement": self.endorsement, "natives": self.natives,
                "case_file": self.case_file,
                "signed_by": self.signer.describe() if self.signer else None}


@dataclass(frozen=True)
class ProductionResult:
    """Outcome of one production (the ``produce --json`` shape)."""

    number: int
    path: Path
    prefix: str
    volume: str
    bates_first: str | None
    bates_last: str | None
    pages: int
    documents: list[dict[str, Any]]
    withheld: list[dict[str, Any]]
    manifest_sha256: str
    signed: bool
    audit_head: dict[str, Any] = field(default_factory=dict)
    redacted: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"production": self.number, "path": str(self.path), "prefix": self.prefix,
                "volume": self.volume, "bates_first": self.bates_first,
                "bates_last": self.bates_last, "pages": self.pages,
                "documents": self.documents, "withheld": self.withheld,
                "redacted": self.redacted,
                "sha256sums": self.manifest_sha256, "signed": self.signed,
                "audit_head": self.audit_head}


def check_prefix(prefix: str) -> str:
    """A Bates prefix (letters, digits, ``_ . -``; 1-40 characters). Raises InvalidInput."""
    prefix = prefix.strip()
    if not prefix or len(prefix) > 40 or any(ch not in _PREFIX_OK for ch in prefix) \
            or not prefix[0].isalnum():
        raise InvalidInput("A Bates prefix is 1-40 letters, digits, '_', '.' or '-', starting "
                           "with a letter or digit.")
    return prefix


def last_bates(session: Session, prefix: str) -> int:
    """The last Bates number issued under ``prefix`` by any production (0 if none; a team
    store counts productions of cases this user cannot see too)."""
    return allocation.last_bates(session, prefix)


@dataclass(frozen=True)
class Selection:
    """Which exhibits a production would produce and withhold."""

    prefix: str
    volume: str
    number: int
    next_bates: int
    produced: list[Evidence]
    withheld: list[tuple[Evidence, Withhold]]
    redacted: dict[str, Redact] = field(default_factory=dict)  # exhibit -> how (produced)


def select_exhibits(ws: Workspace, case_ref: str, options: ProduceOptions) -> Selection:
    """Resolve the options against the case (the dialog's preview uses this too)."""
    with ws.session() as session:
        case = get_case_in(session, case_ref)
        prefix = check_prefix(options.prefix or case.ref)
        exhibits = list(session.exec(select(Evidence).where(Evidence.case_id == case.id)
                                     .order_by(col(Evidence.number))).all())
        number = int(session.exec(select(func.max(Production.number))
                                  .where(Production.case_id == case.id)).one() or 0) + 1
        start = last_bates(session, prefix) + 1
    by_label = {e.exhibit: e for e in exhibits}
    volume = check_prefix(options.volume or f"VOL{number:03d}")
    withhold: dict[str, Withhold] = {}
    for w in options.withhold:
        label = exhibit_label(w.exhibit)
        if label not in by_label:
            raise InvalidInput(f"{case.ref} has no exhibit {label} to withhold.")
        if w.reason not in WITHHOLD_REASONS:
            raise InvalidInput(f"Unknown reason {w.reason!r}; use one of "
                               f"{', '.join(WITHHOLD_REASONS)}.")
        withhold[label] = replace(w, exhibit=label)
    redact = check_redactions(case.ref, options.redact, by_label, set(withhold),
                              WITHHOLD_REASONS)
    if options.exhibits is None:
        chosen = [e for e in exhibits if e.withdrawn_at is None and e.exhibit not in withhold]
    else:
        chosen = []
        for raw in options.exhibits:
            label = exhibit_label(raw)
            ev = by_label.get(label)
            if ev is None:
                raise InvalidInput(f"{case.ref} has no exhibit {label}.")
            if ev.withdrawn_at is not None:
                raise InvalidInput(f"{label} was withdrawn and cannot be produced.")
            if label not in withhold and ev not in chosen:
                chosen.append(ev)
        chosen += [by_label[k] for k in redact if by_label[k] not in chosen]
    return Selection(prefix, volume, number, start, chosen,
                     [(by_label[k], w) for k, w in withhold.items()], redact)


def _check_target(folder: Path) -> Path:
    target = Path(folder).expanduser().absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise Conflict(f"{target} exists and is not an empty folder; a production goes into "
                       "a new or empty folder.")
    if not target.parent.is_dir():
        raise InvalidInput(f"The folder {target.parent} does not exist.")
    return target


def produce(ws: Workspace, case_ref: str, folder: Path | str,
            options: ProduceOptions | None = None, *, progress: Progress | None = None,
            cancel: Cancel | None = None, now: datetime | None = None) -> ProductionResult:
    """Write a production volume to ``folder`` (new or empty) and record it.

    Raises InvalidInput, Conflict (folder not empty), NotFound, IntegrityProblem, Cancelled.
    """
    opts = options or ProduceOptions()
    target = _check_target(Path(folder))
    sel = select_exhibits(ws, case_ref, opts)
    if opts.case_file and sel.withheld:
        raise InvalidInput("The case file lists every exhibit, so it cannot be produced while "
                           "exhibits are withheld; produce it separately.")
    if not sel.produced and not sel.withheld and not opts.case_file:
        raise InvalidInput("Nothing to produce: choose at least one exhibit.")
    moment = now or utcnow()
    start = sel.next_bates
    keep: list[Path] = []
    with ws.session() as session:  # a production killed before it was recorded: its garbage
        remove_stale_staging(target.parent, recorded_stagings(session), target.name)
    for _attempt in range(_ATTEMPTS):
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part",
                                        dir=target.parent))
        lock = staging_lock(staging)
        lock.acquire()  # held until this attempt ends (the OS drops it if the process dies)
        try:
            result = _attempt_once(ws, case_ref, target, staging, sel, opts, start, moment,
                                   progress, cancel, keep)
            if result is not None:
                return result
        except OSError as exc:
            raise CaseappError(f"The production could not be written: {exc}") from None
        finally:
            if staging not in keep:
                shutil.rmtree(staging, ignore_errors=True)
            lock.release()
            with contextlib.suppress(OSError):
                Path(lock.lock_file).unlink()
        with ws.session() as session:  # another production took numbers: start after it
            start = last_bates(session, sel.prefix) + 1
    raise Conflict("Other productions under this prefix kept taking Bates numbers; try again.")


def _attempt_once(ws: Workspace, case_ref: str, target: Path, staging: Path, sel: Selection,
                  opts: ProduceOptions, start: int, moment: datetime,
                  progress: Progress | None, cancel: Cancel | None,
                  keep: list[Path]) -> ProductionResult | None:
    with ws.session() as session:
        head = audit.head(session)
    head_pair = (head.id or 0, head.hash) if head else (0, "0" * 64)
    withheld = [vol.Withheld(ev, WITHHOLD_REASONS[w.reason], w.description,
                             f"PRIV-{sel.number:03d}-{k:04d}")
                for k, (ev, w) in enumerate(sel.withheld, start=1)]
    redactions = {label: vol.RedactSpec(WITHHOLD_REASONS[r.reason], r.description)
                  for label, r in sel.redacted.items()}
    spec = vol.VolumeSpec(prefix=sel.prefix, volume=sel.volume, start=start,
                          endorsement=opts.endorsement, natives=opts.natives,
                          audit_head=head_pair, signer=opts.signer, case_ref=case_ref,
                          redact=redactions,
                          redactor=(case_redactor(ws, case_ref) if redactions else None),
                          case_file=(_case_file_writer(ws, case_ref, sel.prefix, opts, moment,
                                                       progress, cancel)
                                     if opts.case_file else None),
                          title=f"Privilege and redaction log — {case_ref} production "
                                f"{sel.number:03d} ({sel.volume})")
    written = vol.write_volume(ws, staging, spec, sel.produced, withheld, progress=progress,
                               cancel=cancel)
    faults.step("produce.staged")
    if cancel is not None and cancel():
        raise Cancelled(vol.CANCELLED)
    if progress is not None:
        progress(0, 1, "Recording the production")
    docs = written.documents
    last = docs[-1].last if docs else 0
    if last > MAX_BATES_START:
        raise InvalidInput("The Bates numbers would run past the largest supported number.")
    with ws.transaction() as session:
        if last_bates(session, sel.prefix) + 1 != start:
            return None  # numbers taken meanwhile: the caller writes the volume again
        case = get_case_in(session, case_ref)
        number = int(session.exec(select(func.max(Production.number))
                                  .where(Production.case_id == case.id)).one() or 0) + 1
        record = Production(
            case_id=case.id or 0, number=number, created_at=moment,
            actor=audit.current_actor(), prefix=sel.prefix, volume=sel.volume,
            bates_first=start if docs else 0, bates_last=last, documents=len(docs),
            pages=written.pages, withheld=len(withheld), path=str(target),
            manifest_sha256=written.sums_sha256,
            options=json.dumps({**opts.to_record(), "staging": str(staging)},
                               ensure_ascii=False))
        session.add(record)
        session.flush()
        by_label = {e.exhibit: e.id for e in sel.produced}
        for doc in docs:
            if doc.exhibit not in by_label:  # the case file itself
                continue
            ev = session.get(Evidence, by_label[doc.exhibit])
            assert ev is not None
            details: dict[str, Any] = {
                "purpose": "legal production", "production": number, "to": str(target),
                "bates": f"{bates_label(sel.prefix, doc.first)} to "
                         f"{bates_label(sel.prefix, doc.last)}",
                "sha256sums": written.sums_sha256}
            if doc.redactions:
                details["redacted"] = doc.redactions
            record_custody(session, ev, CustodyAction.EXPORTED, details, sha256=ev.sha256,
                           at=moment)
        entry = audit.append(session, "case.produced", "case", case.ref, {
            "production": number, "path": str(target), "prefix": sel.prefix,
            "volume": sel.volume, "bates_first": start if docs else None,
            "bates_last": last if docs else None, "documents": len(docs),
            "pages": written.pages, "withheld": [w.evidence.exhibit for w in withheld],
            "redacted": [d.exhibit for d in docs if d.redactions],
            "sha256sums": written.sums_sha256, "options": opts.to_record()})
        session.flush()
        entry_id = entry.id or 0
    keep.append(staging)  # recorded: the numbers are used, the volume must not be lost
    faults.step("produce.recorded")
    try:
        if target.is_dir():
            target.rmdir()
        staging.replace(target)
    except OSError as exc:
        raise CaseappError(f"Production {number} was recorded but could not be moved into "
                           f"place ({exc.strerror or exc}); it is in {staging}.") from None
    keep.remove(staging)
    with contextlib.suppress(OSError):
        fsync_dir(target.parent)
    with ws.session() as session:  # the hash as committed (state hashes are added at commit)
        committed = audit.entry_at(session, entry_id)
    if committed is not None:
        anchors.append_to_log(ws.home, entry_id, committed.hash, "production")
    return ProductionResult(
        number=number, path=target, prefix=sel.prefix, volume=sel.volume,
        bates_first=bates_label(sel.prefix, start) if docs else None,
        bates_last=bates_label(sel.prefix, last) if docs else None, pages=written.pages,
        documents=[{"exhibit": d.exhibit, "bates_first": bates_label(sel.prefix, d.first),
                    "bates_last": bates_label(sel.prefix, d.last), "pages": d.pages,
                    "image": d.image, "native": d.native, "text": d.text, "pdfa": d.pdfa,
                    "redacted": bool(d.redactions)} for d in docs],
        withheld=[{"exhibit": w.evidence.exhibit, "placeholder": w.placeholder,
                   "reason": w.reason} for w in withheld],
        redacted=[{"exhibit": d.exhibit, "bates_first": bates_label(sel.prefix, d.first),
                   "bates_last": bates_label(sel.prefix, d.last),
                   "reason": redactions[d.exhibit].reason, "redactions": d.redactions}
                  for d in docs if d.redactions],
        manifest_sha256=written.sums_sha256, signed=opts.signer is not None,
        audit_head={"entry": head_pair[0], "sha256": head_pair[1]})


def _case_file_writer(ws: Workspace, case_ref: str, prefix: str, opts: ProduceOptions,
                      moment: datetime, progress: Progress | None,
                      cancel: Cancel | None) -> Callable[[int, Path, str], tuple[int, bool]]:
    """Writes the PDF case file Bates-numbered under the production's prefix."""
    from datetime import UTC

    from caseapp.pdf.case_file import build_case_file
    from caseapp.pdf.options import ExportOptions
    from caseapp.services.casefile.content import gather

    def write(start: int, path: Path, producer: str) -> tuple[int, bool]:
        options = ExportOptions(bates_prefix=prefix, bates_start=start,
                                privilege_legend=opts.endorsement).validated(case_ref)
        content = gather(ws, case_ref, options, now=moment, tz=UTC, progress=progress,
                         cancel=cancel)
        with open(path, "wb") as handle:
            built = build_case_file(content, options, handle, progress=progress,
                                    cancel=cancel, producer=producer)
            handle.flush()
        return built.pages, built.pdfa

    return write


def parse_redact(items: Sequence[str]) -> tuple[Redact, ...]:
    """``E-002=pii[:description]`` items (CLI) as Redact values."""
    return tuple(Redact(w.exhibit, w.reason, w.description) for w in parse_withhold(items))


def parse_withhold(items: Sequence[str]) -> tuple[Withhold, ...]:
    """``E-002=work-product[:description]`` items (CLI) as Withhold values."""
    out = []
    for item in items:
        exhibit, sep, rest = item.partition("=")
        if not sep or not exhibit.strip():
            raise InvalidInput(f"{item!r}: give E-NNN=REASON[:description].")
        reason, _, description = rest.partition(":")
        out.append(Withhold(exhibit.strip(), reason.strip().lower().replace(" ", "-")
                            .replace("_", "-"), description.strip()))
    return tuple(out)
