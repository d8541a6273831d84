"""Full-text search: index maintenance, ranking, query syntax, CJK and accents, tipster privacy."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from caseapp.domain.search_text import (
    MAX_INDEXED_BYTES,
    Matcher,
    cjk_bigrams,
    decode_text,
    mark_window,
    term_pattern,
)
from caseapp.services.cases import cases, notes, subjects
from caseapp.services.cases.subjects import IdentifierInput
from caseapp.services.discovery import search
from caseapp.services.errors import InvalidInput
from caseapp.services.evidence import evidence
from caseapp.services.tips import tips
from caseapp.store.sqlcipher import search_index


def _found(ws, query: str) -> list[tuple[str, int]]:
    return [(h.type, h.id) for h in search.search(ws, query)]


def _types(ws, query: str) -> list[str]:
    return [h.type for h in search.search(ws, query)]


def test_case_title_summary_indexed_and_updated(ws) -> None:
    case = cases.create_case(ws, "Orion payroll diversion", summary="Salary routed to Payoneer")
    assert _found(ws, "orion") == [("case", case.id)]
    assert _found(ws, "payoneer") == [("case", case.id)]
    cases.update_case(ws, case.ref, title="Vega staffing", summary="Nothing about money")
    assert _found(ws, "orion") == [] and _found(ws, "payoneer") == []
    hit = search.search(ws, "vega")[0]
    assert (hit.type, hit.ref, hit.title) == ("case", case.ref, "Vega staffing")


def test_note_created_and_edited(ws) -> None:
    case = cases.create_case(ws, "Notes case")
    note = notes.add_note(ws, case.ref, "Met the facilitator near Tucson; laptops on a rack.")
    hit = search.search(ws, "tucson")[0]
    assert (hit.type, hit.id, hit.ref) == ("note", note.id, case.ref)
    assert "«Tucson»" in hit.snippet and "<b>Tucson</b>" in hit.snippet_html
    notes.edit_note(ws, note.id, text="Met the facilitator near Phoenix.")
    assert _found(ws, "tucson") == []
    assert _found(ws, "phoenix") == [("note", note.id)]


def test_subject_names_aliases_and_identifiers(ws) -> None:
    case = cases.create_case(ws, "Subjects")
    view = subjects.add_subject(ws, case.ref, "Olena Petrenko", aliases=["Helen Peters"],
                                identifiers=[IdentifierInput("email", "O.Petrenko@Proton.me"),
                                             IdentifierInput("phone", "+1 (520) 555-0142")])
    assert _found(ws, "helen") == [("subject", view.subject.id)]
    assert ("subject", view.subject.id) in _found(ws, "petrenko")
    email_id, phone_id = (i.id for i in view.identifiers)
    assert ("identifier", email_id) in _found(ws, "o.petrenko@proton.me")  # raw, any case
    assert _found(ws, "email:o.petrenko@PROTON.ME") == [("identifier", email_id)]
    assert _found(ws, "5205550142") == [("identifier", phone_id)]  # digits of the number
    assert _found(ws, 'phone:"520 555 0142"') == []  # no country code: not the same value
    assert _found(ws, 'phone:"+1 520-555-0142"') == [("identifier", phone_id)]
    subjects.update_subject(ws, view.subject.id, name="Olga Ivanova", aliases=[])
    assert _found(ws, "helen") == []
    assert _found(ws, "olga") == [("subject", view.subject.id)]
    ident_titles = [h.title for h in search.search(ws, "type:identifier proton")]
    assert ident_titles == ["email: O.Petrenko@Proton.me (Olga Ivanova)"]


def test_deleted_identifier_leaves_the_index(ws) -> None:
    case = cases.create_case(ws, "Delete")
    view = subjects.add_subject(ws, case.ref, "Dan",
                                identifiers=[IdentifierInput("handle", "@zorblax_dev")])
    assert _found(ws, "zorblax_dev") == [("identifier", view.identifiers[0].id)]
    subjects.remove_identifier(ws, view.identifiers[0].id)
    assert _found(ws, "zorblax_dev") == []
    with ws.store.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM search_near_key WHERE identifier_id = "
                                 ":i"), {"i": view.identifiers[0].id}).scalar() == 0


def test_exhibit_metadata_text_content_and_withdraw(ws, tmp_path: Path) -> None:
    case = cases.create_case(ws, "Exhibits")
    chat = tmp_path / "handler_chat.txt"
    chat.write_text("Handler: ship the quuxbook to the reshipper in Dallas.\n", encoding="utf-8")
    ev = evidence.ingest_file(ws, case.ref, chat, title="Chat export",
                              description="Exported from the subject's Telegram")
    [hit] = search.search(ws, "quuxbook")  # decrypted in memory, indexed
    assert (hit.type, hit.id, hit.exhibit, hit.ref) == ("exhibit", ev.id, "E-001", case.ref)
    assert hit.to_json()["exhibit"] == "E-001" and "«quuxbook»" in hit.snippet
    assert _found(ws, "handler_chat") == [("exhibit", ev.id)]  # file name
    assert _found(ws, "telegram") == [("exhibit", ev.id)]  # description
    evidence.withdraw(ws, case.ref, "E-001", "Wrong custodian")
    assert _found(ws, "quuxbook") == [] and _found(ws, "chat export") == []
    with ws.store.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM search_pending")).scalar() == 0


def test_exhibit_text_is_capped_and_binary_is_not_read(ws, tmp_path: Path) -> None:
    case = cases.create_case(ws, "Big")
    big = tmp_path / "server.log"
    filler = ("lorem ipsum dolor sit amet " * 40 + "\n").encode()
    body = b"firstmarker\n" + filler * (MAX_INDEXED_BYTES // len(filler) + 2) + b"lastmarker\n"
    big.write_bytes(body)
    evidence.ingest_file(ws, case.ref, big)
    png = tmp_path / "photo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n pngsecretword " + bytes(range(256)) * 4)
    evidence.ingest_file(ws, case.ref, png)
    assert _types(ws, "firstmarker") == ["exhibit"]
    assert _found(ws, "lastmarker") == []  # past the first megabyte
    deep = tmp_path / "deep.txt"
    deep.write_bytes(filler * (MAX_INDEXED_BYTES // len(filler) - 1) + b"the deepmarker line\n")
    evidence.ingest_file(ws, case.ref, deep)
    [hit] = search.search(ws, "deepmarker")
    assert "the «deepmarker» line" in hit.snippet and hit.snippet.startswith("…")
    assert len(hit.snippet) < 300
    assert _found(ws, "pngsecretword") == []  # not a text-like exhibit
    assert search.index_pending(ws) == 0  # nothing left waiting


def test_decode_text_handles_encodings_and_markup() -> None:
    assert decode_text("Müller".encode("utf-16")) == "Müller"
    assert decode_text("naïve".encode("cp1252")) == "naïve"
    assert decode_text("한국어".encode()[:-1]) == "한국"  # cut inside a character
    assert "hidden" not in decode_text(b"<p>Hi <b>there</b></p><script>hidden()</script>",
                                       markup=True)
    assert decode_text(b"\x00\x01\x02\x00" * 50) == ""


def test_ranking_title_above_body(ws) -> None:
    titled = cases.create_case(ws, "Marigold staffing agency")
    other = cases.create_case(ws, "Unrelated", summary="A long summary. " * 5 + "marigold once")
    note = notes.add_note(ws, other.ref, "We also saw marigold in the payroll export.")
    hits = search.search(ws, "marigold")
    assert (hits[0].type, hits[0].id) == ("case", titled.id)
    assert {(h.type, h.id) for h in hits[1:]} == {("case", other.id), ("note", note.id)}
    assert hits[0].score > hits[1].score >= hits[2].score > 0


def test_phrase_prefix_and_all_words_must_match(ws) -> None:
    case = cases.create_case(ws, "Phrases")
    n1 = notes.add_note(ws, case.ref, "the laptop farm was in a garage")
    n2 = notes.add_note(ws, case.ref, "a farm near the laptop shop")
    assert set(_found(ws, "laptop farm")) == {("note", n1.id), ("note", n2.id)}
    assert _found(ws, '"laptop farm"') == [("note", n1.id)]
    assert _found(ws, '"laptop fa"*') == [("note", n1.id)]
    assert set(_found(ws, "gar*")) == {("note", n1.id)}
    assert _found(ws, "laptop garage shop") == []


@pytest.mark.parametrize("query", ["renee", "Renée", "RENEE", "muller", "MÜLLER", "müller"])
def test_accents_and_case_are_ignored(ws, query: str) -> None:
    case = cases.create_case(ws, "Renée Müller hiring")
    assert _found(ws, query) == [("case", case.id)]


def test_accented_query_finds_plain_text(ws) -> None:
    case = cases.create_case(ws, "CV")
    note = notes.add_note(ws, case.ref, "His resume lists a cafe in Lyon")
    assert _found(ws, "résumé café") == [("note", note.id)]


def test_korean_name_inside_a_longer_run(ws) -> None:
    case = cases.create_case(ws, "Korean")
    note = notes.add_note(ws, case.ref, "담당자 박김철수님과 통화했습니다")
    hits = search.search(ws, "김철수")
    assert [(h.type, h.id) for h in hits] == [("note", note.id)]
    assert "«김철수»" in hits[0].snippet
    assert _found(ws, "철수") == [("note", note.id)]
    assert _found(ws, "김영희") == []


def test_two_character_chinese_query(ws) -> None:
    case = cases.create_case(ws, "Chinese")
    subj = subjects.add_subject(ws, case.ref, "联系人王伟先生")
    note = notes.add_note(ws, case.ref, "地址在丹东市振兴区")
    assert _found(ws, "王伟") == [("subject", subj.subject.id)]
    assert _found(ws, "丹东") == [("note", note.id)]
    assert _found(ws, "丹") == [("note", note.id)]  # one character: prefix of a bigram
    assert _found(ws, "东京") == []
    hit = search.search(ws, "振兴")[0]
    assert "«振兴»" in hit.snippet


def test_mark_window_matches_like_the_index() -> None:
    pats = [term_pattern(t, prefix) for t, prefix in (("café", False), ("김철수", False),
                                                      ("laptop fa", True))]
    marked = mark_window("Le Cafe du coin, CAFÉ; 박김철수님 and the LAPTOP farm. decaf cafes",
                         Matcher([p for p in pats if p]), "[", "]")
    assert marked == "Le [Cafe] du coin, [CAFÉ]; 박[김철수]님 and the [LAPTOP farm]. decaf cafes"
    needle = Matcher([term_pattern("needle", False)])  # type: ignore[list-item]
    assert mark_window("x" * 500 + " needle " + "y" * 500, needle, "[", "]") == "…[needle]…"
    assert mark_window("nothing here", needle, "[", "]") is None
    long_text = "Ünïcode " * 20_000 + "a needle, then NEEDLE."  # past the first block
    assert mark_window(long_text, needle, "[", "]").endswith("a [needle], then [NEEDLE].")


def test_cjk_bigrams_are_symmetric() -> None:
    assert cjk_bigrams("北京市 and 서울") == "北京 京市 서울"
    assert cjk_bigrams("王") == "王"
    assert cjk_bigrams("ｶﾀｶﾅ") == "カタ タカ カナ"  # NFKC: half-width katakana


@pytest.mark.parametrize("query", [
    '"unbalanced', 'two "quotes" and "one', "*", "**", "*foo", "fo*o", "foo:bar",
    "type:planet", "status:sleeping", "priority:urgent", "type:", "email:", "", "   ", "&&",
    '""', "'", "col:*", "x" * 1001,
])
def test_bad_syntax_is_a_friendly_message(ws, query: str) -> None:
    cases.create_case(ws, "Anything")
    with pytest.raises(InvalidInput) as info:
        search.search(ws, query)
    assert "sqlite" not in str(info.value).lower() and "fts5" not in str(info.value).lower()


@pytest.mark.parametrize("query", [
    "NEAR(alpha beta)", "alpha OR beta", "^alpha", "-alpha", "{title}: alpha", "alpha AND",
    "alpha:", "https://example.com/alpha", "10:30", "fe80::1", '"a""b"', "alpha) (",
    "it's alpha", "Re: alpha", "C:\\alpha",
])
def test_fts_syntax_in_user_text_is_literal(ws, query: str) -> None:
    cases.create_case(ws, "alpha beta")
    try:
        search.search(ws, query)
    except InvalidInput:
        pytest.fail(f"{query!r} should be taken literally")
    except sqlite3.Error:  # pragma: no cover - the point of the test
        pytest.fail("SQLite error leaked")


def test_filters(ws) -> None:
    open_case = cases.create_case(ws, "Quasar open", priority="high")
    closed = cases.create_case(ws, "Quasar closed", priority="low")
    cases.set_status(ws, closed.ref, "closed")
    note = notes.add_note(ws, closed.ref, "quasar note")
    tip = tips.create_tip(ws, "quasar tip content", channel="hotline").tip
    assert set(_found(ws, "quasar status:open")) == {("case", open_case.id)}
    assert set(_found(ws, "quasar status:closed")) == {("case", closed.id), ("note", note.id)}
    assert _found(ws, "quasar status:new") == [("tip", tip.id)]
    assert set(_found(ws, "quasar type:note type:tip")) == {("note", note.id), ("tip", tip.id)}
    assert _found(ws, f"quasar case:{closed.ref.lower()} type:case") == [("case", closed.id)]
    assert _found(ws, "quasar priority:HIGH") == [("case", open_case.id)]
    assert {h.ref for h in search.search(ws, "type:tip")} == {tip.ref}
    assert {h.id for h in search.search(ws, "status:open type:case")} == {open_case.id}


def test_tipster_identity_is_never_searchable(ws) -> None:
    saved = tips.create_tip(ws, "The applicant uses a zentrixa laptop farm", channel="email",
                            tipster_name="Veronika Secretname",
                            tipster_contact="veronika.hidden@mail.example",
                            relationship="former colleague")
    [hit] = search.search(ws, "zentrixa")
    assert (hit.type, hit.ref, hit.id) == ("tip", saved.tip.ref, saved.tip.id)
    tips.set_tipster(ws, saved.tip.ref, anonymous=False, name="Veronika Secretname",
                     contact="veronika.hidden@mail.example", relationship="colleague")
    search.rebuild_index(ws)
    for query in ("secretname", "veronika", "veronika.hidden@mail.example", "colleague",
                  "email:veronika.hidden@mail.example", "hidden*"):
        assert search.search(ws, query) == [], query
    with ws.store.engine.connect() as conn:
        stored = " ".join(conn.execute(text("SELECT title || body || filetext FROM search_fts"))
                          .scalars())
        doc_titles = " ".join(conn.execute(text("SELECT title FROM search_doc")).scalars())
    assert "Secretname" not in stored and "veronika" not in stored.lower()
    assert "Secretname" not in doc_titles


def test_json_shape(ws, tmp_path: Path) -> None:
    case = cases.create_case(ws, "Zephyr shape")
    (tmp_path / "z.txt").write_text("zephyr inside")
    evidence.ingest_file(ws, case.ref, tmp_path / "z.txt")
    by_type = {h.type: h.to_json() for h in search.search(ws, "zephyr")}
    assert set(by_type["case"]) == {"type", "ref", "id", "title", "snippet", "score"}
    assert set(by_type["exhibit"]) == {"type", "ref", "id", "title", "snippet", "score",
                                       "exhibit"}
    assert by_type["exhibit"]["ref"] == case.ref and by_type["exhibit"]["exhibit"] == "E-001"
    assert isinstance(by_type["case"]["score"], float) and isinstance(by_type["case"]["id"], int)


def test_rollback_leaves_the_index_alone(ws) -> None:
    case = cases.create_case(ws, "Stable title")
    with pytest.raises(RuntimeError), ws.transaction() as session:
        from caseapp.domain.models import Case

        row = session.get(Case, case.id)
        row.title = "Vanishing title"
        session.add(row)
        session.flush()
        raise RuntimeError("abort")
    assert _found(ws, "vanishing") == []
    assert _found(ws, "stable") == [("case", case.id)]


def test_incremental_index_equals_a_rebuild(ws, tmp_path: Path) -> None:
    case = cases.create_case(ws, "Nimbus one", summary="alpha")
    other = cases.create_case(ws, "Nimbus two")
    view = subjects.add_subject(ws, case.ref, "Nimbus Person", aliases=["NP"],
                                identifiers=[IdentifierInput("email", "nimbus@example.com")])
    subjects.add_identifier(ws, view.subject.id, "url", "https://github.com/Nimbus")
    note = notes.add_note(ws, other.ref, "nimbus note")
    notes.edit_note(ws, note.id, text="nimbus note edited")
    tips.create_tip(ws, "nimbus tip", channel="hotline",
                    identifiers=[IdentifierInput("phone", "+44 7700 900123")])
    (tmp_path / "n.txt").write_text("nimbus file")
    evidence.ingest_file(ws, other.ref, tmp_path / "n.txt")
    subjects.remove_identifier(ws, view.identifiers[0].id)
    queries = ["nimbus", "nimbus*", "github", "type:identifier", "status:open"]
    before = {q: sorted(_found(ws, q)) for q in queries}
    with ws.store.engine.connect() as conn:
        keys_before = conn.execute(text("SELECT identifier_id, kind, near_key FROM "
                                        "search_near_key ORDER BY 1, 3")).all()
    counts = search.rebuild_index(ws)
    assert counts["case"] == 2 and counts["exhibit_text"] == 1
    assert {q: sorted(_found(ws, q)) for q in queries} == before
    with ws.store.engine.connect() as conn:
        assert conn.execute(text("SELECT identifier_id, kind, near_key FROM search_near_key "
                                 "ORDER BY 1, 3")).all() == keys_before


def _as_freshly_opened(ws) -> None:  # noqa: ANN001
    """Forget that this store's index was checked, as a newly opened store would."""
    if ws.store.kind == "sqlcipher":
        search_index._current.pop(ws.store.engine, None)
    else:
        ws.store.search._checked = False


