"""scan_exhibits through the services on a real store with real image and text exhibits:
the same photo re-encoded and resized under another subject (of another case) and a
near-duplicate résumé fire reused-photo / reused-text; a control subject with a different
photo and résumé in the same case stays silent."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

from PIL import Image, ImageDraw
from sqlmodel import select

from caseapp.domain.models import AuditEntry
from caseapp.services.cases.cases import create_case
from caseapp.services.cases.subjects import add_subject
from caseapp.services.evidence.evidence import ingest_file
from caseapp.services.signals.findings import list_findings
from caseapp.services.signals.scan import scan_exhibits

RESUME = (
    "Jane Roe - Senior Full Stack Engineer. Summary: eight years building web platforms "
    "with React, Node.js, Go and PostgreSQL for fintech and logistics companies; led a team "
    "of five; migrated a monolith to Kubernetes on AWS with zero downtime. Experience: "
    "Northwind Logistics, Senior Engineer 2021-2025, designed the shipment tracking API "
    "serving two million requests per day, cut cloud costs by 30 percent. Contoso Pay, "
    "Software Engineer 2017-2021, built the card onboarding flow and the fraud rules "
    "service. Education: BSc Computer Science, University of Texas at Austin, 2017. Skills: "
    "TypeScript, Go, Python, Terraform, CI/CD, observability, mentoring, agile delivery. "
    "Available immediately for fully remote work in US time zones.")
OTHER_RESUME = (
    "Carl Control - Data Analyst. Six years of reporting and forecasting in retail; SQL, "
    "Excel, Power BI and some Python; built the weekly sales dashboard used by forty store "
    "managers, automated the inventory reconciliation that took two days by hand, trained "
    "colleagues on pivot tables. Experience: Fabrikam Stores 2019-2025, Analyst; Litware "
    "Market Research 2018-2019, Junior Analyst. Education: BA Economics, Texas State "
    "University. Based in San Marcos, Texas; happy to come to the Austin office twice a week.")


def _picture(seed: int) -> Image.Image:
    rng = random.Random(seed)
    image = Image.new("RGB", (256, 256), (rng.randrange(256), 120, 90))
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randrange(256), rng.randrange(256)
        r = rng.randrange(10, 70)
        draw.ellipse((x - r, y - r, x + r, y + r),
                     fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    return image


def _file(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _jpeg_resized(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.resize((160, 160)).save(out, "JPEG", quality=60)
    return out.getvalue()


def test_reused_photo_and_resume_fire_and_the_control_stays_silent(ws, tmp_path: Path) -> None:
    own = create_case(ws, "Hiring fraud").ref
    add_subject(ws, own, "Jane Roe")
    add_subject(ws, own, "Carl Control")
    other = create_case(ws, "Earlier applicant").ref
    add_subject(ws, other, "Mary Major")
    jane = _picture(1)
    ingest_file(ws, own, _file(tmp_path, "jane.png", _png(jane)),
                title="Profile photo of Jane Roe")
    ingest_file(ws, own, _file(tmp_path, "carl.png", _png(_picture(2))),
                title="Profile photo of Carl Control")
    ingest_file(ws, own, _file(tmp_path, "jane-cv.txt", RESUME.encode()),
                title="Résumé of Jane Roe")
    ingest_file(ws, own, _file(tmp_path, "carl-cv.txt", OTHER_RESUME.encode()),
                title="Résumé of Carl Control")
    # the earlier case: Jane's photo re-encoded and resized, her résumé under another name
    ingest_file(ws, other, _file(tmp_path, "mary.jpg", _jpeg_resized(jane)), title="Photo")
    reworded = RESUME.replace("Jane Roe", "Mary Major").replace("eight years", "8 years")
    ingest_file(ws, other, _file(tmp_path, "mary-cv.txt", reworded.encode()), title="CV")

    found = scan_exhibits(ws, own)
    assert {(f["rule"], f["subject"]) for f in found} == {("reused-photo", "Jane Roe"),
                                                          ("reused-text", "Jane Roe")}
    photo = next(f for f in found if f["rule"] == "reused-photo")
    assert photo["exhibits"] == [f"{own}/E-001", f"{other}/E-001"]
    assert photo["detail"]["other_subject"] == "Mary Major"
    assert photo["detail"]["other_case"] == other
    assert photo["detail"]["distance"] <= photo["detail"]["max_distance"] == 6
    assert photo["redflag_item"] == "identity.borrowed-photo" and photo["status"] == "open"
    assert [d["name"] for d in photo["data"]] == ["imagehash pHash 64-bit"]
    text = next(f for f in found if f["rule"] == "reused-text")
    assert text["exhibits"] == [f"{own}/E-003", f"{other}/E-002"]
    assert text["detail"]["similarity"] >= 90 and text["detail"]["other_subject"] == "Mary Major"
    # stored: the case's findings view lists them, nothing for the control subject
    view = list_findings(ws, own)
    assert sorted((f["rule"], f["subject"]) for f in view.findings) == [
        ("reused-photo", "Jane Roe"), ("reused-text", "Jane Roe")]
    with ws.session() as session:
        entry = session.exec(select(AuditEntry).where(
            AuditEntry.action == "signals.exhibits-scanned")).one()
    assert json.loads(entry.detail)["images"] == 3 and json.loads(entry.detail)["texts"] == 3

    # the other case sees the same reuse from its side; scanning again does not duplicate
    assert {(f["rule"], f["subject"]) for f in scan_exhibits(ws, other)} == {
        ("reused-photo", "Mary Major"), ("reused-text", "Mary Major")}
    assert len(scan_exhibits(ws, own)) == 2 and len(list_findings(ws, own).findings) == 2


def test_different_photos_and_texts_stay_silent(ws, tmp_path: Path) -> None:
    own = create_case(ws, "Clean case").ref
    add_subject(ws, own, "Jane Roe")
    add_subject(ws, own, "Carl Control")
    for n, name in enumerate(("Jane Roe", "Carl Control")):
        ingest_file(ws, own, _file(tmp_path, f"p{n}.png", _png(_picture(10 + n))),
                    title=f"Profile photo of {name}")
    ingest_file(ws, own, _file(tmp_path, "a.txt", RESUME.encode()), title="CV of Jane Roe")
    ingest_file(ws, own, _file(tmp_path, "b.txt", OTHER_RESUME.encode()),
                title="CV of Carl Control")
    assert scan_exhibits(ws, own) == []
    assert list_findings(ws, own).findings == []
