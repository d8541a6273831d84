"""CLI contract of ``flags`` and ``templates``: JSON shapes, text form, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from template_text import template_toml

from tests.cli.runner import run

ITEM_KEYS = {"id", "category", "label", "weight", "state", "note", "exhibits", "suggestion"}
TOP_KEYS = {"case", "template", "version", "score", "band", "coverage", "items"}

KEEP = ("identity.keep", "Kept item", 3)


def custom(version: int, *items: tuple[str, str, int]) -> str:
    """The ``custom`` template: one Identity category with ``items``."""
    return template_toml("custom", version=version, title="Custom checks", items=items,
                         category=("identity", "Identity"))


def new_case(capsys, home: Path, *extra: str) -> str:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, home, "case", "new", "--title", "Contractor", *extra, "--json")
    assert code == 0
    return str(json.loads(out)["ref"])


def test_show_json_has_the_contract_shape(capsys, home: Path) -> None:
    ref = new_case(capsys, home)
    code, out, err = run(capsys, home, "flags", "show", ref, "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data.keys() >= TOP_KEYS
    assert (data["case"], data["template"], data["version"]) == (ref, "dprk-remote-it-worker", 2)
    assert (data["score"], data["band"], data["coverage"]) == (0, "unassessed", 0.0)
    assert len(data["items"]) >= 30
    for item in data["items"]:
        assert item.keys() >= ITEM_KEYS
        assert item["state"] == "not-assessed" and item["suggestion"] is None
        assert item["weight"] in (1, 2, 3) and isinstance(item["exhibits"], list)


def test_set_then_show(capsys, home: Path, tmp_path: Path) -> None:
    ref = new_case(capsys, home)
    (tmp_path / "courier.txt").write_text("waybill")
    assert run(capsys, home, "evidence", "add", ref, str(tmp_path / "courier.txt"))[0] == 0
    code, out, _ = run(capsys, home, "flags", "set", ref, "logistics.forwarded-abroad",
                       "Confirmed", "--note", "Courier record", "--json")
    assert code == 0
    data = json.loads(out)
    item = next(i for i in data["items"] if i["id"] == "logistics.forwarded-abroad")
    assert (item["state"], item["note"], item["category"]) == ("confirmed", "Courier record",
                                                               "logistics")
    assert (data["score"], data["band"]) == (45, "elevated")
    assert data["coverage"] == 1 / len(data["items"])

    code, out, _ = run(capsys, home, "flags", "set", ref, "technical.vpn-unusual-asn",
                       "suspected")
    assert code == 0 and "technical.vpn-unusual-asn: suspected" in out
    expected = round(100 * (1 - (1 - 0.45) * (1 - 0.45 * 0.5)))
    assert f"Risk {expected}/100 (high)" in out
    code, out, _ = run(capsys, home, "flags", "set", ref, "interview.avoids-video",
                       "not_applicable")
    assert code == 0 and "interview.avoids-video: not-applicable" in out

    code, out, _ = run(capsys, home, "flags", "link", ref, "logistics.forwarded-abroad", "E-1")
    assert code == 0 and "(exhibits E-001)" in out

    code, out, _ = run(capsys, home, "flags", "show", ref)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(f"{ref}  Remote IT worker identity fraud (DPRK pattern)")
    assert f"Risk {expected}/100 (high)  coverage 3/" in lines[1]
    assert "Laptop shipping and forwarding" in lines
    assert "        note: Courier record" in lines and "        exhibits: E-001" in lines

    code, out, _ = run(capsys, home, "flags", "show", ref, "--only", "flagged", "--json")
    assert [i["id"] for i in json.loads(out)["items"]] == ["technical.vpn-unusual-asn",
                                                           "logistics.forwarded-abroad"]
    code, out, _ = run(capsys, home, "case", "list", "--json")
    assert json.loads(out)[0]["risk"] == expected


def test_usage_errors_exit_2_with_a_clear_message(capsys, home: Path) -> None:
    ref = new_case(capsys, home)
    code, out, err = run(capsys, home, "flags", "set", ref, "identity.shared-contact", "maybe")
    assert (code, out) == (2, "")
    assert "'maybe' is not a valid checklist state; use one of: not-assessed, not-observed, " \
           "suspected, confirmed, not-applicable" in err
    assert "Traceback" not in err
    code, _, err = run(capsys, home, "flags", "set", ref, "identity.nope", "confirmed")
    assert code == 2 and "has no item 'identity.nope'" in err and "Traceback" not in err
    code, _, err = run(capsys, home, "flags", "set", ref, "identity.shared-contact",
                       "confirmed", "--exhibit", "E-004")
    assert code == 2 and "has no exhibit E-004" in err
    code, _, err = run(capsys, home, "flags", "set", ref, "identity.shared-contact")
    assert code == 2 and "required" in err  # argparse: STATE missing
    code, _, err = run(capsys, home, "flags", "show", "CASE-2026-9999")
    assert code == 1 and "No case 'CASE-2026-9999'" in err
    code, out, _ = run(capsys, home, "flags", "show", ref, "--json")
    assert json.loads(out)["band"] == "unassessed"  # nothing was written by the failures


def test_suggestion_and_dismiss(capsys, home: Path) -> None:
    first = new_case(capsys, home)
    second = new_case(capsys, home)
    assert run(capsys, home, "subject", "add", first, "Daniel", "--identifier",
               "phone:+1 (512) 555-0142")[0] == 0
    assert run(capsys, home, "subject", "add", second, "Alex Morgan", "--identifier",
               "phone:+15125550142")[0] == 0
    code, out, _ = run(capsys, home, "flags", "show", first, "--json")
    item = next(i for i in json.loads(out)["items"] if i["id"] == "identity.shared-contact")
    assert item["state"] == "not-assessed"
    assert item["suggestion"]["reason"] == f"phone +15125550142 also in {second} " \
                                           "(subject Alex Morgan)"
    assert item["suggestion"]["links"] == [second]
    code, out, _ = run(capsys, home, "flags", "dismiss", first, "identity.shared-contact")
    assert code == 0 and "dismissed" in out
    code, out, _ = run(capsys, home, "flags", "show", first, "--json")
    item = next(i for i in json.loads(out)["items"] if i["id"] == "identity.shared-contact")
    assert item["suggestion"] is None
    code, _, err = run(capsys, home, "flags", "dismiss", first, "identity.shared-contact")
    assert code == 2 and "no open suggestion" in err


def test_templates_import_start_upgrade(capsys, home: Path, tmp_path: Path) -> None:
    v1 = tmp_path / "custom.toml"
    v1.write_text(custom(1, KEEP, ("identity.retire", "Retired", 2)), encoding="utf-8")
    code, out, _ = run(capsys, home, "templates", "import", str(v1), "--json")
    assert code == 0 and json.loads(out)["items"] == 2
    ref = new_case(capsys, home)
    code, out, _ = run(capsys, home, "flags", "start", ref, "--template", "custom")
    assert code == 0 and "custom v1 (2 items)" in out
    assert run(capsys, home, "flags", "set", ref, "identity.keep", "confirmed")[0] == 0
    assert run(capsys, home, "flags", "set", ref, "identity.retire", "suspected", "--note",
               "was here")[0] == 0

    v2 = tmp_path / "custom-v2.toml"
    v2.write_text(custom(2, KEEP, ("identity.added", "Added", 1)), encoding="utf-8")
    assert run(capsys, home, "templates", "import", str(v2))[0] == 0
    code, out, _ = run(capsys, home, "templates", "list", "--json")
    listed = {(t["id"], t["version"]): t for t in json.loads(out)}
    assert listed[("custom", 1)]["cases"] == 1 and listed[("custom", 2)]["newest"] is True
    assert listed[("dprk-remote-it-worker", 1)]["origin"] == "built-in"
    code, out, _ = run(capsys, home, "flags", "show", ref)
    assert "Version 2 of the template is available" in out

    code, out, _ = run(capsys, home, "flags", "upgrade", ref, "--json")
    result = json.loads(out)
    assert code == 0
    assert (result["from_version"], result["to_version"], result["kept"], result["added"]) == (
        1, 2, ["identity.keep"], ["identity.added"])
    assert result["dropped"][0]["id"] == "identity.retire"
    code, out, _ = run(capsys, home, "flags", "upgrade", ref)
    assert code == 0 and "already on the newest version" in out


def test_templates_import_errors(capsys, home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(custom(1, ("identity.keep", "Kept item", 7)), encoding="utf-8")
    code, out, err = run(capsys, home, "templates", "import", str(bad))
    assert (code, out) == (2, "")
    assert "bad.toml: categories[0].items[0].weight: must be 1, 2 or 3" in err
    bad.write_text('id = "x"\nversion = \n', encoding="utf-8")
    code, _, err = run(capsys, home, "templates", "import", str(bad))
    assert code == 2 and "bad.toml: line 2: TOML syntax error" in err
    code, _, err = run(capsys, home, "templates", "import", str(tmp_path / "none.toml"))
    assert code == 2 and "no such file" in err and "Traceback" not in err
