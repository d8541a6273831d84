"""Red-flag templates: the shipped template, validation errors, scoring, carry-over, suggestions."""

from __future__ import annotations

import pytest

from caseapp.domain.enums import ChecklistState, IdentifierKind
from caseapp.domain.redflags import (
    Bands,
    Score,
    Template,
    TemplateError,
    carry_over,
    compute_score,
    load_builtin_templates,
    parse_template,
    suggested_items,
)

C = ChecklistState.CONFIRMED
S = ChecklistState.SUSPECTED
NO = ChecklistState.NOT_OBSERVED
NA = ChecklistState.NOT_APPLICABLE

# Two categories, four items (weights 3, 2 | 1, 3), two sources. Line numbers matter below.
MINIMAL = """\
id = "custom"
version = 1
title = "Custom template"
description = "For tests."
[bands]
elevated = 25
high = 50
critical = 75
[[sources]]
id = "S1"
title = "Advisory"
publisher = "FBI"
date = "2025-01-23"
url = "https://example.org/a"
[[sources]]
id = "S2"
title = "Report"
publisher = "Vendor"
[[categories]]
id = "identity"
title = "Identity"
  [[categories.items]]
  id = "identity.shared-contact"
  label = "Shared contact"
  description = "d"
  weight = 3
  sources = ["S1"]
  evidence_hint = "e"
  suggest_on = ["email", "phone"]
  [[categories.items]]
  id = "identity.photo"
  label = "Photo"
  weight = 2
  sources = ["S2"]
[[categories]]
id = "payment"
title = "Payment"
  [[categories.items]]
  id = "payment.prepay"
  label = "Prepayment"
  weight = 1
  sources = ["S1", "S2"]
  [[categories.items]]
  id = "payment.reuse"
  label = "Account reuse"
  weight = 3
  suggest_on = ["bank", "wallet"]
"""


def parse(text: str = MINIMAL) -> Template:
    return parse_template(text, "custom.toml")


def error(text: str) -> TemplateError:
    with pytest.raises(TemplateError) as info:
        parse(text)
    return info.value


def replaced(old: str, new: str, text: str = MINIMAL) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def single_item(p: str) -> Template:
    """A one-item template (weight 1) whose p[1] is given, with the default bands."""
    return parse(
        'id = "t"\nversion = 1\ntitle = "T"\n'
        f"[scoring]\np = {{ 1 = {p} }}\n[bands]\nelevated = 25\nhigh = 50\ncritical = 75\n"
        '[[categories]]\nid = "c"\ntitle = "C"\n'
        '[[categories.items]]\nid = "c.x"\nlabel = "X"\nweight = 1\n'
    )


#: What the shipped template says of an indicator that no listed source states in so many words.
INFERENCE = "it is the template authors' own inference, not a published indicator"


@pytest.fixture(scope="module")
def shipped() -> Template:
    templates = {t.id: t for t in load_builtin_templates()}
    return templates["dprk-remote-it-worker"]


# ---------------------------------------------------------------- shipped template


def test_shipped_template_loads_with_enough_items_and_categories(shipped: Template) -> None:
    assert shipped.version == 2
    assert shipped.title == "Remote IT worker identity fraud (DPRK pattern)"
    assert len(shipped.items) >= 30
    assert len(shipped.categories) >= 6
    assert {c.id for c in shipped.categories} >= {
        "identity", "interview", "technical", "logistics", "payment", "behaviour"
    }
    assert shipped.scoring.p == {1: 0.10, 2: 0.25, 3: 0.45}
    assert shipped.scoring.suspected_factor == 0.5
    assert shipped.bands == Bands(25, 50, 75)


def test_shipped_items_are_sourced_and_complete(shipped: Template) -> None:
    source_ids = {s.id for s in shipped.sources}
    assert source_ids == {f"S{n}" for n in range(1, 17)} - {"S11"}
    # every cited source is in the list and every listed source is cited
    assert {sid for item in shipped.items for sid in item.sources} == source_ids
    for source in shipped.sources:
        assert source.title and source.publisher
        assert source.url is None or source.url.startswith("https://")
    labels = set()
    for category in shipped.categories:
        for item in category.items:
            # an item no listed source states says so itself, so no reader takes it as published
            assert item.sources or INFERENCE in item.description, item.id
            assert set(item.sources) <= source_ids
            assert item.label and item.description and item.evidence_hint, item.id
            assert item.weight in (1, 2, 3)
            assert item.category_id == category.id
            assert item.id.startswith(category.id + "."), item.id
            labels.add(item.label)
    assert len(labels) == len(shipped.items)


