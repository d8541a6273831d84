"""Writing an import's results inside its unit of work (rows, identifiers, findings, audit)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from caseapp.domain.models import (
    Case,
    Evidence,
    Identifier,
    SignalFinding,
    SignalImport,
    SignalObservation,
    Subject,
    utcnow,
)
from caseapp.domain.signals import rules as R
from caseapp.domain.signals.engine import Observation, SignInEngine
from caseapp.domain.signals.rows import SignalFormat
from caseapp.domain.signals.rules import Finding
from caseapp.security import audit
from caseapp.services.cases.subjects import make_identifier
from caseapp.services.errors import Conflict

if TYPE_CHECKING:
    from caseapp.services.signals.importer import SignalReport

#: New IP identifiers added per subject and import (the most used first).
MAX_NEW_IPS = 200


def exhibit_for_reimport(session: Session, case: Case, exhibit: str) -> Evidence:
    """The existing exhibit with the same content, unless it was already imported."""
    evidence = session.exec(select(Evidence).where(Evidence.case_id == case.id)).all()
    match = next((e for e in evidence if e.exhibit == exhibit), None)
    assert match is not None
    done = session.exec(select(SignalImport.id).where(SignalImport.evidence_id == match.id)
                        ).first()
    if done is not None:
        raise Conflict(f"This file was already imported into {case.ref} as {exhibit}; "
                       "nothing was changed.")
    return match


def save_import(session: Session, case: Case, evidence: Evidence, fmt: SignalFormat,
                report: SignalReport, engine: SignInEngine | None) -> SignalImport:
    subjects: dict[str, Any] = {}
    if engine is not None:
        for sid in sorted({o.subject_id for o in engine.observations.values()}):
            subjects[str(sid)] = {"rows": engine.rows_of(sid), "hours_utc": engine.hours(sid)}
            local = engine.hours_local(sid)
            if local is not None:  # by local hour of the claimed zone, DST honoured
                subjects[str(sid)].update(hours_local=local, zone=engine.subjects[sid].zone)
    summary = {"subjects": subjects,
               "errors": [{"line": e.line, "error": e.error} for e in report.errors[:200]],
               "unattributed": dict(Counter(report.unattributed).most_common(50))}
    imp = SignalImport(case_id=case.id or 0, evidence_id=evidence.id or 0, format=fmt.value,
                       rows=report.rows, attributed=report.attributed,
                       errors=len(report.errors),
                       data=json.dumps([d.to_json() for d in report.data]),
                       summary=json.dumps(summary), created_at=utcnow(),
                       actor=audit.current_actor())
    session.add(imp)
    session.flush()
    return imp


def save_observations(session: Session, case: Case, imp: SignalImport,
                      observations: Iterable[Observation]) -> None:
    rows = [{"import_id": imp.id, "case_id": case.id, "subject_id": o.subject_id,
             "account": o.account, "ip": o.ip[:64], "device_id": o.device_id[:200],
             "first_line": o.first_line, "last_line": o.last_line,
             "first_at": o.first_at, "last_at": o.last_at, "count": o.count, "failures": o.failures,
             "country": o.country[:64], "city": o.city, "network": o.network,
             "egress": o.egress} for o in observations]
    for start in range(0, len(rows), 2000):
        session.execute(insert(SignalObservation), rows[start:start + 2000])


def add_identifiers(session: Session, engine: SignInEngine | None,
                    hosts: dict[int, set[str]], report: SignalReport) -> int:
    """New IPs, device ids and accounts of each subject become its identifiers."""
    existing: dict[int, set[tuple[str, str]]] = {}
    for ident in session.exec(select(Identifier).where(col(Identifier.subject_id).is_not(None))
                              ).all():
        existing.setdefault(ident.subject_id or 0, set()).add((ident.kind, ident.normalized))
    wanted: dict[int, list[tuple[str, str]]] = {}
    if engine is not None:
        per: dict[int, Counter[tuple[str, str]]] = {}
        for obs in engine.observations.values():
            counter = per.setdefault(obs.subject_id, Counter())
            if obs.ip:
                counter[("ip", obs.ip)] += obs.count
            if obs.device_id:
                counter[("device", obs.device_id)] += obs.count
            if "@" in obs.account:
                counter[("email", obs.account)] += obs.count
        for sid, counter in per.items():
            ips = [k for k, _n in counter.most_common() if k[0] == "ip"]
            if len(ips) > MAX_NEW_IPS:
                report.warnings.append(f"subject #{sid}: {len(ips):,} distinct IPs; the "
                                       f"{MAX_NEW_IPS} most used were added as identifiers")
            wanted[sid] = ips[:MAX_NEW_IPS] + [k for k in counter if k[0] != "ip"]
    for sid, names in hosts.items():
        wanted.setdefault(sid, []).extend(("device", h) for h in sorted(names))
    added: list[Identifier] = []
    for sid, items in wanted.items():
        have = existing.setdefault(sid, set())
        for kind, value in items:
            ident = make_identifier(kind, value, subject_id=sid)
            if (ident.kind, ident.normalized) in have:
                continue
            have.add((ident.kind, ident.normalized))
            session.add(ident)
            added.append(ident)
    session.flush()  # one flush for the batch (each flush costs an index update)
    by_subject: dict[int, list[Identifier]] = {}
    for ident in added:
        by_subject.setdefault(ident.subject_id or 0, []).append(ident)
    for sid, idents in by_subject.items():
        audit.append(session, "identifier.added", "subject", sid, {
            "subject": sid, "source": "signals import",
            "identifiers": [{"id": i.id, "kind": i.kind, "raw": i.raw} for i in idents]})
    return len(added)


def finding_json(row: SignalFinding, exhibit: str | None, subject: str = "") -> dict[str, Any]:
    rule = R.BY_NAME.get(row.rule)
    return {"id": row.id, "rule": row.rule, "version": row.rule_version,
            "title": rule.title if rule else row.rule,
            "explanation": rule.explanation if rule else "",
            "subject_id": row.subject_id, "subject": subject, "summary": row.summary,
            "score": row.score, "status": row.status, "redflag_item": row.redflag_item,
            "exhibit": exhibit, "lines": json.loads(row.lines), "line_count": row.line_count,
            "exhibits": json.loads(row.exhibits), "detail": json.loads(row.detail),
            "data": json.loads(row.data), "decision_note": row.decision_note}


def save_findings(session: Session, case: Case, imp: SignalImport | None,
                  evidence: Evidence | None, findings: list[Finding]) -> list[dict[str, Any]]:
    """Insert new findings, refresh open ones; accepted/dismissed keep their decision."""
    now = utcnow()
    names = {s.id: s.name for s in session.exec(select(Subject).where(
        Subject.case_id == case.id)).all()}
    out = []
    for f in findings:
        row = session.exec(select(SignalFinding).where(
            SignalFinding.case_id == case.id, SignalFinding.subject_id == f.subject_id,
            SignalFinding.rule == f.rule.name, SignalFinding.key == f.key)).first()
        if row is None:
            row = SignalFinding(case_id=case.id or 0, subject_id=f.subject_id,
                                rule=f.rule.name, key=f.key, created_at=now)
        row.import_id = imp.id if imp else None
        row.evidence_id = evidence.id if evidence else None
        row.rule_version, row.redflag_item = f.rule.version, f.rule.redflag_item
        row.summary, row.score, row.line_count = f.summary, f.score, f.line_count
        row.lines, row.exhibits = json.dumps(f.lines), json.dumps(f.exhibits)
        row.detail = json.dumps(f.detail, ensure_ascii=False, default=str)
        row.data = json.dumps([d.to_json() for d in f.data])
        row.updated_at = now
        session.add(row)
        session.flush()
        out.append(finding_json(row, evidence.exhibit if evidence else None,
                                names.get(f.subject_id, "")))
    return out


def audit_import(session: Session, case: Case, evidence: Evidence, imp: SignalImport,
                 report: SignalReport) -> None:
    audit.append(session, "signals.imported", "evidence", evidence.id, {
        "case": case.ref, "exhibit": evidence.exhibit, "import": imp.id,
        "format": imp.format, "rows": report.rows, "attributed": report.attributed,
        "errors": len(report.errors), "findings": len(report.findings),
        "identifiers_added": report.identifiers_added,
        "data": [d.to_json() for d in report.data]})
