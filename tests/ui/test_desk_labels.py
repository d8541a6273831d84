"""Labels in words, not ids: identifier kinds, a new case's Risk, the template and item."""

from __future__ import annotations

import re

from caseapp.services.cases import cases, subjects
from caseapp.services.cases.subjects import IdentifierInput
from caseapp.services.maintenance import demo


def test_identifier_kinds_read_as_words(window) -> None:
    ref = cases.create_case(window.ctx.ws, "Kinds").ref
    subjects.add_subject(window.ctx.ws, ref, "Kim", identifiers=[
        IdentifierInput("email", "kim@example.org"), IdentifierInput("ip", "198.51.100.7"),
        IdentifierInput("bank", "US00 FICT 0000 1234 5678 90")])
    tab = window.open_case(ref).show_tab("subjects")
    tab.refresh()
    model = tab.model
    kinds = {model.index(r, 0).data() for r in range(model.rowCount())}
    assert kinds == {"E-mail", "IP address", "Bank account"}


def test_new_case_risk_says_not_assessed(window) -> None:
    ref = cases.create_case(window.ctx.ws, "Fresh case").ref
    page = window.show_page("cases")
    page.list.reload()
    model = page.list.model
    assert model.index(model.row_of(ref), 4).data() == "not assessed"


def test_template_and_item_shown_by_name_not_id(window) -> None:
    demo.load_demo(window.ctx.ws)
    tab = window.open_case("CASE-2026-0001").show_tab("redflags")
    tab.select_item("identity.shared-contact")
    header = tab.header.template_label.text()
    assert "dprk-remote-it-worker" not in header and re.search(r"version \d+$", header)
    assert "identity.shared-contact" not in tab.panel.meta.text()
    assert "identity.shared-contact" in tab.panel.meta.toolTip()