def test_shipped_suggestions_match_the_identifier_kinds(shipped: Template) -> None:
    assert set(shipped.item("identity.shared-contact").suggest_on) == {
        IdentifierKind.EMAIL, IdentifierKind.PHONE
    }
    farm = shipped.item("logistics.laptop-farm")
    assert {IdentifierKind.ADDRESS, IdentifierKind.IP} <= set(farm.suggest_on)
    assert farm.weight == 3
    assert IdentifierKind.URL in shipped.item("identity.borrowed-photo").suggest_on
    bank = {i.id for i in suggested_items(shipped, IdentifierKind.BANK)}
    assert {"payment.same-account-both-sides", "payment.facilitator-accounts"} <= bank
    for kind in IdentifierKind:  # every kind suggests at least one item
        assert suggested_items(shipped, kind), kind


def test_item_lookup(shipped: Template) -> None:
    item = shipped.item("identity.shared-contact")
    assert item.category_id == "identity" and item.weight == 3
    assert shipped.items[0] is shipped.categories[0].items[0]
    with pytest.raises(KeyError):
        shipped.item("no.such-item")


# ---------------------------------------------------------------- validation


def test_minimal_template_parses() -> None:
    t = parse()
    assert [i.id for i in t.items] == [
        "identity.shared-contact", "identity.photo", "payment.prepay", "payment.reuse"
    ]
    assert t.scoring.p == {1: 0.10, 2: 0.25, 3: 0.45}  # [scoring] is optional
    assert t.sources[0].date == "2025-01-23" and t.sources[1].url is None
    photo = t.item("identity.photo")
    assert photo.description == "" and photo.suggest_on == () and photo.sources == ("S2",)


def test_syntax_error_names_file_and_line() -> None:
    err = error(replaced("version = 1\n", "version = = 1\n"))
    assert err.line == 2
    assert str(err).startswith("custom.toml: line 2: TOML syntax error")


def test_syntax_error_at_end_of_document_has_a_line() -> None:
    err = error(MINIMAL + "broken =")
    assert err.line == MINIMAL.count("\n") + 1
    assert f"line {err.line}" in str(err)


def test_missing_key() -> None:
    err = error(replaced('  label = "Photo"\n', ""))
    assert str(err) == "custom.toml: categories[0].items[1].label: missing required key"
    assert err.path == "categories[0].items[1].label" and err.line is None
    assert str(error(replaced('title = "Custom template"\n', ""))) == (
        "custom.toml: title: missing required key"
    )


def test_bad_weight() -> None:
    err = error(replaced("  weight = 1\n", "  weight = 4\n"))
    assert str(err) == "custom.toml: categories[1].items[0].weight: must be 1, 2 or 3"
    err = error(replaced("  weight = 1\n", '  weight = "1"\n'))
    assert str(err) == "custom.toml: categories[1].items[0].weight: must be an integer, not a string"


def test_weight_must_exist_in_custom_scoring() -> None:
    text = replaced("[bands]\n", "[scoring]\np = { 1 = 0.2, 3 = 0.6 }\n[bands]\n")
    err = error(text)
    assert str(err) == "custom.toml: categories[0].items[1].weight: must be 1 or 3"


def test_duplicate_item_id_across_categories() -> None:
    err = error(replaced('id = "payment.reuse"', 'id = "identity.photo"'))
    assert str(err) == (
        "custom.toml: categories[1].items[1].id: duplicate item id 'identity.photo' "
        "(first at categories[0].items[1])"
    )


def test_unknown_source_reference() -> None:
    err = error(replaced('sources = ["S1", "S2"]', 'sources = ["S1", "S9"]'))
    assert str(err) == (
        "custom.toml: categories[1].items[0].sources[1]: unknown source 'S9' (not in [[sources]])"
    )


def test_unknown_suggest_on_kind() -> None:
    err = error(replaced('["email", "phone"]', '["email", "fax"]'))
    assert err.path == "categories[0].items[0].suggest_on[1]"
    assert "'fax' is not a valid identifier kind" in str(err)
    assert "email, phone, url" in str(err)


