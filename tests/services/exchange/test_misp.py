"""MISP event export: loads back with pymisp, allowed category/type pairs, TLP tag."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pymisp
import pytest
from pymisp import MISPEvent

from caseapp.domain.exchange.tlp import TLP
from caseapp.services.exchange.share import share_case
from tests.services.exchange.conftest import MARKUP, TIPSTER

_TYPES = json.loads((Path(os.path.dirname(pymisp.__file__)) / "data" /
                     "describeTypes.json").read_text())["result"]["category_type_mappings"]


def load(path: Path) -> MISPEvent:
    event = MISPEvent()
    event.load(path.read_text(encoding="utf-8"))
    return event


@pytest.mark.parametrize("tlp", list(TLP))
def test_loads_back_with_allowed_types_and_tlp(demo: Any, tmp_path: Path, tlp: TLP) -> None:
    out = tmp_path / "event.json"
    share_case(demo, "CASE-2026-0001", "misp", out, tlp=tlp)
    event = load(out)
    assert event.info.startswith("CASE-2026-0001: ")
    assert tlp.misp_tag in [t.name for t in event.tags]
    attrs = list(event.attributes) + [a for o in event.objects for a in o.attributes]
    assert attrs
    for attr in attrs:
        assert attr.type in _TYPES[attr.category], (attr.category, attr.type)
    person = event.objects[0]
    assert person.name == "person"
    assert person.get_attributes_by_relation("full-name")[0].value == "Daniel Park"
    assert person.references  # to its identifiers' event attributes


def test_confirmed_case_sets_to_ids_and_redacts_accounts(demo: Any, tmp_path: Path) -> None:
    out = tmp_path / "event.json"
    share_case(demo, "CASE-2026-0001", "misp", out)
    event = load(out)
    by_type = {a.type: a for a in event.attributes}
    assert by_type["email"].to_ids and by_type["ip-src"].to_ids
    bank = by_type["bank-account-nr"]
    assert bank.value.startswith("[REDACTED] …") and not bank.to_ids


def test_markup_non_latin_wallet_and_tipster(demo: Any, tmp_path: Path) -> None:
    out = tmp_path / "c4.json"
    share_case(demo, "CASE-2026-0004", "misp", out, tlp=TLP.CLEAR)
    event = load(out)
    assert "北朝鮮" in event.info
    person = event.objects[0]
    assert person.get_attributes_by_relation("full-name")[0].value == MARKUP
    assert {a.value for a in person.get_attributes_by_relation("alias")} == {
        "김철수", "Иван <Петров>"}
    btc = [a for a in event.attributes if a.type == "btc"]
    assert btc and btc[0].category == "Financial fraud" and not btc[0].to_ids  # unconfirmed
    out2 = tmp_path / "c2.json"
    share_case(demo, "CASE-2026-0002", "misp", out2)
    assert TIPSTER not in out2.read_text(encoding="utf-8")
