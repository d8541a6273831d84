"""Property tests through the services on a real store: any file name the OS allows ingests and
round-trips through export, and a tips CSV of any shape imports or is rejected by line."""

from __future__ import annotations

import csv
import io
import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseapp.services.casefile.exports import export_case_file
from caseapp.services.cases import cases
from caseapp.services.errors import InvalidInput
from caseapp.services.evidence import evidence
from caseapp.services.tips.importer import import_tips_csv
from caseapp.services.workspace import open_workspace

STORE = settings(max_examples=60, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow,
                                        HealthCheck.function_scoped_fixture])

# POSIX file names are bytes without "/" and NUL (255 bytes at most on common file systems).
NAME_BYTES = st.binary(min_size=1, max_size=120).filter(
    lambda b: b"/" not in b and b"\0" not in b and b not in (b".", b".."))
TEXT_NAMES = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="/\0"),
                     min_size=1, max_size=60).filter(
    lambda s: s not in (".", "..") and len(s.encode()) <= 200)


@pytest.mark.skipif(sys.platform == "win32", reason="byte file names are POSIX")
def test_any_file_name_ingests_and_round_trips(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "home")
    case = cases.create_case(ws, "Names")
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    out.mkdir()
    seen: dict[str, bytes] = {}
    counter = [0]

    @STORE
    @given(raw=st.one_of(NAME_BYTES, TEXT_NAMES.map(os.fsencode)))
    def ingest_and_export(raw: bytes) -> None:
        counter[0] += 1
        body = b"content of " + raw + str(counter[0]).encode()
        folder = src / str(counter[0])
        folder.mkdir()
        path_bytes = os.path.join(os.fsencode(folder), raw)
        try:
            with open(path_bytes, "xb") as handle:
                handle.write(body)
        except OSError:
            return  # a name this file system does not take
        path = Path(os.fsdecode(path_bytes))
        ev = evidence.ingest_file(ws, case.ref, path)
        assert ev.size == len(body)
        name = ev.original_name
        name.encode("utf-8")  # recorded as text every layer can store and show
        assert name
        if all(not 0xDC80 <= ord(c) <= 0xDCFF for c in os.fsdecode(raw)):
            assert name == os.fsdecode(raw)  # a decodable name is kept exactly
        dest = evidence.export_original(ws, case.ref, ev.exhibit, out)
        assert dest.parent == out and dest.read_bytes() == body
        dest.unlink()
        seen[ev.exhibit] = body

    try:
        ingest_and_export()
        listed = {e.exhibit: e for e in evidence.list_evidence(ws, case.ref)}
        assert set(seen) <= set(listed)
        result = export_case_file(ws, case.ref, tmp_path / "case.pdf")
        assert result.path.read_bytes().startswith(b"%PDF")
    finally:
        ws.close()


def _cell() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=30),
        st.sampled_from(["hotline", "email", "web-form", "2026-03-01T10:00:00Z", "yes", "A",
                         "3", "email:a@x.example;phone:+1 202 555 0101", "", "=cmd|' /C'!A0",
                         "<b>bold</b>", "王伟", "\u202egpj.exe"]))


HEADERS = st.lists(st.sampled_from(
    ["received_at", "channel", "content", "identifiers", "programme", "reference", "anonymous",
     "tipster_name", "tipster_contact", "reliability", "credibility", "bogus", ""]),
    min_size=1, max_size=8)


def test_tips_csv_of_any_shape_imports_or_names_the_line(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "home")
    file = tmp_path / "tips.csv"

    @STORE
    @given(header=HEADERS, rows=st.lists(st.lists(_cell(), max_size=9), max_size=6),
           garbage=st.sampled_from(["", '"unterminated\n', "\x00\x00\n", ",,,,\n"]))
    def import_any(header: list[str], rows: list[list[str]], garbage: str) -> None:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        text = buffer.getvalue() + garbage
        file.write_text(text, encoding="utf-8", newline="")
        try:
            report = import_tips_csv(ws, file)
        except InvalidInput as exc:
            assert str(exc).strip()
            return
        lines = text.count("\n") + 1
        for error in report.errors:
            assert 1 < error.line <= lines, (error, text)
            assert error.error.strip()
        assert report.imported + report.skipped_duplicates + len(report.errors) <= len(rows) + 1

    try:
        import_any()
    finally:
        ws.close()
