"""Tip attachments, linking tips to cases, creating a case from a tip, related cases."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from caseapp.domain.models import AuditEntry, Evidence
from caseapp.services.cases import cases, subjects
from caseapp.services.cases.subjects import IdentifierInput as Ident
from caseapp.services.errors import Conflict
from caseapp.services.evidence import evidence
from caseapp.services.maintenance import verify
from caseapp.services.tips import casework, tips

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
NAME = "Ottoline Quexley (fictional)"


def _tip(ws, content: str = "A lead about a forwarded laptop.", **kw):  # noqa: ANN001
    kw.setdefault("channel", "email")
    kw.setdefault("received_at", T0)
    return tips.create_tip(ws, content, **kw).tip


def _vault_files(ws) -> list[Path]:  # noqa: ANN001
    return sorted(p for p in (ws.home / "vault").rglob("*") if p.is_file())


def test_attachment_goes_to_the_vault_with_custody(ws, tmp_path) -> None:
    ref = _tip(ws).ref
    data = b"From: someone@tipster.example\n\nsecret body " + bytes(range(256)) * 200
    src = tmp_path / "tip mail.eml"
    src.write_bytes(data)
    ev = casework.add_attachment(ws, ref, src, title="The tipster's e-mail")
    assert (ev.case_id, ev.number, ev.exhibit) == (None, None, f"A-{ev.id}")
    assert ev.sha256 == hashlib.sha256(data).hexdigest() and ev.size == len(data)
    blobs = _vault_files(ws)
    assert len(blobs) == 1 and b"secret body" not in blobs[0].read_bytes()
    log = evidence.custody_log(ws, ev.id)
    assert [e.action for e in log] == ["acquired", "ingested"]
    assert log[1].sha256 == ev.sha256 and json.loads(log[0].detail)["tip"] == ref
    view = tips.get_tip(ws, ref)
    assert [(a.label, a.original_name, a.sha256) for a in view.attachments] == [
        (ev.exhibit, "tip mail.eml", ev.sha256)]
    copy = tmp_path / "copy.eml"
    copy.write_bytes(data)
    with pytest.raises(Conflict, match="already attachment"):
        casework.add_attachment(ws, ref, copy)
    assert len(_vault_files(ws)) == 1  # the refused copy left no blob behind
    assert verify.verify_store(ws).ok


def test_link_tip_to_cases(ws) -> None:
    c1 = cases.create_case(ws, "First case").ref
    c2 = cases.create_case(ws, "Second case").ref
    ref = _tip(ws).ref
    view = casework.link_tip(ws, ref, c1, note="same forwarding address")
    assert view.status == "linked" and view.cases == (c1,)
    view = casework.link_tip(ws, ref.lower(), c2)
    assert view.cases == (c1, c2)
    assert casework.link_tip(ws, ref, c1).cases == (c1, c2)  # linking twice is a no-op
    assert [t.ref for t in casework.tips_for_case(ws, c2)] == [ref]
    assert casework.tips_for_case(ws, c1)[0].identity_masked is False
    with ws.session() as session:
        links = session.exec(select(AuditEntry).where(AuditEntry.action == "tip.linked")).all()
    assert len(links) == 2
    casework.unlink_tip(ws, ref, c1)
    assert tips.get_tip(ws, ref).status == "linked"
    after = casework.unlink_tip(ws, ref, c2)
    assert (after.status, after.cases) == ("actionable", ())
    with pytest.raises(Conflict, match="not linked"):
        casework.unlink_tip(ws, ref, c2)
    assert casework.link_tip(ws, ref, c2).status == "linked"


def test_linking_a_closed_tip_keeps_its_status(ws) -> None:
    case = cases.create_case(ws, "A case").ref
    ref = _tip(ws).ref
    tips.set_tip_status(ws, ref, "closed")
    view = casework.link_tip(ws, ref, case)
    assert view.status == "closed" and view.cases == (case,)


def test_create_case_from_tip_carries_identifiers_and_attachments(ws, tmp_path) -> None:
    view = _tip(ws, "Lead naming a phone, an address and a GitHub profile.",
                tipster_name=NAME,
                identifiers=[Ident("phone", "+1 (512) 555-0142"),
                             Ident("address", "1208 Larkspur Ct, Apt 4B, Millbrook, NJ"),
                             Ident("url", "https://GitHub.com/AlexMorganQA/"),
                             Ident("phone", "not a number")])
    files = {"screenshot.png": b"\x89PNG fake image bytes", "notes.txt": b"call notes\n"}
    attached = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        attached.append(casework.add_attachment(ws, view.ref, tmp_path / name))
    case = casework.create_case_from_tip(ws, view.ref, "Case opened from the lead",
                                           subject_name="Alex Morgan", priority="high")
    assert case.ref.startswith("CASE-") and case.priority == "high"
    (subject,) = subjects.list_subjects(ws, case.ref)
    assert subject.subject.name == "Alex Morgan"
    assert [(i.kind, i.raw, i.normalized, i.normalized_ok) for i in subject.identifiers] == [
        (i.kind, i.raw, i.normalized, i.normalized_ok) for i in view.identifiers]
    exhibits = evidence.list_evidence(ws, case.ref)
    assert [e.exhibit for e in exhibits] == ["E-001", "E-002"]
    for exhibit, source in zip(exhibits, attached, strict=True):
        assert (exhibit.blob_id, exhibit.sha256, exhibit.size) == (
            source.blob_id, source.sha256, source.size)
        log = evidence.custody_log(ws, exhibit.id)
        assert [e.action for e in log] == ["acquired", "transferred"]
        moved = json.loads(log[1].detail)
        assert moved["from"] == f"{view.ref}/{source.exhibit}"
        assert moved["to"] == f"{case.ref}/{exhibit.exhibit}" and log[1].sha256 == source.sha256
        tip_log = evidence.custody_log(ws, source.id)
        assert [e.action for e in tip_log] == ["acquired", "ingested", "transferred"]
    out = evidence.export_original(ws, case.ref, "E-002", tmp_path / "out.txt")
    assert out.read_bytes() == b"call notes\n"
    assert len(_vault_files(ws)) == 2  # shared blobs, not copies
    after = tips.get_tip(ws, view.ref)
    assert after.status == "linked" and after.cases == (case.ref,)
    assert len(after.attachments) == 2  # the tip keeps its attachments
    report = verify.verify_store(ws)
    assert report.ok and report.blobs_checked == 4
    with ws.session() as session:
        details = " ".join(e.detail for e in session.exec(select(AuditEntry)).all())
        assert session.exec(select(Evidence).where(Evidence.case_id == case.id)).all()
    assert NAME not in details and '"from_tip":"' + view.ref + '"' in details


def test_case_from_tip_without_identifiers_or_files(ws) -> None:
    ref = _tip(ws, anonymous=True).ref
    case = casework.create_case_from_tip(ws, ref, "Minimal case")
    (subject,) = subjects.list_subjects(ws, case.ref)
    assert subject.subject.name == f"Unknown subject ({ref})" and subject.identifiers == []
    assert evidence.list_evidence(ws, case.ref) == []
    with pytest.raises(Exception, match="title"):
        casework.create_case_from_tip(ws, ref, "  ")


def test_related_cases_share_identifiers(ws) -> None:
    c1 = cases.create_case(ws, "Case with the phone").ref
    subjects.add_subject(ws, c1, "Daniel Park", identifiers=[Ident("phone", "+15125550142"),
                                                             Ident("ip", "198.51.100.23")])
    c2 = cases.create_case(ws, "Unrelated case").ref
    subjects.add_subject(ws, c2, "Someone", identifiers=[Ident("phone", "+12065550100")])
    ref = _tip(ws, identifiers=[Ident("phone", "+1 512-555-0142"),
                                Ident("ip", "198.51.100.23")]).ref
    related = casework.related_cases(ws, ref)
    assert [(r.ref, len(r.shared)) for r in related] == [(c1, 2)]
    casework.link_tip(ws, ref, c1)
    assert casework.related_cases(ws, ref) == []  # already linked
