"""Findings of a case: list them (with the hour profile and locations), accept, dismiss."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from caseapp.domain.models import (
    Evidence,
    SignalFinding,
    SignalImport,
    SignalObservation,
    Subject,
    utcnow,
)
from caseapp.domain.signals import rules as R
from caseapp.domain.signals.engine import (
    SubjectProfile,
    asian_band,
    business_share,
    claimed_zone,
    shift_hours,
)
from caseapp.domain.text import clean_text
from caseapp.security import audit
from caseapp.services.cases.cases import get_case_in
from caseapp.services.errors import InvalidInput, NotFound
from caseapp.services.redflags.checklists import link_exhibit
from caseapp.services.signals.records import finding_json
from caseapp.services.signals.refdata import profile
from caseapp.services.workspace import Workspace

STATUSES = ("open", "accepted", "dismissed")


@dataclass(frozen=True)
class Location:
    """Where a subject signed in from (observations grouped by place and network)."""

    subject: str
    place: str
    network: str
    egress: str
    ips: int
    signins: int
    first_at: str
    last_at: str
    exhibit: str
    first_line: int

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class HourProfile:
    """A subject's successful sign-ins by hour (UTC and in the claimed zone), with score."""

    subject_id: int
    subject: str
    zone: str
    offset: float | None
    hours_utc: tuple[int, ...]
    claimed_share: float | None
    utc8_9_share: float
    #: By local hour of the claimed zone at each sign-in's instant (DST honoured); None when
    #: some import predates that (then the UTC bins are shifted by the standard offset).
    hours_local: tuple[int, ...] | None = None
    #: Per claimed-zone hour, the share of the subject's days on which it lies in a UTC+8/+9
    #: working day (the zone's offset taken on each day); None without a zone.
    band: tuple[float, ...] | None = None

    @property
    def hours_claimed(self) -> tuple[int, ...]:
        if self.hours_local is not None:
            return self.hours_local
        if self.offset is None:
            return self.hours_utc
        return tuple(shift_hours(list(self.hours_utc), self.offset))

    @property
    def score(self) -> float | None:
        return None if self.claimed_share is None else round(
            self.utc8_9_share - self.claimed_share, 3)

    def to_json(self) -> dict[str, Any]:
        return {"subject_id": self.subject_id, "subject": self.subject, "zone": self.zone,
                "offset": self.offset, "hours_utc": list(self.hours_utc),
                "hours_claimed_zone": list(self.hours_claimed),
                "claimed_share": self.claimed_share, "utc8_9_share": self.utc8_9_share,
                "score": self.score, "dst_aware": self.hours_local is not None,
                "utc8_9_band_claimed_zone": None if self.band is None else list(self.band)}


@dataclass
class FindingsView:
    case: str
    findings: list[dict[str, Any]] = field(default_factory=list)
    hours: list[HourProfile] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    imports: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The ``signals findings`` JSON shape."""
        return {"case": self.case, "findings": self.findings,
                "hours": [h.to_json() for h in self.hours],
                "locations": [loc.to_json() for loc in self.locations],
                "imports": self.imports, "rules": [r.to_json() for r in R.RULES]}


def _labels(session: Session, ids: set[int]) -> dict[int, str]:
    return {e.id: e.exhibit for e in session.exec(select(Evidence).where(
        col(Evidence.id).in_(ids or {-1}))).all() if e.id}


def list_findings(ws: Workspace, case_ref: str) -> FindingsView:
    """Findings best first (open, then accepted, then dismissed), hours and locations."""
    with ws.session() as session:
        case = get_case_in(session, case_ref)
        subjects = {s.id: s for s in session.exec(select(Subject).where(
            Subject.case_id == case.id)).all() if s.id}
        rows = session.exec(select(SignalFinding).where(SignalFinding.case_id == case.id)
                            .order_by(col(SignalFinding.id))).all()
        imports = session.exec(select(SignalImport).where(SignalImport.case_id == case.id)
                               .order_by(col(SignalImport.id))).all()
        obs = session.exec(select(SignalObservation).where(
            SignalObservation.case_id == case.id).order_by(col(SignalObservation.id))).all()
        labels = _labels(session, {r.evidence_id for r in rows if r.evidence_id}
                         | {i.evidence_id for i in imports})
    view = FindingsView(case.ref)
    order = {s: n for n, s in enumerate(STATUSES)}
    rows = sorted(rows, key=lambda r: (order.get(r.status, 9), -r.score, r.id or 0))
    view.findings = [finding_json(r, labels.get(r.evidence_id or 0),
                                  subjects[r.subject_id].name if r.subject_id in subjects
                                  else "") for r in rows]
    hours: dict[int, list[int]] = {}
    local: dict[int, tuple[str, list[int]] | None] = {}
    for imp in imports:
        summary = json.loads(imp.summary or "{}")
        for sid, data in summary.get("subjects", {}).items():
            bins = hours.setdefault(int(sid), [0] * 24)
            for h, n in enumerate(data.get("hours_utc", [])[:24]):
                bins[h] += int(n)
            _add_local(local, int(sid), data)
        view.imports.append({"id": imp.id, "exhibit": labels.get(imp.evidence_id, ""),
                             "format": imp.format, "rows": imp.rows,
                             "attributed": imp.attributed, "errors": imp.errors,
                             "created_at": imp.created_at.isoformat(),
                             "data": json.loads(imp.data)})
    spans: dict[int, tuple[datetime, datetime]] = {}
    for o in obs:
        seen = spans.get(o.subject_id)
        spans[o.subject_id] = ((o.first_at, o.last_at) if seen is None else
                               (min(seen[0], o.first_at), max(seen[1], o.last_at)))
    for sid, bins in sorted(hours.items()):
        if sid not in subjects:
            continue
        prof = profile(subjects[sid])
        offset = prof.utc_offset_hours
        kept = local.get(sid)
        in_zone = kept[1] if kept is not None and kept[0] == prof.zone and prof.zone else None
        claimed = (None if offset is None else round(
            business_share(in_zone, 0) if in_zone is not None
            else business_share(bins, offset), 3))
        view.hours.append(HourProfile(
            sid, subjects[sid].name, prof.zone, offset, tuple(bins), claimed,
            round(max(business_share(bins, 8), business_share(bins, 9)), 3),
            tuple(in_zone) if in_zone is not None else None, _band(prof, spans.get(sid))))
    view.locations = _locations(obs, subjects, {i.id: labels.get(i.evidence_id, "")
                                                for i in imports})
    return view


def _band(prof: SubjectProfile, span: tuple[datetime, datetime] | None,
          ) -> tuple[float, ...] | None:
    """The UTC+8/+9 day in claimed-zone hours over the subject's days (DST honoured)."""
    zone = claimed_zone(prof)
    if zone is None or span is None:
        return None
    first, last = (at.astimezone(zone).date() for at in span)
    return tuple(asian_band(zone, first, last))