def _index_version(ws) -> str:  # noqa: ANN001
    from caseapp.store.postgresql import search_index as pg_index

    return search_index.INDEX_VERSION if ws.store.kind == "sqlcipher" else pg_index.INDEX_VERSION


def test_stale_index_is_rebuilt_on_first_use(ws) -> None:
    case = cases.create_case(ws, "Lazarus rebuild")
    with ws.store.engine.begin() as conn:
        conn.execute(text("DELETE FROM search_fts"))
        conn.execute(text("DELETE FROM search_doc"))
        conn.execute(text("DELETE FROM search_state"))
    _as_freshly_opened(ws)
    assert _found(ws, "lazarus") == [("case", case.id)]
    with ws.store.engine.connect() as conn:
        version = conn.execute(text("SELECT value FROM search_state")).scalar()
    assert version == _index_version(ws)


def test_migration_of_a_store_with_data_indexes_it(tmp_path: Path) -> None:
    from alembic import command

    from caseapp.domain.models import utcnow
    from caseapp.store.migrations.runner import alembic_config
    from caseapp.store.sqlcipher.engine import make_engine, upgrade

    engine = make_engine(tmp_path / "old.db", b"k" * 32)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001_initial")
        # the 0001 columns only (today's model has columns added by later migrations)
        now = utcnow().replace(tzinfo=None)
        conn.execute(text("INSERT INTO case_file (ref, year, seq, title, summary, key_facts, "
                          "status, priority, tags, opened_at, updated_at) VALUES ('CASE-2025-"
                          "0001', 2025, 1, 'Legacy gondwana case', '', '', 'open', 'medium', "
                          "'[]', :now, :now)"), {"now": now})
    upgrade(engine)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM search_state")).scalar() == 0
        assert search_index.ensure_current(conn) is True
        assert conn.execute(text("SELECT COUNT(*) FROM search_fts WHERE search_fts MATCH "
                                 "'gondwana'")).scalar() == 1
        assert search_index.ensure_current(conn) is False
    engine.dispose()


