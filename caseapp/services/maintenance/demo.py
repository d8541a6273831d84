"""A realistic, clearly fictional demo data set around the remote-IT-worker pattern.

Every name, company, number and address here is invented. Phone numbers use reserved
fictional ranges (+1 555-01xx), IPs the documentation ranges (RFC 5737/3849), domains the
reserved ``.example`` TLD.
"""

from __future__ import annotations

import csv
import io
import struct
import tempfile
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import select

from caseapp.domain.models import Case
from caseapp.services.cases import cases, notes, subjects
from caseapp.services.cases.subjects import IdentifierInput as Ident
from caseapp.services.errors import Conflict
from caseapp.services.evidence import evidence
from caseapp.services.maintenance import demo_tips
from caseapp.services.redflags import checklists
from caseapp.services.workspace import Workspace

SHARED_FORWARDING_ADDRESS = "1208 Larkspur Ct, Apt 4B, Millbrook, NJ 07999, USA"
SHARED_PAYMENT_ACCOUNT = "US00 FICT 0000 1234 5678 90"


def _png(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    """A small solid-colour PNG with a darker frame, built without any imaging library."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            edge = x < 4 or y < 4 or x >= width - 4 or y >= height - 4
            pixel = tuple(c // 3 for c in colour) if edge else colour
            row.extend(pixel)
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw)
            + chunk(b"IEND", b""))


def _login_csv(rows: list[tuple[str, str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["timestamp_utc", "account", "source_ip", "country", "client"])
    for stamp, ip, country in rows:
        writer.writerow([stamp, "jdoe-contractor", ip, country, "VPN client"])
    return buffer.getvalue().encode("utf-8")


CASES: list[dict[str, Any]] = [
    {
        "title": "Contract developer 'Daniel Park' — laptop forwarded abroad",
        "priority": "high",
        "summary": "Backend contractor hired through a freelance platform in March. Company "
                   "laptop was shipped to a New Jersey address that is not the one on the "
                   "résumé; logins come through a consumer VPN at hours that fit UTC+9.",
        "opened": datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
        "subject": {
            "name": "Daniel Park", "aliases": ["김민준 (Kim Min-jun)", "Dan P."],
            "role": "Senior backend engineer (contract)", "platform": "FreelanceHub (fictional)",
            "location": "Austin, TX (claimed)",
            "identifiers": [
                Ident("email", "Daniel.Park.Dev+jobs@mailbox.example"),
                Ident("phone", "+1 (512) 555-0142"),
                Ident("url", "https://www.linkedin.com/in/daniel-park-dev-0000/"),
                Ident("address", SHARED_FORWARDING_ADDRESS),
                Ident("bank", SHARED_PAYMENT_ACCOUNT),
                Ident("ip", "198.51.100.23"),
                Ident("device", "LAPTOP-SN-FX12-0042"),
            ],
        },
        "notes": [
            (datetime(2026, 3, 2, 10, 15, tzinfo=UTC), "HR flagged the shipping address "
             "change two days after the offer: from Austin, TX to Millbrook, NJ."),
            (datetime(2026, 3, 4, 15, 0, tzinfo=UTC), "Video interview replayed: the "
             "candidate's camera froze whenever he was asked about Austin neighbourhoods."),
            (datetime(2026, 3, 9, 1, 40, tzinfo=UTC), "Endpoint agent shows a remote-access "
             "tool installed within 6 hours of first boot."),
        ],
        "exhibits": [
            ("interview-notes.txt", "Interview notes, 28 Feb 2026\nCandidate avoided the "
             "question about his previous manager.\nClaimed BSc from a university abroad; "
             "claims to live in Austin.\n<b>Note:</b> answers read from a script & paused.\n"),
            ("profile-photo.png", None),
            ("vpn-logins.csv", [("2026-03-05T00:12:00Z", "198.51.100.23", "US"),
                                ("2026-03-05T00:40:00Z", "203.0.113.77", "CN"),
                                ("2026-03-06T01:03:00Z", "192.0.2.145", "RU")]),
        ],
        # Red-flag answers: (item id, state, note, exhibits).
        "flags": [
            ("logistics.ship-to-mismatch", "confirmed", "Shipping address changed from Austin, "
             "TX to Millbrook, NJ two days after the offer.", []),
            ("logistics.forwarded-abroad", "confirmed", "Courier confirms the laptop left the "
             "NJ address on an international waybill.", []),
            ("technical.remote-access-tools", "confirmed", "Remote-access tool installed within "
             "6 hours of first boot (endpoint agent).", []),
            ("technical.vpn-unusual-asn", "suspected", "Consumer VPN; exits in three countries "
             "within a day.", ["E-003"]),
            ("interview.scripted-answers", "suspected", "Answers read from a script.",
             ["E-001"]),
            ("interview.avoids-video", "not-observed", "Camera on throughout the interview.", []),
        ],
    },
    {
        "title": "QA contractor 'Alex Morgan' — shared forwarding address",
        "priority": "critical",
        "summary": "A second contractor, hired by another business unit, lists the same "
                   "New Jersey forwarding address and is paid into the same third-party "
                   "account as CASE 1's subject.",
        "opened": datetime(2026, 4, 14, 13, 0, tzinfo=UTC),
        "subject": {
            "name": "Alex Morgan", "aliases": ["Алексей Морозов", "amorgan_qa"],
            "role": "QA automation engineer", "platform": "Direct application",
            "location": "Seattle, WA (claimed)",
            "identifiers": [
                Ident("email", "alex.morgan.qa@mailbox.example"),
                Ident("phone", "+1 206 555 0187"),
                Ident("url", "https://github.com/AlexMorganQA"),
                Ident("address", "1208 Larkspur Court, Apt. 4B, Millbrook, NJ 07999, USA"),
                Ident("bank", SHARED_PAYMENT_ACCOUNT),
                Ident("handle", "@amorgan_qa"),
            ],
        },
        "notes": [
            (datetime(2026, 4, 14, 14, 0, tzinfo=UTC), "Payroll reports the same receiving "
             "account as the contractor in the March case."),
            (datetime(2026, 4, 20, 9, 0, tzinfo=UTC), "Requested in-person onboarding; the "
             "contractor declined, citing a family emergency."),
        ],
        "exhibits": [
            ("payroll-change-request.txt", "Payroll change request\nNew beneficiary: third "
             "party 'Lumen Trade Services (fictional)'\nAccount: US00 FICT 0000 1234 5678 90\n"),
            ("shipping-label.png", None),
            ("vpn-logins.csv", [("2026-04-15T23:55:00Z", "203.0.113.77", "CN"),
                                ("2026-04-16T00:20:00Z", "198.51.100.99", "US")]),
        ],
        "flags": [
            ("payment.third-party-name", "confirmed", "Beneficiary is 'Lumen Trade Services', "
             "not the contractor.", ["E-001"]),
            ("interview.avoids-in-person", "confirmed", "Declined in-person onboarding.", []),
            ("logistics.laptop-farm", "suspected", "Same NJ forwarding address as the subject "
             "of the March case.", ["E-002"]),
            ("behaviour.time-zone-mismatch", "suspected", "Logins around midnight UTC, i.e. "
             "afternoon in Seattle only on paper.", ["E-003"]),
        ],
    },
    {
        "title": "Designer applicant 'Li Wei' — borrowed profile, VoIP number",
        "priority": "medium",
        "summary": "Applicant's professional-network profile belongs to a real designer who "
                   "confirmed she never applied. The phone number is a VoIP line.",
        "opened": datetime(2026, 5, 6, 8, 45, tzinfo=UTC),
        "subject": {
            "name": "Li Wei", "aliases": ["王伟", "Lee Way"],
            "role": "Product designer", "platform": "JobBoard (fictional)",
            "location": "Toronto, ON (claimed)",
            "identifiers": [
                Ident("email", "liwei.design@mailbox.example"),
                Ident("phone", "+1 647 555 0123"),
                Ident("url", "https://uk.linkedin.com/in/Real-Designer-Profile?trk=public"),
                Ident("wallet", "0x52908400098527886E0F7030069857D2E4169EE7"),
            ],
        },
        "notes": [
            (datetime(2026, 5, 6, 9, 0, tzinfo=UTC), "The real owner of the profile answered "
             "our message: she has never applied to us."),
        ],
        "exhibits": [
            ("reference-check.txt", "Reference check\nThe listed previous employer's website "
             "was registered 3 weeks ago; its phone number is unanswered.\n"),
            ("portfolio-screenshot.png", None),
        ],
        "flags": [
            ("identity.stolen-identity", "confirmed", "The profile's real owner confirmed she "
             "never applied.", []),
            ("identity.shell-references", "suspected", "Previous employer's site registered 3 "
             "weeks ago; phone unanswered.", ["E-001"]),
            ("logistics.forwarded-abroad", "not-applicable", "Applicant; no device issued.", []),
            ("payment.frequent-changes", "not-applicable", "Applicant; never paid.", []),
        ],
    },
]

_COLOURS = [(70, 110, 160), (160, 90, 60), (80, 140, 90)]


def load_demo(ws: Workspace, *, signals: bool = False) -> dict[str, Any]:
    """Load the demo set into an empty store; refuses when any case exists. ``signals``
    also imports the demo sign-in logs and endpoint inventory (three more exhibits)."""
    with ws.session() as session:
        if session.exec(select(Case.id).limit(1)).first() is not None:
            raise Conflict("The store already holds cases; the demo data loads only into an "
                           "empty store (use another --home).")
    refs: list[str] = []
    with tempfile.TemporaryDirectory(prefix="caseapp-demo-") as tmp:
        for index, spec in enumerate(CASES):
            refs.append(_load_case(ws, spec, Path(tmp) / str(index), _COLOURS[index % 3]))
    tip_refs = demo_tips.load_demo_tips(ws, refs)
    result: dict[str, Any] = {"cases": refs, "exhibits": sum(len(c["exhibits"]) for c in CASES),
                              "tips": tip_refs}
    if signals:
        from caseapp.services.maintenance.demo_signals import load_demo_signals

        result["signals"] = load_demo_signals(ws, refs)
        result["exhibits"] += len(result["signals"])
    return result


def _load_case(ws: Workspace, spec: dict[str, Any], folder: Path,
               colour: tuple[int, int, int]) -> str:
    case = cases.create_case(ws, spec["title"], summary=spec["summary"],
                             priority=spec["priority"], opened_at=spec["opened"])
    subj = spec["subject"]
    subjects.add_subject(ws, case.ref, subj["name"], aliases=subj["aliases"],
                         identifiers=subj["identifiers"], role_applied=subj["role"],
                         hiring_platform=subj["platform"], claimed_location=subj["location"])
    for when, text in spec["notes"]:
        notes.add_note(ws, case.ref, text, occurred_at=when)
    folder.mkdir(parents=True)
    acquisition = evidence.Acquisition(acquired_by="demo investigator",
                                       acquired_from="HR / IT security (fictional)",
                                       method="export from source system",
                                       acquired_at=spec["opened"] + timedelta(hours=2))
    for name, content in spec["exhibits"]:
        path = folder / name
        if name.endswith(".png"):
            path.write_bytes(_png(240, 160, colour))
        elif name.endswith(".csv"):
            path.write_bytes(_login_csv(content))
        else:
            path.write_text(content, encoding="utf-8")
        evidence.ingest_file(ws, case.ref, path, acquisition=acquisition)
    for item_id, state, note, exhibits in spec.get("flags", []):
        checklists.set_item(ws, case.ref, item_id, state, note=note, exhibits=exhibits)
    if spec["priority"] == "critical":
        cases.set_status(ws, case.ref, "escalated")
    return case.ref
