"""Moving a case between a local data home and the team store.

* :func:`publish_case` (``team publish``): a local case is copied into the team store as a new
  team case (the team allocates its own reference; the local one is named in the history).
  Its exhibits are decrypted with the local vault key and sealed under a fresh case key,
  wrapped for the publishing member, who becomes the case's lead. The team side is one
  transaction: a failure leaves no case there and the uploaded blobs are removed.
* :func:`checkout_case` (``team checkout``): a team case the member can read is copied into a
  local home for offline work, its exhibits sealed again under that home's vault key.

Both carry the records, custody and audit history over (``caseapp.services.team.transfer``)
and leave an audit entry on each side. The destination commits first and the source's record
of the move only once it has (publish: the local unit around the team transaction; checkout:
the team transaction around the local unit), so the source never records a copy the
destination does not have (a failure of the second commit itself is reported as such).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from caseapp.domain.enums import CustodyAction
from caseapp.domain.models import AuditEntry, Evidence
from caseapp.security import audit
from caseapp.security.team_keys import new_case_key
from caseapp.security.vault import VaultError
from caseapp.services.errors import CaseappError, Conflict, InvalidInput
from caseapp.services.evidence.evidence import IngestFailed, record_custody
from caseapp.services.team.transfer import (
    CaseSnapshot,
    NotCarried,
    Written,
    read_case,
    write_case,
)
from caseapp.services.workspace import Workspace

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Moved:
    """A case copied from one store into another."""

    source_ref: str
    ref: str  # the destination's reference
    exhibits: int
    history_entries: int
    not_carried: NotCarried  # tip links, productions, exhibits' tips: named
    source_store: str
    store: str  # the destination's store id


def _kinds(local: Workspace, team: Workspace) -> None:
    if local.store.kind != "sqlcipher":
        raise InvalidInput("The local home must be a data home of its own (not opened on a "
                           "team store).")
    if team.store.kind != "postgresql":
        raise InvalidInput("Name the team store with --store postgresql://USER@HOST/DBNAME "
                           "(or CASEAPP_STORE).")
    if local.vault.kind != "local" or local.home.resolve() == team.home.resolve():
        raise InvalidInput("The local home must be an ordinary one with its own vault, not "
                           "your team home (it keeps its evidence at the team's location).")


def _copy_blobs(source: Workspace, dest: Workspace, snap: CaseSnapshot, key: bytes | None,
                progress: Progress | None) -> dict[int, str]:
    """Each exhibit's plaintext, read from ``source`` and sealed into ``dest`` under ``key``
    (None: ``dest``'s vault key). On any failure the blobs written so far are removed."""
    made: dict[int, str] = {}
    total = len(snap.evidence)
    try:
        for n, ev in enumerate(snap.evidence, start=1):
            if progress is not None:
                progress(n - 1, total, f"Sealing exhibit {n} of {total}")
            try:
                result = dest.vault.ingest_stream(source.vault.iter_plaintext(ev.blob_id),
                                                  total=ev.size, key=key)
            except VaultError as exc:
                raise IngestFailed(f"Exhibit {ev.exhibit} could not be copied: {exc}") from None
            made[ev.id or 0] = result.blob_id
            if result.sha256 != ev.sha256 or result.size != ev.size:
                raise IngestFailed(f"Exhibit {ev.exhibit} does not match its recorded SHA-256; "
                                   "run verify on the source. Nothing was copied.")
    except BaseException:
        _discard(dest, made)
        raise
    return made


def _discard(ws: Workspace, blobs: dict[int, str]) -> None:
    for blob in blobs.values():
        try:
            ws.vault.discard(blob)
        except VaultError:  # noqa: PERF203 - best effort; verify reports what is left
            continue


def _arrived(session: Session, written: Written, snap: CaseSnapshot, *, action: str,
             note: str, origin: str, from_store: str) -> None:
    """On the destination: one custody event per copied exhibit, saying where it came from,
    and the ``action`` audit entry about the new case."""
    for ev in snap.evidence:
        new = written.exhibits[ev.id or 0]
        record_custody(session, new, CustodyAction.TRANSFERRED, {
            "from": f"{origin} {snap.case.ref}/{ev.exhibit}",
            "to": f"{written.case.ref}/{new.exhibit}", "blob": new.blob_id, "note": note},
            sha256=ev.sha256)
    audit.append(session, action, "case", written.case.ref, {
        "case": written.case.ref, "from_case": snap.case.ref, "from_store": from_store,
        "exhibits": len(snap.evidence), "history_entries": written.history_entries,
        "not_carried": snap.not_carried.as_json()})


def _already_published(session: Session, ref: str, team_store: str) -> str | None:
    rows = session.exec(select(AuditEntry).where(
        AuditEntry.action == "case.published", AuditEntry.entity == "case",
        AuditEntry.entity_id == ref, col(AuditEntry.detail).contains(team_store))).all()
    for row in rows:
        detail = json.loads(row.detail)
        if detail.get("team_store") == team_store:
            return str(detail.get("team_ref", ""))
    return None


def publish_case(local: Workspace, team: Workspace, case_ref: str,
                 progress: Progress | None = None) -> Moved:
    """Copy local case ``case_ref`` into the team store (see the module docstring)."""
    from caseapp.services.evidence import case_keys

    _kinds(local, team)
    public = case_keys.member_public(team)
    with local.session() as session:
        snap = read_case(session, case_ref)
        earlier = _already_published(session, snap.case.ref, team.store_id)
    if earlier is not None:
        raise Conflict(f"{snap.case.ref} was already published to this team store as "
                       f"{earlier}.")
    key = new_case_key()
    blobs = _copy_blobs(local, team, snap, key, progress)
    origin = {"store": local.store_id, "kind": "local"}
    team_ref: str | None = None  # set once the team side has committed
    try:
        with local.unit_of_work() as lsession:
            with team.transaction() as tsession:
                written = write_case(tsession, snap, blobs, origin)
                case_keys.seal_new_case(tsession, written.case, key, public)
                _arrived(tsession, written, snap, action="case.published-from-local",
                         note="published from a local home; sealed again under the case key",
                         origin=f"local case (store {local.store_id})",
                         from_store=local.store_id)
            team_ref = written.case.ref
            for ev in snap.evidence:
                new = written.exhibits[ev.id or 0]
                src = lsession.get(Evidence, ev.id)
                if src is not None:
                    record_custody(lsession, src, CustodyAction.EXPORTED, {
                        "to": f"team store {team.store_id} {written.case.ref}/{new.exhibit}",
                        "note": "copied to the team store by team publish"},
                        sha256=ev.sha256)
            audit.append(lsession, "case.published", "case", snap.case.ref, {
                "case": snap.case.ref, "team_store": team.store_id,
                "team_ref": written.case.ref, "exhibits": len(snap.evidence)})
    except BaseException as exc:
        _failed(exc, team, blobs, team_ref,
                "Published as {ref} in the team store, but this home could not record it")
        raise
    _index_soon(team)
    return Moved(snap.case.ref, written.case.ref, len(snap.evidence), written.history_entries,
                 snap.not_carried, local.store_id, team.store_id)


def checkout_case(team: Workspace, local: Workspace, case_ref: str,
                  progress: Progress | None = None) -> Moved:
    """Copy team case ``case_ref`` (one this member may read) into the local home ``local``
    as a new local case, its exhibits under the local vault key; recorded on both sides."""
    _kinds(local, team)
    with team.session() as session:
        snap = read_case(session, case_ref)
    blobs = _copy_blobs(team, local, snap, None, progress)
    origin = {"store": team.store_id, "kind": "team"}
    local_ref: str | None = None  # set once the local copy has committed
    try:
        # The team transaction is entered first and commits last: its audit entry (which
        # takes the team's write lock only when written, after the local copy is) commits
        # only once the local copy has, and rolls back if the local commit fails.
        with team.transaction() as tsession:  # a viewer may check out: audit only
            with local.unit_of_work() as lsession:
                written = write_case(lsession, snap, blobs, origin)
                _arrived(lsession, written, snap, action="case.checked-out-from-team",
                         note="checked out from the team store; sealed again under this "
                              "home's key",
                         origin=f"team store {team.store_id}", from_store=team.store_id)
                audit.append(tsession, "case.checked-out", "case", snap.case.ref, {
                    "case": snap.case.ref, "to_store": local.store_id,
                    "local_ref": written.case.ref, "exhibits": len(snap.evidence)})
            local_ref = written.case.ref
    except BaseException as exc:
        _failed(exc, local, blobs, local_ref,
                "Checked out as {ref} in this home, but the team store could not record "
                "the checkout")
        raise
    _index_soon(local)
    return Moved(snap.case.ref, written.case.ref, len(snap.evidence), written.history_entries,
                 snap.not_carried, team.store_id, local.store_id)


def _failed(exc: BaseException, dest: Workspace, blobs: dict[int, str], made: str | None,
            said: str) -> None:
    """A move failed with ``exc``. Before the destination committed (``made`` None): its new
    blobs are removed (the caller re-raises). After it committed the copy ``made``: a
    CaseappError is raised again as Conflict, ``said`` (``{ref}``: ``made``) and why."""
    if made is None:
        _discard(dest, blobs)
    elif isinstance(exc, CaseappError):
        raise Conflict(f"{said.format(ref=made)}: {exc}") from None


def _index_soon(ws: Workspace) -> None:
    """Index the copied text exhibits now rather than at the next search."""
    from caseapp.services.discovery.search import index_pending

    try:
        index_pending(ws)
    except Exception:  # noqa: BLE001 - they stay queued; search() indexes them later
        return
