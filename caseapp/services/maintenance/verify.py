"""Verify a store: what ``caseapp verify`` can prove, and where it found a problem.

1. Every exhibit's blob is decrypted and re-hashed against its recorded SHA-256 and size.
2. The vault folder holds nothing else: ``blob-orphan`` (a blob no exhibit or attachment
   refers to) and ``temp-leftover`` (an interrupted write whose process is gone).
3. The audit chain is unbroken (``audit-broken``).
4. Every record's current state hashes as the newest audit entry that vouched for it
   (``record-altered``: changed, deleted or added outside caseapp).
5. The chain still holds every anchor found in ``anchors.log`` and in the files given
   (``audit-truncated``: the chain ends before an anchored entry; ``audit-rewritten``: an
   anchored entry has another hash).

A rewrite of the whole database, chain included, with no anchor surviving outside it, cannot
be detected by any check of the database alone; the README's security section says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from caseapp.domain.models import Case, Evidence, Tip
from caseapp.domain.progress import Cancel, Progress
from caseapp.security import anchors, audit, record_state
from caseapp.security.vault import BlobCorrupt, BlobMissing
from caseapp.services.errors import InvalidInput
from caseapp.services.workspace import Workspace
from caseapp.store.visibility import hidden_case_refs

#: Problem kinds, as ``verify --json`` spells them (docs/cli.md).
KINDS = ("blob-missing", "blob-corrupt", "hash-mismatch", "audit-broken", "record-altered",
         "audit-truncated", "audit-rewritten", "blob-orphan", "temp-leftover",
         "anchor-unreadable")


@dataclass
class VerifyReport:
    ok: bool
    blobs_checked: int
    audit_entries: int
    problems: list[dict[str, str]] = field(default_factory=list)
    records_checked: int = 0
    anchors_checked: int = 0
    head: dict[str, Any] = field(default_factory=dict)
    quarantined: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "blobs_checked": self.blobs_checked,
                "audit_entries": self.audit_entries, "problems": self.problems,
                "records_checked": self.records_checked,
                "anchors_checked": self.anchors_checked, "audit_head": self.head,
                "quarantined": self.quarantined}


def _problem(kind: str, where: str, detail: str) -> dict[str, str]:
    return {"kind": kind, "where": where, "detail": detail}


def verify_store(ws: Workspace, progress: Progress | None = None,
                 cancel: Cancel | None = None, *, anchor_files: Sequence[Path] = (),
                 repair: bool = False) -> VerifyReport:
    """Run every check; records the run (and any repair) in the audit log and anchors.log.

    ``repair`` moves orphaned blobs to the vault's quarantine folder (audited); nothing is
    ever deleted. Raises InvalidInput when an anchor file cannot be read at all.
    """
    given = _read_anchor_files(anchor_files)
    problems: list[dict[str, str]] = []
    with ws.session() as session:
        rows = session.exec(select(Evidence, Case.ref, Tip.ref)
                            .outerjoin(Case, col(Evidence.case_id) == Case.id)
                            .outerjoin(Tip, col(Evidence.tip_id) == Tip.id)
                            .order_by(col(Evidence.id))).all()
        walk = audit.walk_chain(session)
        records, altered = _check_records(session, walk)
        logged, unreadable = anchors.read_log(ws.home)
        anchor_problems = _check_anchors(session, walk, [*logged, *given])
    checked = _check_blobs(ws, rows, problems, progress, cancel)
    orphans = _check_vault(ws, {ev.blob_id for ev, _c, _t in rows}, problems)
    problems += [_problem("audit-broken", f"audit#{p.entry_id}", p.detail)
                 for p in walk.problems]
    problems += altered + anchor_problems
    problems += [_problem("anchor-unreadable", where, "this line is not an anchor; it was "
                          "skipped") for where in unreadable]
    report = VerifyReport(not problems, checked, walk.entries, problems, records,
                          len(logged) + len(given),
                          {"entry": walk.head_id, "sha256": walk.head_hash})
    with ws.transaction() as session:
        if repair and orphans:
            report.quarantined = ws.vault.quarantine(orphans)
            audit.append(session, "vault.quarantined", "store", ws.store_id, {
                "blobs": report.quarantined,
                "why": "complete blobs no exhibit or attachment refers to; kept in "
                       "vault/quarantine"})
        entry = audit.append(session, "store.verified", "store", ws.store_id,
                             {"ok": report.ok, "blobs_checked": checked,
                              "records_checked": records, "problems": len(problems)})
    anchors.append_to_log(ws.home, entry.id or 0, entry.hash, "verify")
    return report


def _read_anchor_files(paths: Sequence[Path]) -> list[anchors.Anchor]:
    found: list[anchors.Anchor] = []
    for path in paths:
        try:
            found += anchors.read_file(Path(path))
        except (OSError, ValueError) as exc:
            raise InvalidInput(f"Anchor {Path(path).name}: {exc}") from None
    return found


def _where(evidence: Evidence, case_ref: str | None, tip_ref: str | None) -> str:
    if case_ref:
        return f"{case_ref}/{evidence.exhibit}"
    return f"{tip_ref or 'tip?'}/attachment#{evidence.id}"


def _check_blobs(ws: Workspace, rows: Sequence[tuple[Evidence, str | None, str | None]],
                 problems: list[dict[str, str]], progress: Progress | None,
                 cancel: Cancel | None) -> int:
    checked = 0
    for index, (evidence, case_ref, tip_ref) in enumerate(rows):
        if cancel and cancel():
            break
        where = _where(evidence, case_ref, tip_ref)
        try:
            sha, size = ws.vault.verify(evidence.blob_id)
            if sha != evidence.sha256 or size != evidence.size:
                problems.append(_problem("hash-mismatch", where,
                                         f"recorded {evidence.sha256}, vault has {sha}"))
        except BlobMissing as exc:
            problems.append(_problem("blob-missing", where, str(exc)))
        except BlobCorrupt as exc:
            problems.append(_problem("blob-corrupt", where, str(exc)))
        checked += 1
        if progress:
            progress(index + 1, len(rows), "Re-hashing exhibits")
    return checked


def _check_vault(ws: Workspace, referenced: set[str],
                 problems: list[dict[str, str]]) -> set[str]:
    # A shared folder or bucket also holds the blobs of other homes and of cases this user
    # may not see: "no record here refers to it" proves nothing there, so only the home's
    # own vault folder is checked for orphans (and only there does --repair move any).
    orphans = ws.vault.blob_ids() - referenced if ws.vault.kind == "local" else set()
    for blob_id in sorted(orphans):
        problems.append(_problem(
            "blob-orphan", f"vault/{blob_id}", "a complete blob that no exhibit or attachment "
            "refers to (an ingest interrupted after writing it, or a record removed outside "
            "caseapp); verify --repair moves it to vault/quarantine"))
    for leftover in ws.vault.leftovers():
        problems.append(_problem(
            "temp-leftover", f"vault/{leftover.name}", f"{leftover.size} bytes of an "
            "interrupted write; removed at the next start"))
    return orphans


def _check_records(session: Session, walk: audit.ChainWalk,
                   ) -> tuple[int, list[dict[str, str]]]:
    if not walk.states:
        return 0, []  # a store from before state hashes, not yet given its baseline
    problems: list[dict[str, str]] = []
    current: dict[str, tuple[str, str]] = {}
    for kind in record_state.KINDS:
        current.update(record_state.current_hashes(session, kind))
    for key, (where, digest) in sorted(current.items()):
        recorded = walk.states.get(key)
        if recorded is None:
            problems.append(_problem("record-altered", where, "this record has no audit "
                                     "entry: it was added outside caseapp"))
        elif recorded[1] != digest:
            what = ("was deleted by audit entry" if recorded[1] == record_state.DELETED
                    else "differs from the state recorded by audit entry")
            problems.append(_problem("record-altered", where, f"this record {what} "
                                     f"#{recorded[2]}: it was changed outside caseapp"))
    hidden = hidden_case_refs(session)  # a team store: other members' cases
    for key, (where, digest, entry_id) in sorted(walk.states.items()):
        if hidden and where.split("/", 1)[0] in hidden:
            continue
        if key not in current and digest != record_state.DELETED:
            problems.append(_problem("record-altered", where, f"recorded by audit entry "
                                     f"#{entry_id} but no longer in the store: it was deleted "
                                     "outside caseapp"))
    return len(current), problems


def _check_anchors(session: Session, walk: audit.ChainWalk,
                   found: Sequence[anchors.Anchor]) -> list[dict[str, str]]:
    problems: list[dict[str, str]] = []
    for anchor in found:
        if anchor.entry_id > walk.head_id:
            problems.append(_problem(
                "audit-truncated", f"audit#{anchor.entry_id}",
                f"{anchor.source} anchors entry {anchor.entry_id}, but the chain ends at entry "
                f"{walk.head_id}: entries were removed from its end"))
            continue
        entry = audit.entry_at(session, anchor.entry_id)
        if entry is None or entry.hash != anchor.entry_hash:
            problems.append(_problem(
                "audit-rewritten", f"audit#{anchor.entry_id}",
                f"{anchor.source} anchors entry {anchor.entry_id} with SHA-256 "
                f"{anchor.entry_hash[:16]}…, the chain now has "
                f"{(entry.hash[:16] + '…') if entry else 'no such entry'}: the log was "
                "rewritten after that anchor was made"))
    return problems