def test_rows_written_around_the_orm_are_indexed_at_next_open(ws) -> None:
    from sqlalchemy import insert

    from caseapp.domain.models import Case, utcnow

    cases.create_case(ws, "Through the service")
    with ws.store.engine.begin() as conn:  # a bulk load: no session, so no listener
        conn.execute(insert(Case.__table__), [{  # type: ignore[attr-defined]
            "ref": "CASE-2001-0001", "year": 2001, "seq": 1, "title": "Bulk loaded cassiopeia",
            "opened_at": utcnow(), "updated_at": utcnow()}])
    _as_freshly_opened(ws)  # as the next process to open the store
    assert [h.ref for h in search.search(ws, "cassiopeia")] == ["CASE-2001-0001"]


def test_identifier_snippet_shows_the_value_not_index_keys(ws) -> None:
    from caseapp.services.cases import cases, subjects
    from caseapp.services.cases.subjects import IdentifierInput
    from caseapp.services.discovery.search import search

    case = cases.create_case(ws, "Snippet")
    subjects.add_subject(ws, case.ref, "A", identifiers=[
        IdentifierInput("address", "1208 Larkspur Court, Apt 4B, Millbrook NJ 07999, USA")])
    hits = [h for h in search(ws, "larkspur") if h.type == "identifier"]
    assert hits and "1208larkspur" not in hits[0].snippet
    assert "Larkspur" in hits[0].snippet


def test_english_stems_match_without_losing_accents_prefixes_or_cjk(ws) -> None:
    """`laptop` finds "laptops" (porter stage, migration 0007); diacritic folding, prefix
    queries and Hangul bigrams work as before; a stem is not a free-for-all."""
    from caseapp.services.cases import cases as case_service
    from caseapp.services.discovery.search import search
    from caseapp.services.tips import tips as tip_service

    tip = tip_service.create_tip(ws, "Company laptops arrive at the house every month.",
                                 channel="hotline").tip.ref
    case = case_service.create_case(ws, "Résumé shared by 김민준", summary="He was running "
                                    "two jobs.").ref
    assert tip in [h.ref for h in search(ws, "laptop")]
    assert tip in [h.ref for h in search(ws, "laptop arrives")]
    assert tip in [h.ref for h in search(ws, "lapt*")]
    assert case in [h.ref for h in search(ws, "resume")]
    assert case in [h.ref for h in search(ws, "run")]
    assert case in [h.ref for h in search(ws, "김민준")]
    assert case in [h.ref for h in search(ws, '"running two jobs"')]
    assert search(ws, "laptopz") == []  # control: no fuzzy matching