def test_suggest_on_accepts_contract_spellings() -> None:
    t = parse(replaced('["email", "phone"]', '["E-mail", "gov id", "phone", "email"]'))
    assert t.item("identity.shared-contact").suggest_on == (
        IdentifierKind.EMAIL, IdentifierKind.GOV_ID, IdentifierKind.PHONE
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("high = 50", "high = 25",
         "bands.high: must be greater than bands.elevated (25); bands must increase"),
        ("critical = 75", "critical = 40",
         "bands.critical: must be greater than bands.high (50); bands must increase"),
        ("critical = 75", "critical = 101", "bands.critical: must be between 0 and 100, not 101"),
        ("elevated = 25", "elevated = -1", "bands.elevated: must be between 0 and 100, not -1"),
        ("high = 50\n", "", "bands.high: missing required key"),
    ],
)
def test_bands_must_increase_within_0_100(old: str, new: str, message: str) -> None:
    assert str(error(replaced(old, new))) == f"custom.toml: {message}"


def test_unknown_key_is_an_error() -> None:
    err = error(replaced("  weight = 2\n", "  wieght = 2\n"))
    assert str(err).startswith(
        "custom.toml: categories[0].items[1].wieght: unknown key; did you mean 'weight'?"
    )
    err = error(replaced('description = "For tests."', 'summary = "For tests."'))
    assert err.path == "summary"
    err = error(replaced("[bands]\n", "[bands]\nmedium = 30\n"))
    assert err.path == "bands.medium"


@pytest.mark.parametrize(
    ("old", "new", "path", "problem"),
    [
        ("version = 1", "version = 0", "version", "must be a positive integer, not 0"),
        ("version = 1", 'version = "1"', "version", "must be an integer, not a string"),
        ('id = "custom"', 'id = "Custom Template"', "id", "'Custom Template' is not a lower-case slug"),
        ('id = "identity.photo"', 'id = "Identity Photo"', "categories[0].items[1].id",
         "'Identity Photo' is not a dotted lower-case id like 'identity.shared-contact'"),
        ('id = "S2"', 'id = "S1"', "sources[1].id", "duplicate source id 'S1' (first at sources[0])"),
        ('id = "payment"', 'id = "identity"', "categories[1].id",
         "duplicate category id 'identity' (first at categories[0])"),
        ('label = "Photo"', 'label = "  "', "categories[0].items[1].label", "must not be empty"),
        ('date = "2025-01-23"', 'date = "23/01/2025"', "sources[0].date",
         "'23/01/2025' is not YYYY[-MM[-DD]]"),
        ('url = "https://example.org/a"', 'url = "example.org"', "sources[0].url",
         "'example.org' is not an http(s) URL"),
    ],
)
def test_other_invalid_values(old: str, new: str, path: str, problem: str) -> None:
    err = error(replaced(old, new))
    assert (err.path, err.problem) == (path, problem)
    assert str(err) == f"custom.toml: {path}: {problem}"


def test_structure_errors() -> None:
    err = error("categories = []\n" + MINIMAL.split("[[categories]]")[0])
    assert str(err) == "custom.toml: categories: must not be empty"
    head = MINIMAL.split("[[categories]]")[0]
    err = error(head + '[[categories]]\nid = "x"\ntitle = "X"\nitems = "none"\n')
    assert str(err) == "custom.toml: categories[0].items: must be an array of tables, not a string"
    err = error(replaced("[bands]\n", "[scoring]\np = 3\n[bands]\n"))
    assert err.path == "scoring.p"
    err = error(replaced("[bands]\n", "[scoring]\np = { high = 0.5 }\n[bands]\n"))
    assert str(err) == "custom.toml: scoring.p.high: weight must be a positive integer"
    err = error(replaced("[bands]\n", "[scoring]\nsuspected_factor = 1.5\n[bands]\n"))
    assert str(err) == "custom.toml: scoring.suspected_factor: must be between 0 and 1, not 1.5"


def test_unquoted_toml_date_is_accepted() -> None:
    assert parse(replaced('date = "2025-01-23"', "date = 2025-01-23")).sources[0].date == "2025-01-23"


# ---------------------------------------------------------------- scoring


def test_nothing_assessed() -> None:
    score = compute_score(parse(), {})
    assert score == Score(0, "unassessed", 0.0, 0, 0, 0, 4)


def test_all_not_applicable() -> None:
    t = parse()
    score = compute_score(t, {i.id: NA for i in t.items})
    assert (score.score, score.band, score.coverage, score.assessed) == (0, "low", 1.0, 4)


