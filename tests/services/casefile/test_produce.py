"""Legal productions: volume layout, load files read back, Bates continuity, privilege log,
signatures, AUDIT-HEAD anchors, and what a cancelled or killed production leaves."""

from __future__ import annotations

import io
import subprocess
import warnings
from pathlib import Path

import pytest
from local_tsa import dummy_tsa
from PIL import Image
from pypdf import PdfReader

from caseapp.domain import loadfiles
from caseapp.services.casefile import produce as prod
from caseapp.services.casefile import signing
from caseapp.services.cases import cases
from caseapp.services.errors import Cancelled, Conflict, InvalidInput
from caseapp.services.evidence import evidence
from caseapp.services.maintenance import verify

KOREAN = "서울 사무소 메모 王伟 note"
ENDORSE = "CONFIDENTIAL - SUBJECT TO PROTECTIVE ORDER"


@pytest.fixture
def case_ref(ws, tmp_path: Path) -> str:
    ref = cases.create_case(ws, "Production case").ref
    src = tmp_path / "src"
    src.mkdir()
    png = io.BytesIO()
    Image.new("RGB", (320, 200), (30, 90, 200)).save(png, "PNG")
    files = {
        "badge photo.png": png.getvalue(),
        "메모 한국어.txt": ("\n".join(f"{KOREAN} line {i} " + "wrap " * 40
                                     for i in range(120))).encode("utf-8"),
        "privileged memo.txt": b"Counsel advice: settle the matter quickly.\n",
        "archive.zip": b"PK\x03\x04" + bytes(range(256)) * 8,
        "王伟 简历.txt": "王伟的简历：北京，工程师。\n".encode(),
    }
    for name, data in files.items():
        (src / name).write_bytes(data)
        evidence.ingest_file(ws, ref, src / name, acquisition=evidence.Acquisition(
            acquired_by="J. Doe", acquired_from="김민수 (HR)", method="copy"))
    return ref


def _read_volume(root: Path, volume: str) -> tuple[list[dict[str, str]], list[loadfiles.OptPage]]:
    dat_bytes = (root / volume / "DATA" / f"{volume}.dat").read_bytes()
    assert dat_bytes.startswith(b"\xef\xbb\xbf") and dat_bytes.endswith(b"\r\n")
    rows = loadfiles.parse_dat(dat_bytes.decode("utf-8"))
    opt_bytes = (root / volume / "DATA" / f"{volume}.opt").read_bytes()
    opt_bytes.decode("ascii")
    assert b"\n" not in opt_bytes.replace(b"\r\n", b"")
    return rows, loadfiles.parse_opt(opt_bytes.decode("ascii"))


def _win(root: Path, volume: str, link: str) -> Path:
    return root / volume / Path(*link.split("\\"))


