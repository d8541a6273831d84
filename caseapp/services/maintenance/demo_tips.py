"""Fictional demo tips for the demo data set (see :mod:`caseapp.services.maintenance.demo`).

Every name, address and number is invented; e-mail domains use the reserved ``.example`` TLD
and phone numbers the fictional +1 555-01xx range.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

from caseapp.services.cases.subjects import IdentifierInput as Ident
from caseapp.services.evidence.evidence import Acquisition
from caseapp.services.tips import casework, tips
from caseapp.services.workspace import Workspace

FORWARDING_ADDRESS = "1208 Larkspur Ct, Apt 4B, Millbrook, NJ 07999, USA"
CASE1_PHONE = "+1 (512) 555-0142"

_EMAIL = """From: Sam Okafor (fictional) <sam.okafor@partner.example>
Subject: Candidate 'Alex Morgan' - same profile, third-party payee

We placed an 'Alex Morgan' last year with the same GitHub profile. After two weeks he asked
for his pay to go to a company called Lumen Trade Services. We ended the contract.
"""


def load_demo_tips(ws: Workspace, case_refs: list[str]) -> list[str]:
    """Add the demo tips; the e-mail tip is linked to the second demo case. Returns refs."""
    reward = tips.create_tip(
        ws, "Reward-programme lead: the caller knows the building at "
        f"{FORWARDING_ADDRESS}. Company laptops for several 'remote engineers' arrive there "
        f"and are collected by a courier weekly. A number posted on the door is {CASE1_PHONE}.",
        channel="reward-programme", received_at=datetime(2026, 5, 20, 16, 5, tzinfo=UTC),
        programme="IT-worker fraud reward programme (fictional)", reference="RWD-DEMO-0042",
        tipster_name="Morgan Ellis (fictional)", tipster_contact="m.ellis@tipster.example",
        relationship="Neighbour at the forwarding address", reliability="B", credibility="2",
        follow_up_due=datetime(2026, 6, 15, 12, 0, tzinfo=UTC),
        reward_status="potentially-eligible",
        identifiers=[Ident("address", FORWARDING_ADDRESS), Ident("phone", CASE1_PHONE)])
    tips.set_tip_status(ws, reward.tip.ref, "in-triage")
    hotline = tips.create_tip(
        ws, "Anonymous caller: laptops from different companies arrive at a house in "
        "Millbrook, NJ every month and are shipped on abroad. Would not give a name or "
        "a call-back number.", channel="hotline", anonymous=True,
        received_at=datetime(2026, 6, 2, 9, 40, tzinfo=UTC), reliability="F",
        credibility="3")
    email = tips.create_tip(
        ws, "A staffing agency reports that 'Alex Morgan' applied to them with the same "
        "GitHub profile and asked to be paid into a third-party account.", channel="email",
        received_at=datetime(2026, 4, 18, 11, 20, tzinfo=UTC),
        tipster_name="Sam Okafor (fictional)", tipster_contact="sam.okafor@partner.example",
        relationship="Recruiter at a partner staffing agency", reliability="C",
        credibility="2",
        identifiers=[Ident("url", "https://github.com/AlexMorganQA"),
                     Ident("email", "alex.morgan.qa@mailbox.example")])
    with tempfile.TemporaryDirectory(prefix="caseapp-demo-tips-") as tmp:
        path = Path(tmp) / "agency-email.eml"
        path.write_text(_EMAIL, encoding="utf-8")
        casework.add_attachment(ws, email.tip.ref, path, acquisition=Acquisition(
            acquired_by="demo investigator", acquired_from="tipster's e-mail (fictional)",
            method="saved from the mailbox"))
    if len(case_refs) > 1:
        casework.link_tip(ws, email.tip.ref, case_refs[1],
                            note="Same GitHub profile and payee pattern as the subject.")
    return [reward.tip.ref, hotline.tip.ref, email.tip.ref]