def test_one_confirmed_weight_3_is_45_elevated() -> None:
    # 100 × (1 − (1 − 0.45)) = 45, which is >= elevated (25) and < high (50)
    score = compute_score(parse(), {"identity.shared-contact": C})
    assert (score.score, score.band, score.confirmed, score.coverage) == (45, "elevated", 1, 0.25)


def test_confirmed_is_not_diluted_by_not_observed(shipped: Template) -> None:
    states = {i.id: NO for i in shipped.items}
    states["identity.shared-contact"] = C
    score = compute_score(shipped, states)
    assert (score.score, score.band, score.coverage) == (45, "elevated", 1.0)
    assert score.assessed == score.total == len(shipped.items)


def test_suspected_factor() -> None:
    t = parse()
    # suspected weight 1: 0.10 × 0.5 = 0.05 -> 5
    assert compute_score(t, {"payment.prepay": S}).score == 5
    # with suspected_factor 0.4: 0.45 × 0.4 = 0.18 -> 18
    t4 = parse(replaced("[bands]\n", "[scoring]\nsuspected_factor = 0.4\n[bands]\n"))
    score = compute_score(t4, {"identity.shared-contact": S})
    assert (score.score, score.band, score.suspected, score.confirmed) == (18, "low", 1, 0)


def test_score_uses_python_floats_and_round() -> None:
    # The contract formula evaluated literally with floats and round(): one suspected weight-3
    # item is 100 * (1 - (1 - 0.45 * 0.5)) = 22.499999999999996 -> 22, and one suspected
    # weight-2 item is exactly 12.5, which round() takes to the even 12.
    assert 100 * (1 - (1 - 0.45 * 0.5)) == 22.499999999999996
    t = parse()
    assert compute_score(t, {"identity.shared-contact": S}).score == 22
    assert compute_score(t, {"identity.photo": S}).score == 12
    # Matches an external check that multiplies in template order.
    states = {"identity.shared-contact": S, "identity.photo": C, "payment.prepay": S}
    expected = round(100 * (1 - (1 - 0.45 * 0.5) * (1 - 0.25) * (1 - 0.10 * 0.5)))
    assert compute_score(t, states).score == expected


def test_several_indicators_combine() -> None:
    t = parse()
    # 1 − (1 − 0.45)(1 − 0.25)(1 − 0.10 × 0.5)(1 − 0.45)
    #   = 1 − 0.55 × 0.75 × 0.95 × 0.55 = 1 − 0.21553125 = 0.78446875 -> 78, critical
    states = {"identity.shared-contact": C, "identity.photo": C, "payment.prepay": S,
              "payment.reuse": C}
    assert compute_score(t, states) == Score(78, "critical", 1.0, 3, 1, 4, 4)
    # two confirmed weight 3: 1 − 0.55² = 0.6975 -> 70, high
    two = compute_score(t, {"identity.shared-contact": C, "payment.reuse": C, "payment.prepay": NO})
    assert (two.score, two.band, two.coverage) == (70, "high", 0.75)


@pytest.mark.parametrize(
    ("p", "expected"),
    [("0.24", (24, "low")), ("0.25", (25, "elevated")), ("0.49", (49, "elevated")),
     ("0.50", (50, "high")), ("0.74", (74, "high")), ("0.75", (75, "critical")),
     ("1.0", (100, "critical"))],
)
def test_band_boundaries(p: str, expected: tuple[int, str]) -> None:
    score = compute_score(single_item(p), {"c.x": C})
    assert (score.score, score.band) == expected


def test_states_may_be_strings_and_unknown_ids_are_ignored() -> None:
    score = compute_score(parse(), {"identity.shared-contact": "confirmed", "gone.item": C})
    assert (score.score, score.assessed) == (45, 1)


# ---------------------------------------------------------------- carry-over and suggestions


def test_carry_over_keeps_answers_by_id() -> None:
    old = parse()
    new_text = replaced('id = "identity.photo"', 'id = "identity.new-photo-check"')
    new = parse(replaced("version = 1", "version = 2", new_text))
    answers = {"identity.shared-contact": ("confirmed", "note"), "identity.photo": ("suspected", ""),
               "payment.reuse": ("not-observed", ""), "stale.id": ("confirmed", "")}
    kept, dropped = carry_over(old, new, answers)
    assert kept == {"identity.shared-contact": ("confirmed", "note"),
                    "payment.reuse": ("not-observed", "")}
    assert dropped == ["identity.photo", "stale.id"]
    assert "identity.new-photo-check" not in kept  # added items start unanswered


