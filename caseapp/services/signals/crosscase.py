"""shared-egress across cases, found for BOTH cases when a new import lands.

The new import's IPs and device ids are looked up among every other case's identifiers
(and tips'). The importing case gets a finding citing its own lines (as before); each
*earlier* case whose subject saw the same value in one of its own imported sign-in logs is
re-evaluated in the same unit of work: its subject gets (or its existing finding gains) a
shared-egress finding citing that case's own exhibit rows, recorded with the data set
version, the import that triggered it, and a ``signals.reevaluated`` audit entry on that
case. A value another case holds only as a hand-entered identifier (no imported rows) gives
the earlier case no finding: there are no rows of its own to cite; Links shows it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from caseapp.domain.enums import IdentifierKind
from caseapp.domain.identifiers import normalize
from caseapp.domain.models import (
    Case,
    Evidence,
    Identifier,
    SignalFinding,
    SignalImport,
    SignalObservation,
    Subject,
    Tip,
    utcnow,
)
from caseapp.domain.signals import rules as R
from caseapp.domain.signals.engine import SignInEngine
from caseapp.domain.signals.refdata import DataSet
from caseapp.domain.signals.rules import Finding
from caseapp.security import audit


def norm(kind: str, value: str) -> str:
    result = normalize(IdentifierKind(kind), value)
    return result.value if result.ok and result.value else value


@dataclass
class Reverse:
    """Other cases' subjects that hold a value of the new import: (case id, subject id,
    kind, normalised value) -> where it was seen now (``CASE-… (names)``)."""

    seen: dict[tuple[int, int, str, str], set[str]] = field(default_factory=dict)


def cross_case_shared(session: Session, case: Case, engine: SignInEngine,
                      ranges: DataSet) -> tuple[list[Finding], Reverse]:
    """shared-egress findings for this case (values other cases' subjects or tips hold),
    and what to re-evaluate in those other cases."""
    values: dict[tuple[str, str], dict[int, int]] = {}
    for obs in engine.observations.values():
        for kind, value in (("ip", obs.ip), ("device", obs.device_id)):
            if value:
                values.setdefault((kind, norm(kind, value)), {}).setdefault(
                    obs.subject_id, obs.first_line)
    out: list[Finding] = []
    reverse = Reverse()
    keys = list(values)
    for start in range(0, len(keys), 400):
        chunk = keys[start:start + 400]
        hits = session.exec(select(Identifier, Subject, Case).outerjoin(
            Subject, col(Identifier.subject_id) == col(Subject.id)).outerjoin(
            Case, col(Subject.case_id) == col(Case.id)).where(
            col(Identifier.kind).in_({k for k, _ in chunk}),
            col(Identifier.normalized).in_({v for _, v in chunk}))).all()
        tips = {t.id: t.ref for t in session.exec(select(Tip).where(col(Tip.id).in_(
            [i.tip_id for i, _s, _c in hits if i.tip_id] or [-1]))).all()}
        for ident, subject, other_case in hits:
            holders = values.get((ident.kind, ident.normalized))
            if not holders:
                continue
            if other_case is not None and other_case.id == case.id:
                continue  # same case: the in-import rule covers subjects of this case
            where = (f"{other_case.ref} ({subject.name})" if other_case and subject
                     else tips.get(ident.tip_id or 0, "a tip"))
            for sid, line in holders.items():
                finding = Finding(R.SHARED_EGRESS, sid, f"{ident.kind} {ident.normalized} "
                                  f"also held by {where}", 1.0,
                                  f"{ident.kind}:{ident.normalized}",
                                  detail={"kind": ident.kind, "value": ident.normalized,
                                          "subjects": [], "elsewhere": [where]},
                                  data=[ranges])
                finding.cite(line)
                out.append(finding)
            if other_case is not None and subject is not None and subject.id is not None:
                names = sorted(engine.subjects[s].name for s in holders)
                reverse.seen.setdefault(
                    (other_case.id or 0, subject.id, ident.kind, ident.normalized),
                    set()).add(f"{case.ref} ({', '.join(names)})")
    return _merge(out), reverse


def _merge(findings: list[Finding]) -> list[Finding]:
    merged: dict[tuple[int, str], Finding] = {}
    for f in findings:
        seen = merged.get((f.subject_id, f.key))
        if seen is None:
            merged[(f.subject_id, f.key)] = f
            continue
        for place in f.detail["elsewhere"]:
            if place not in seen.detail["elsewhere"]:
                seen.detail["elsewhere"].append(place)
        seen.summary = (f"{seen.detail['kind']} {seen.detail['value']} also held by "
                        f"{', '.join(seen.detail['elsewhere'])}")
    return list(merged.values())


def _own_rows(session: Session, subject_id: int, kind: str,
              value: str) -> SignalObservation | None:
    """The earliest observation of this value in the subject's own imported logs."""
    column = SignalObservation.ip if kind == "ip" else SignalObservation.device_id
    rows = session.exec(select(SignalObservation).where(
        SignalObservation.subject_id == subject_id, col(column) != "")).all()
    mine = [o for o in rows if norm(kind, o.ip if kind == "ip" else o.device_id) == value]
    return min(mine, key=lambda o: (o.first_at, o.id or 0)) if mine else None


def update_other_cases(session: Session, case: Case, imp: SignalImport, evidence: Evidence,
                       reverse: Reverse, ranges: DataSet) -> dict[str, list[int]]:
    """Re-evaluate shared-egress in the earlier cases (see the module docstring); returns
    case ref -> ids of the findings created or extended there."""
    now = utcnow()
    trigger = {"case": case.ref, "exhibit": evidence.exhibit, "import": imp.id}
    touched: dict[int, list[int]] = {}
    for (case_id, sid, kind, value), places in sorted(reverse.seen.items()):
        obs = _own_rows(session, sid, kind, value)
        if obs is None:
            continue
        key = f"{kind}:{value}"
        row = session.exec(select(SignalFinding).where(
            SignalFinding.case_id == case_id, SignalFinding.subject_id == sid,
            SignalFinding.rule == R.SHARED_EGRESS.name, SignalFinding.key == key)).first()
        if row is None:
            own = session.get(SignalImport, obs.import_id)
            lines = sorted({obs.first_line, obs.last_line})
            row = SignalFinding(case_id=case_id, subject_id=sid, rule=R.SHARED_EGRESS.name,
                                key=key, created_at=now, import_id=obs.import_id,
                                evidence_id=own.evidence_id if own else None,
                                score=1.0, lines=json.dumps(lines), line_count=obs.count,
                                detail=json.dumps({"kind": kind, "value": value,
                                                   "subjects": [], "elsewhere": []}))
        detail: dict[str, Any] = json.loads(row.detail or "{}")
        elsewhere = detail.setdefault("elsewhere", [])
        for place in sorted(places):
            if place not in elsewhere:
                elsewhere.append(place)
        others = list(detail.get("subjects") or []) + elsewhere
        detail["found_by"] = trigger
        row.detail = json.dumps(detail, ensure_ascii=False, default=str)
        row.summary = f"{kind} {value} also used by {', '.join(others)}"
        row.rule_version, row.redflag_item = (R.SHARED_EGRESS.version,
                                              R.SHARED_EGRESS.redflag_item)
        data = [d for d in json.loads(row.data or "[]") if d.get("name") != ranges.name]
        row.data = json.dumps(data + [ranges.to_json()])
        row.updated_at = now
        session.add(row)
        session.flush()
        touched.setdefault(case_id, []).append(row.id or 0)
    refs = {c.id: c.ref for c in session.exec(select(Case).where(
        col(Case.id).in_(list(touched) or [-1]))).all()}
    for case_id, ids in sorted(touched.items()):
        audit.append(session, "signals.reevaluated", "case", refs.get(case_id, ""), {
            "case": refs.get(case_id, ""), "rule": R.SHARED_EGRESS.name,
            "version": R.SHARED_EGRESS.version, "findings": ids, "trigger": trigger,
            "data": [ranges.to_json()]})
    return {refs.get(cid, ""): ids for cid, ids in touched.items()}
