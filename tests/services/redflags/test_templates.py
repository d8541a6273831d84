"""Imported templates, pinned versions and upgrades with answer carry-over."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from caseapp.domain.enums import ChecklistState
from caseapp.domain.models import AuditEntry, ChecklistAnswer, TemplateBlob
from caseapp.resources_access import resource
from caseapp.services.cases import cases
from caseapp.services.errors import InvalidInput
from caseapp.services.evidence import evidence
from caseapp.services.redflags import checklists

V1 = """\
id = "custom"
version = 1
title = "Custom checks"
[bands]
elevated = 20
high = 40
critical = 60
[[sources]]
id = "S1"
title = "Internal guidance"
publisher = "Security team"
[[categories]]
id = "identity"
title = "Identity"
  [[categories.items]]
  id = "identity.keep"
  label = "Kept item"
  weight = 3
  sources = ["S1"]
  suggest_on = ["phone"]
  [[categories.items]]
  id = "identity.retire"
  label = "Retired in v2"
  weight = 2
[[categories]]
id = "payment"
title = "Payment"
  [[categories.items]]
  id = "payment.reuse"
  label = "Account reuse"
  weight = 1
"""

V2 = (V1.replace("version = 1", "version = 2")
      .replace('  [[categories.items]]\n  id = "identity.retire"\n  label = "Retired in v2"\n'
               '  weight = 2\n',
               '  [[categories.items]]\n  id = "identity.added"\n  label = "New in v2"\n'
               '  weight = 2\n')
      .replace('label = "Kept item"', 'label = "Kept item, reworded"'))


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def new_case(ws, title: str = "Case") -> str:  # type: ignore[no-untyped-def]
    return cases.create_case(ws, title, opened_at=datetime(2026, 3, 2, tzinfo=UTC)).ref


def test_v2_fixture_really_differs() -> None:
    assert "identity.retire" in V1 and "identity.retire" not in V2
    assert "identity.added" in V2 and "version = 2" in V2


def test_import_lists_and_pins_versions(ws, tmp_path: Path) -> None:
    info = checklists.import_template(ws, write(tmp_path, "custom.toml", V1))
    assert (info.id, info.version, info.items, info.origin, info.newest) == (
        "custom", 1, 3, "imported", True)
    first = new_case(ws, "First")
    view = checklists.start_checklist(ws, first, "custom")
    assert (view.template.id, view.template.version, len(view.items)) == ("custom", 1, 3)
    assert audit_details(ws, "template.imported")[0]["items"] == 3

    checklists.import_template(ws, write(tmp_path, "custom-v2.toml", V2))
    # The first case keeps the version it started with and is told a newer one exists.
    view = checklists.get_checklist(ws, first)
    assert (view.template.version, view.newer_version) == (1, 2)
    assert view.to_json()["newer_version"] == 2
    second = new_case(ws, "Second")
    assert checklists.start_checklist(ws, second, "custom").template.version == 2

    listing = checklists.list_templates(ws)
    rows = {(t.id, t.version): t for t in listing.templates}
    assert listing.problems == []
    assert rows[("dprk-remote-it-worker", 1)].origin == "built-in"
    assert (rows[("custom", 1)].newest, rows[("custom", 1)].cases) == (False, 1)
    assert (rows[("custom", 2)].newest, rows[("custom", 2)].cases) == (True, 1)
    assert rows[("custom", 2)].to_json()["title"] == "Custom checks"


def audit_details(ws, action: str) -> list[dict]:  # type: ignore[no-untyped-def]
    with ws.session() as session:
        rows = session.exec(select(AuditEntry).where(AuditEntry.action == action)).all()
    return [json.loads(r.detail) for r in rows]


def test_upgrade_carries_answers_over_by_id(ws, tmp_path: Path) -> None:
    checklists.import_template(ws, write(tmp_path, "v1.toml", V1))
    ref = new_case(ws)
    checklists.start_checklist(ws, ref, "custom")
    exhibit = tmp_path / "proof.txt"
    exhibit.write_text("proof")
    evidence.ingest_file(ws, ref, exhibit)
    checklists.set_item(ws, ref, "identity.keep", "confirmed", note="kept note",
                        exhibits=["E-001"])
    checklists.set_item(ws, ref, "identity.retire", "suspected", note="old note")
    checklists.set_item(ws, ref, "payment.reuse", "not-observed")
    before = checklists.get_checklist(ws, ref)
    assert before.score.score == round(100 * (1 - (1 - 0.45) * (1 - 0.25 * 0.5)))

    result = checklists.upgrade_checklist(ws, ref)  # nothing newer yet
    assert not result.changed and result.to_version == 1

    checklists.import_template(ws, write(tmp_path, "v2.toml", V2))
    result = checklists.upgrade_checklist(ws, ref)
    assert (result.changed, result.from_version, result.to_version) == (True, 1, 2)
    assert result.kept == ["identity.keep", "payment.reuse"]
    assert result.dropped == [{"id": "identity.retire", "state": "suspected",
                               "note": "old note", "exhibits": []}]
    assert result.added == ["identity.added"]
    view = result.view
    assert [i.item.id for i in view.items] == ["identity.keep", "identity.added",
                                               "payment.reuse"]
    kept = view.item("identity.keep")
    assert (kept.state, kept.note, kept.exhibits, kept.item.label) == (
        ChecklistState.CONFIRMED, "kept note", ["E-001"], "Kept item, reworded")
    assert view.item("identity.added").state is ChecklistState.NOT_ASSESSED
    assert view.item("payment.reuse").state is ChecklistState.NOT_OBSERVED
    assert (view.score.score, view.score.band, view.newer_version) == (45, "high", None)
    assert view.score.coverage == 2 / 3
    with ws.session() as session:
        items = {a.item_id for a in session.exec(select(ChecklistAnswer)).all()}
    assert items == {"identity.keep", "payment.reuse"}
    detail = audit_details(ws, "checklist.upgraded")[0]
    assert (detail["from"], detail["to"], detail["dropped"][0]["note"]) == (1, 2, "old note")
    assert checklists.get_checklist(ws, ref).template.version == 2
    assert result.to_json()["dropped"][0]["id"] == "identity.retire"
    assert not checklists.upgrade_checklist(ws, ref).changed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (V1.replace('title = "Identity"', 'title = "Identity'),
         r"^bad\.toml: line 14: TOML syntax error"),
        (V1.replace("  weight = 1\n", "  weight = 5\n"),
         r"^bad\.toml: categories\[1\]\.items\[0\]\.weight: must be 1, 2 or 3$"),
        (V1.replace('  sources = ["S1"]', '  sources = ["S9"]'),
         r"categories\[0\]\.items\[0\]\.sources\[0\]: unknown source 'S9'"),
        (V1.replace('  suggest_on = ["phone"]', '  suggest_on = ["fax"]'),
         r"categories\[0\]\.items\[0\]\.suggest_on\[0\]: 'fax' is not a valid identifier kind"),
        (V1.replace('id = "identity.retire"', 'id = "identity.keep"'),
         r"categories\[0\]\.items\[1\]\.id: duplicate item id 'identity\.keep'"),
        (V1.replace("[bands]\n", "[band]\n"), r"^bad\.toml: band: unknown key; did you mean"),
    ],
)
def test_import_reports_file_line_and_key(ws, tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(InvalidInput, match=expected):
        checklists.import_template(ws, write(tmp_path, "bad.toml", text))
    with ws.session() as session:
        assert session.exec(select(TemplateBlob)).all() == []


def test_import_file_problems(ws, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no such file"):
        checklists.import_template(ws, tmp_path / "missing.toml")
    with pytest.raises(InvalidInput, match="is a folder"):
        checklists.import_template(ws, tmp_path)
    with pytest.raises(InvalidInput, match=r"latin1\.toml: not UTF-8 text"):
        checklists.import_template(ws, write(tmp_path, "latin1.toml",
                                             V1.replace("Kept", "Képt").encode("latin-1")))
    with_bom = write(tmp_path, "bom.toml", b"\xef\xbb\xbf" + V1.encode("utf-8"))
    assert checklists.import_template(ws, with_bom).version == 1


def test_reimport_same_version(ws, tmp_path: Path) -> None:
    checklists.import_template(ws, write(tmp_path, "a.toml", V1))
    checklists.import_template(ws, write(tmp_path, "again.toml", V1))  # identical: no-op
    with ws.session() as session:
        assert len(session.exec(select(TemplateBlob)).all()) == 1
    assert len(audit_details(ws, "template.imported")) == 1
    changed = V1.replace('label = "Account reuse"', 'label = "Changed"')
    with pytest.raises(InvalidInput, match="already exists with different content; bump"):
        checklists.import_template(ws, write(tmp_path, "b.toml", changed))


def test_builtin_id_and_version_cannot_be_replaced_but_can_be_extended(ws, tmp_path) -> None:
    text = resource("redflags", "dprk-remote-it-worker-v2.toml").read_text(encoding="utf-8")
    tampered = text.replace("weight = 3", "weight = 1", 1)
    with pytest.raises(InvalidInput, match="'dprk-remote-it-worker' v2 already exists"):
        checklists.import_template(ws, write(tmp_path, "dprk.toml", tampered))
    newer = text.replace("version = 2", "version = 3", 1)
    info = checklists.import_template(ws, write(tmp_path, "dprk-v3.toml", newer))
    assert (info.version, info.origin, info.newest) == (3, "imported", True)
    # New cases now start on v3, the newest version of the default template.
    assert checklists.get_checklist(ws, new_case(ws)).template.version == 3


def test_cases_on_builtin_v1_keep_it_and_upgrade_to_v2_with_answers(ws) -> None:
    """Template v2 ships beside v1: a case already on v1 stays there until `flags upgrade`,
    which keeps every answer (v2 removes no item) and lists the eleven new ones."""
    from caseapp.domain.models import Checklist
    from caseapp.domain.redflags import load_builtin_templates
    from caseapp.security import audit
    from caseapp.services.redflags.templates import snapshot_builtin

    v1 = next(t for t in load_builtin_templates()
              if t.id == "dprk-remote-it-worker" and t.version == 1)
    ref = new_case(ws)
    with ws.transaction() as session:  # what a store made before v2 shipped holds
        case = cases.get_case_in(session, ref)
        snapshot_builtin(session, v1)
        now = datetime(2026, 3, 2, tzinfo=UTC)
        row = Checklist(case_id=case.id or 0, template_id=v1.id, template_version=1,
                        created_at=now, updated_at=now)
        session.add(row)
        session.flush()
        audit.append(session, "checklist.started", "checklist", row.id or "",
                     {"case": ref, "template": v1.id, "version": 1, "lazy": True})
    checklists.set_item(ws, ref, "payment.frequent-changes", "suspected", note="Three banks")
    view = checklists.get_checklist(ws, ref)
    assert view.template.version == 1 and view.newer_version == 2 and len(view.items) == 37
    result = checklists.upgrade_checklist(ws, ref)
    assert (result.from_version, result.to_version) == (1, 2)
    assert result.kept == ["payment.frequent-changes"] and result.dropped == []
    assert len(result.added) == 11 and "identity.prefers-korean" in result.added
    after = checklists.get_checklist(ws, ref).item("payment.frequent-changes")
    assert after.state is ChecklistState.SUSPECTED and after.note == "Three banks"
