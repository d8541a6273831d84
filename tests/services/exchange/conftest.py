"""The demo store plus a case whose fields hold markup and non-Latin text."""

from __future__ import annotations

from typing import Any

import pytest

from caseapp.services.cases import cases, subjects
from caseapp.services.cases.subjects import IdentifierInput as Ident
from caseapp.services.maintenance.demo import load_demo

TIPSTER = "Morgan Ellis (fictional)"  # the demo e-mail tip's tipster, linked to case 2
MARKUP = "<b>Kim</b> & \"Co\" <script>alert(1)</script>"


@pytest.fixture
def demo(ws: Any) -> Any:
    """Demo data; case 2's summary names the tipster; case 4 has markup and CJK/Cyrillic."""
    load_demo(ws)
    cases.update_case(ws, "CASE-2026-0002",
                      summary=f"Reported by {TIPSTER}; same NJ address as CASE 1.")
    case = cases.create_case(ws, "Markup <i>case</i> — 北朝鮮 IT работник",
                             summary="Summary with <tags> & ampersands; 평양 ☃")
    subjects.add_subject(ws, case.ref, MARKUP, aliases=["김철수", "Иван <Петров>"],
                         identifiers=[Ident("email", "kim.chul@mailbox.example"),
                                      Ident("wallet", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
                                      Ident("url", "https://front-company.example/"),
                                      Ident("ip", "2001:db8::7")])
    return ws