def test_volume_load_files_match_pdfs_and_sums(ws, case_ref, tmp_path) -> None:
    out = tmp_path / "prod1"
    result = prod.produce(ws, case_ref, out, prod.ProduceOptions(
        prefix="ACME", volume="VOL001", endorsement=ENDORSE,
        withhold=(prod.Withhold("E-003", "attorney-client"),)))
    assert result.bates_first == "ACME-000001" and result.number == 1
    assert sorted(p.name for p in (out / "VOL001").iterdir()) == ["DATA", "IMAGES", "NATIVES",
                                                                  "TEXT"]
    rows, pages = _read_volume(out, "VOL001")
    assert [r["EXHIBIT"] for r in rows] == ["E-001", "E-002", "E-004", "E-005"]
    chinese = rows[3]
    assert chinese["FILENAME"] == "王伟 简历.txt" and chinese["FILEEXT"] == "txt"
    assert "王伟的简历" in _win(out, "VOL001", chinese["TEXTLINK"]).read_text(encoding="utf-8")
    assert "王伟的简历" in PdfReader(str(_win(out, "VOL001", chinese["IMAGELINK"]))
                                ).pages[0].extract_text()
    expected = 1
    for row in rows:
        pdf = _win(out, "VOL001", row["IMAGELINK"])
        count = len(PdfReader(str(pdf)).pages)
        first, last = (int(row[k].rsplit("-", 1)[1]) for k in ("BEGBATES", "ENDBATES"))
        assert first == expected and last - first + 1 == count == int(row["PAGES"])
        expected = last + 1
        assert _win(out, "VOL001", row["NATIVELINK"]).is_file()
        assert _win(out, "VOL001", row["TEXTLINK"]).is_file()
        assert row["CUSTODIAN"] == "김민수 (HR)" and row["CONFIDENTIALITY"] == ENDORSE
        doc_pages = [p for p in pages if p.path == row["IMAGELINK"]]
        assert [p.bates for p in doc_pages] == [loadfiles.bates_label("ACME", n)
                                                for n in range(first, last + 1)]
        assert doc_pages[0].doc_break and doc_pages[0].pages == count
        assert not any(p.doc_break for p in doc_pages[1:])
    assert result.bates_last == rows[-1]["ENDBATES"]
    text_row = rows[1]
    assert text_row["FILENAME"] == "메모 한국어.txt" and int(text_row["PAGES"]) > 1
    text = _win(out, "VOL001", text_row["TEXTLINK"]).read_text(encoding="utf-8")
    assert KOREAN in text
    extracted = PdfReader(str(_win(out, "VOL001", text_row["IMAGELINK"]))).pages[0].extract_text()
    assert "서울" in extracted and "王伟" in extracted and ENDORSE in extracted
    assert rows[0]["BEGBATES"] in PdfReader(str(_win(out, "VOL001", rows[0]["IMAGELINK"]))
                                            ).pages[0].extract_text()
    slip = PdfReader(str(_win(out, "VOL001", rows[2]["IMAGELINK"]))).pages[0].extract_text()
    assert rows[2]["FILENAME"] == "archive.zip"
    assert "produced in native form" in slip and rows[2]["BEGBATES"] in slip
    done = subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=out,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    listed = (out / "SHA256SUMS").read_text(encoding="utf-8")
    assert "VOL001/DATA/VOL001.dat" in listed and "AUDIT-HEAD.txt" in listed
    # the withheld exhibit: in the privilege log, nowhere in the volume
    log = (out / "PRIVILEGE_LOG.csv").read_text(encoding="utf-8-sig")
    assert "E-003" in log and "Attorney-client privilege" in log and "Counsel" not in log
    for path in (out / "VOL001").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"Counsel advice" not in data and b"E-003" not in data
    # the CSV copy for people
    csv_text = (out / "VOL001" / "DATA" / "VOL001.csv").read_text(encoding="utf-8-sig")
    assert csv_text.splitlines()[0].startswith("BEGBATES,ENDBATES")


def test_supplemental_production_continues_and_audit_head_anchors(ws, case_ref,
                                                                  tmp_path) -> None:
    first = prod.produce(ws, case_ref, tmp_path / "p1",
                         prod.ProduceOptions(prefix="ACME", exhibits=("E-001", "E-002")))
    second = prod.produce(ws, case_ref, tmp_path / "p2",
                          prod.ProduceOptions(prefix="ACME", exhibits=("E-4",)))
    last = int(first.bates_last.rsplit("-", 1)[1])
    assert second.bates_first == loadfiles.bates_label("ACME", last + 1)
    assert second.number == 2 and second.volume == "VOL002"
    other = cases.create_case(ws, "Another matter").ref
    (tmp_path / "x.txt").write_text("x", encoding="utf-8")
    evidence.ingest_file(ws, other, tmp_path / "x.txt")
    third = prod.produce(ws, other, tmp_path / "p3", prod.ProduceOptions(prefix="ACME"))
    assert third.bates_first == loadfiles.bates_label(
        "ACME", int(second.bates_last.rsplit("-", 1)[1]) + 1)  # the prefix spans cases
    listed = prod.list_productions(ws, case_ref)
    assert [p["production"] for p in listed] == [1, 2] and all(p["present"] for p in listed)
    head = (tmp_path / "p1" / "AUDIT-HEAD.txt").read_text(encoding="ascii")
    assert head.startswith("caseapp audit chain head: entry ")
    report = verify.verify_store(ws, anchor_files=[tmp_path / "p1" / "AUDIT-HEAD.txt",
                                                   tmp_path / "p2"])
    assert report.ok, report.problems
    logged = (ws.home / "anchors.log").read_text(encoding="ascii")
    assert logged.count('"production"') == 3