def _add_local(local: dict[int, tuple[str, list[int]] | None], sid: int,
               data: dict[str, Any]) -> None:
    """Sum the local-hour bins of a subject's imports; None once one lacks them or was
    counted in another zone (the claimed residence changed in between)."""
    if sid in local and local[sid] is None:
        return
    bins, zone = data.get("hours_local"), str(data.get("zone", ""))
    seen = local.get(sid)
    if not isinstance(bins, list) or (seen is not None and seen[0] != zone):
        local[sid] = None
        return
    total = seen[1] if seen is not None else [0] * 24
    for h, n in enumerate(bins[:24]):
        total[h] += int(n)
    local[sid] = (zone, total)


def _locations(obs: Sequence[SignalObservation], subjects: dict[int, Subject],
               exhibits: dict[int | None, str]) -> list[Location]:
    groups: dict[tuple[int, str, str, str], list[SignalObservation]] = {}
    for o in obs:
        place = ", ".join(p for p in (o.city, o.country) if p) or "unknown"
        groups.setdefault((o.subject_id, place, o.network, o.egress), []).append(o)
    out = []
    for (sid, place, network, egress), items in groups.items():
        first = min(items, key=lambda o: o.first_at)
        out.append(Location(subjects[sid].name if sid in subjects else f"#{sid}", place,
                            network, egress, len({o.ip for o in items}),
                            sum(o.count for o in items), first.first_at.isoformat(),
                            max(o.last_at for o in items).isoformat(),
                            exhibits.get(first.import_id, ""), first.first_line))
    out.sort(key=lambda loc: (loc.subject, -loc.signins))
    return out


def _finding(session: Session, case_id: int, finding_id: int) -> SignalFinding:
    row = session.get(SignalFinding, finding_id)
    if row is None or row.case_id != case_id:
        raise NotFound(f"No finding #{finding_id} in this case.")
    return row


def _decide(session: Session, case_id: int, finding_id: int, status: str,
            note: str) -> SignalFinding:
    """Record a decision on a finding (refused when it already has that one)."""
    row = _finding(session, case_id, finding_id)
    if row.status == status:
        raise InvalidInput(f"Finding #{finding_id} is already {status}.")
    row.status, row.decided_at = status, utcnow()
    row.decided_by, row.decision_note = audit.current_actor(), clean_text(note)
    session.add(row)
    return row


def accept_finding(ws: Workspace, case_ref: str, finding_id: int,
                   note: str = "") -> dict[str, Any]:
    """Accept a finding: its exhibit is linked to the matching red-flag item and the item
    shows the finding as a suggestion. The item's state is never changed."""
    with ws.unit_of_work() as session:
        case = get_case_in(session, case_ref)
        row = _decide(session, case.id or 0, finding_id, "accepted", note)
        session.flush()
        exhibit = None
        if row.evidence_id is not None:
            evidence = session.get(Evidence, row.evidence_id)
            exhibit = evidence.exhibit if evidence else None
        if exhibit and row.redflag_item:
            link_exhibit(ws, case.ref, row.redflag_item, exhibit)
        audit.append(session, "signals.finding-accepted", "signal_finding", row.id, {
            "case": case.ref, "rule": row.rule, "version": row.rule_version,
            "item": row.redflag_item, "exhibit": exhibit, "note": row.decision_note})
        return finding_json(row, exhibit)


def dismiss_finding(ws: Workspace, case_ref: str, finding_id: int,
                    reason: str = "") -> dict[str, Any]:
    """Dismiss a finding (audited with the reason); it stays listed as dismissed."""
    with ws.transaction() as session:
        case = get_case_in(session, case_ref)
        row = _decide(session, case.id or 0, finding_id, "dismissed", reason)
        audit.append(session, "signals.finding-dismissed", "signal_finding", row.id, {
            "case": case.ref, "rule": row.rule, "version": row.rule_version,
            "reason": row.decision_note})
        return finding_json(row, None)