def test_carry_over_to_same_template_keeps_everything() -> None:
    t = parse()
    answers = {i.id: n for n, i in enumerate(t.items)}
    assert carry_over(t, t, answers) == (answers, [])


def test_suggested_items() -> None:
    t = parse()
    assert [i.id for i in suggested_items(t, IdentifierKind.EMAIL)] == ["identity.shared-contact"]
    assert [i.id for i in suggested_items(t, IdentifierKind.WALLET)] == ["payment.reuse"]
    assert suggested_items(t, IdentifierKind.ADDRESS) == []
    assert [i.id for i in suggested_items(t, "e-mail")] == ["identity.shared-contact"]  # type: ignore[arg-type]


def test_v2_fixes_the_checked_citations_and_keeps_every_v1_item(shipped: Template) -> None:
    """The source review of issue 20: template v2 beside v1 (cases on v1 keep it)."""
    both = {t.version: t for t in load_builtin_templates() if t.id == shipped.id}
    v1, v2 = both[1], both[2]
    assert shipped is not v1 and shipped.version == 2
    assert {i.id for i in v1.items} <= {i.id for i in v2.items}  # upgrade drops no answer
    assert len(v2.items) == len(v1.items) + 11
    items = {i.id: i for i in v2.items}
    sources = {s.id: s for s in v2.sources}
    # Re-checked before release: the July 2025 FBI update is PSA250723-4; no stored source says
    # "frequent payment changes" in so many words, so that item cites none and says so.
    psa_july_2025 = next(s for s in v2.sources if "PSA250723" in (s.url or ""))
    assert psa_july_2025.url == "https://www.ic3.gov/PSA/2025/PSA250723-4"
    assert psa_july_2025.date == "2025-07-23"
    uncited = {i.id for i in v2.items if not i.sources}
    assert uncited == {"payment.frequent-changes", "identity.generic-references"}
    assert all(INFERENCE in items[i].description for i in uncited)
    doj = {s.id for s in v2.sources if s.publisher == "US Department of Justice"}
    third_party = items["payment.third-party-name"]
    assert set(third_party.sources) <= doj and "controlled by someone other" in \
        third_party.description
    # each of these cites only what the checked text says (a second candidate source dropped)
    assert items["technical.non-company-device-sessions"].sources == ("S4",)
    assert items["logistics.activated-abroad"].sources == ("S6",)
    assert items["payment.prepayment-pressure"].sources == ("S2",)  # the 2023 joint PSA
    red_canary = next(s.id for s in v2.sources if s.publisher == "Red Canary")
    assert [i.id for i in v2.items if red_canary in i.sources] == ["technical.vpn-unusual-asn"]
    podcast = next(s for s in v2.sources if "Defender's Advantage" in s.title)
    assert podcast.date == "2025-05-19" and "Responding to a DPRK ITW Incident" in podcast.title
    zone = items["behaviour.time-zone-mismatch"]
    assert "S8" not in zone.sources and "clear no one" in zone.description
    kvm = items["technical.kvm-hardware"]
    assert "Raspberry" not in kvm.description and "S8" not in kvm.sources
    assert any(sources[s].publisher == "US Department of Justice"
               and sources[s].date == "2025-06-30" for s in kvm.sources)
    assert "offer" not in items["logistics.ship-to-mismatch"].description
    assert "hand" not in items["interview.synthetic-video"].description
    assert "check" in items["interview.home-city-knowledge"].description
    joint = next(s for s in v2.sources if s.date == "2023-10-18")
    assert "State" in joint.publisher and "Republic of Korea" in joint.publisher
    for source in v2.sources:  # one document each: its own date, no bundles
        assert source.date and "; also" not in source.title
    assert not any("Rewards for Justice" in s.title for s in v2.sources)
    for new in ("identity.prefers-korean", "identity.profiles-different-photos",
                "identity.altered-id-documents", "identity.document-errors",
                "identity.generic-references", "identity.shared-templates",
                "interview.voice-changer", "interview.proxy-interviewee",
                "technical.accounts-share-ip", "payment.prepayment-pressure",
                "payment.front-company-invoices"):
        assert new in items and not v1.has_item(new), new