def test_cancel_leaves_nothing_and_uses_no_number(ws, case_ref, tmp_path) -> None:
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(Cancelled):
        prod.produce(ws, case_ref, tmp_path / "c", prod.ProduceOptions(prefix="ACME"),
                     cancel=cancel)
    assert not (tmp_path / "c").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".c.")] == []
    assert prod.list_productions(ws, case_ref) == []
    again = prod.produce(ws, case_ref, tmp_path / "c", prod.ProduceOptions(prefix="ACME"))
    assert again.bates_first == "ACME-000001"


def test_bad_inputs(ws, case_ref, tmp_path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(Conflict):
        prod.produce(ws, case_ref, tmp_path / "full")
    with pytest.raises(InvalidInput):
        prod.produce(ws, case_ref, tmp_path / "o", prod.ProduceOptions(exhibits=("E-099",)))
    with pytest.raises(InvalidInput):
        prod.produce(ws, case_ref, tmp_path / "o", prod.ProduceOptions(prefix="bad prefix"))
    with pytest.raises(InvalidInput):
        prod.produce(ws, case_ref, tmp_path / "o", prod.ProduceOptions(
            withhold=(prod.Withhold("E-001", "because"),)))
    assert prod.parse_withhold(["e-2=Work Product:Notes"]) == (
        prod.Withhold("e-2", "work-product", "Notes"),)


def _validate(pdf: Path, identity: signing.SigningIdentity):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko_certvalidator import ValidationContext
    with open(pdf, "rb") as handle:
        reader = PdfFileReader(handle, strict=False)
        sig = reader.embedded_signatures[0]
        return validate_pdf_signature(
            sig, ValidationContext(trust_roots=[identity.signer.signing_cert]))


def test_signed_production_validates_and_a_changed_byte_fails(ws, case_ref, tmp_path) -> None:
    p12 = tmp_path / "me.p12"
    from cryptography.hazmat.primitives.serialization import (
        BestAvailableEncryption,
        pkcs12,
    )

    key, cert, _ = pkcs12.load_key_and_certificates(
        signing.make_self_signed_p12("Test Investigator"), None)
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"me", key, cert, None, BestAvailableEncryption(b"s3cret")))
    with pytest.raises(InvalidInput):
        signing.load_p12(p12, "wrong")
    identity = signing.load_p12(p12, "s3cret")
    assert "Test Investigator" in identity.subject
    result = prod.produce(ws, case_ref, tmp_path / "s", prod.ProduceOptions(
        prefix="SIG", exhibits=("E-001",), signer=identity))
    pdf = tmp_path / "s" / "VOL001" / "IMAGES" / "SIG-000001.pdf"
    status = _validate(pdf, identity)
    assert status.intact and status.valid and status.trusted and result.signed
    data = bytearray(pdf.read_bytes())
    at = data.index(b"SIG-000001") if b"SIG-000001" in data else len(data) // 3
    data[at] ^= 0x01
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    assert not _validate(tampered, identity).intact
    # --sign alone: the store's own self-signed certificate, made once and kept in the store
    own = signing.self_signed(ws)
    assert own.self_signed and signing.self_signed(ws).subject == own.subject


def test_every_signed_document_validates_and_names_its_certificate(ws, case_ref,
                                                                    tmp_path) -> None:
    """The signing-certificate attribute is encoded once per signer and reused: every
    document of a signed production (the case file too) validates, and each one's attribute
    is the one pyHanko builds for the certificate."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.general import as_signing_certificate_v2

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        identity = signing.self_signed(ws)
    out = tmp_path / "all"
    result = prod.produce(ws, case_ref, out, prod.ProduceOptions(
        prefix="ALL", signer=identity, case_file=True))
    pdfs = sorted((out / "VOL001" / "IMAGES").glob("*.pdf"))
    assert len(pdfs) == len(result.documents) > 3
    expected = as_signing_certificate_v2(identity.signer.signing_cert).dump()
    for pdf in pdfs:
        status = _validate(pdf, identity)
        assert status.intact and status.valid and status.trusted, pdf.name
        with open(pdf, "rb") as handle:
            signed = PdfFileReader(handle, strict=False).embedded_signatures[0]
            attrs = signed.signer_info["signed_attrs"]
        values = [a["values"][0] for a in attrs
                  if a["type"].native == "signing_certificate_v2"]
        assert len(values) == 1 and values[0].dump() == expected, pdf.name


def test_rendered_page_looks_right(ws, case_ref, tmp_path) -> None:
    out = tmp_path / "look"
    prod.produce(ws, case_ref, out, prod.ProduceOptions(prefix="ACME", endorsement=ENDORSE,
                                                        exhibits=("E-001",)))
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-singlefile",
                    str(out / "VOL001" / "IMAGES" / "ACME-000001.pdf"), str(tmp_path / "pg")],
                   check=True)
    with Image.open(tmp_path / "pg.png") as img:
        rgb = img.convert("RGB")
        width, height = rgb.size
        middle = rgb.getpixel((width // 2, height // 5))
        assert middle[2] > 150 and middle[0] < 80  # the blue image is placed on the page
        footer = rgb.crop((0, int(height * 0.95), width, height)).convert("L")
        assert footer.getextrema()[0] < 100  # Bates/endorsement ink


def test_case_file_as_last_document(ws, case_ref, tmp_path) -> None:
    out = tmp_path / "cf"
    result = prod.produce(ws, case_ref, out, prod.ProduceOptions(
        prefix="CF", exhibits=("E-001",), case_file=True, endorsement=ENDORSE))
    assert [d["exhibit"] for d in result.documents] == ["E-001", "CASE-FILE"]
    rows, pages = _read_volume(out, "VOL001")
    case_row = rows[-1]
    pdf = PdfReader(str(_win(out, "VOL001", case_row["IMAGELINK"])))
    assert int(case_row["PAGES"]) == len(pdf.pages) > 3
    assert case_row["BEGBATES"] == "CF-000002"
    assert case_row["BEGBATES"] in pdf.pages[0].extract_text()  # stamped under the prefix
    assert case_row["ENDBATES"] in pdf.pages[-1].extract_text()
    assert len(pages) == 1 + len(pdf.pages)
    with pytest.raises(InvalidInput):
        prod.produce(ws, case_ref, tmp_path / "cf2", prod.ProduceOptions(
            case_file=True, withhold=(prod.Withhold("E-003", "work-product"),)))


def test_signature_with_rfc3161_timestamp(ws, case_ref, tmp_path) -> None:
    from dataclasses import replace

    stamper, tsa_cert = dummy_tsa()
    identity = replace(signing.self_signed(ws), timestamper=stamper, tsa="test TSA")
    prod.produce(ws, case_ref, tmp_path / "ts", prod.ProduceOptions(
        prefix="TS", exhibits=("E-001",), signer=identity))
    pdf = tmp_path / "ts" / "VOL001" / "IMAGES" / "TS-000001.pdf"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko_certvalidator import ValidationContext
    with open(pdf, "rb") as handle:
        status = validate_pdf_signature(
            PdfFileReader(handle).embedded_signatures[0],
            ValidationContext(trust_roots=[identity.signer.signing_cert, tsa_cert]))
    assert status.intact and status.valid and status.trusted
    assert status.timestamp_validity is not None and status.timestamp_validity.intact
    with pytest.raises(InvalidInput):
        signing.with_tsa(identity, "ftp://tsa.example")
