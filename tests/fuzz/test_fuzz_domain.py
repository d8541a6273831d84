"""Property tests of the pure parsers: identifier normalisation, the search query parser and
the red-flag template parser, on any text Hypothesis can think of."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from template_text import template_toml

from caseapp.domain.enums import IdentifierKind
from caseapp.domain.identifiers import normalize
from caseapp.domain.redflags import TemplateError, parse_template
from caseapp.domain.search_query import QuerySyntaxError, parse_query

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Text an investigator might paste: any Unicode, with the characters that break parsers
# (quotes, colons, operators, bidi controls, zero-width, NUL) made common.
TRICKY = st.sampled_from(list('"*:()-+@./\\ \t\n\x00\u202e\u2066\u200b\ufeff王伟ال'))
TEXT = st.text(st.one_of(st.characters(), TRICKY), max_size=80)
IDENTIFIER_LIKE = st.one_of(
    TEXT,
    st.emails().map(str),
    st.from_regex(r"\+?[0-9 ()\-.]{3,20}", fullmatch=True),
    st.ip_addresses().map(str),
    st.from_regex(r"https?://[a-z0-9.\-]{1,20}/[a-zA-Z0-9/_\-%?=&#]{0,20}", fullmatch=True),
)


@FUZZ
@given(kind=st.sampled_from(list(IdentifierKind)), raw=IDENTIFIER_LIKE)
@example(kind=IdentifierKind.EMAIL, raw="A\u202eB@Example.COM")
@example(kind=IdentifierKind.PHONE, raw="+1 (202) 555-0101")
def test_normalize_never_raises_never_drops_and_is_idempotent(kind, raw) -> None:
    first = normalize(kind, raw)
    assert isinstance(first.value, str)
    if not first.ok:
        assert first.value == raw.strip()  # kept as given, flagged
        assert first.note
        return
    assert first.value  # a normalised value is never empty
    again = normalize(kind, first.value)
    assert again.ok, (first, again)
    assert again.value == first.value


@FUZZ
@given(query=st.one_of(TEXT, st.lists(st.sampled_from(
    ["status:open", "email:a@x.example", '"laptop farm"', "vpn*", "case:CASE-2026-0001",
     "-tip", "ip:", "unknown:filter", "王伟", "OR", "AND", "NEAR", '"', "*", "("]),
    max_size=8).map(" ".join)))
def test_query_parser_returns_a_query_or_a_usage_message(query) -> None:
    try:
        parsed = parse_query(query)
    except QuerySyntaxError as exc:
        assert str(exc).strip()
        return
    assert parsed.terms or parsed.has_filters


VALID_TEMPLATE = template_toml("fuzz", title="Fuzz")


def _mutations() -> st.SearchStrategy[str]:
    """The valid template with a slice replaced, deleted or duplicated."""
    n = len(VALID_TEMPLATE)
    return st.tuples(st.integers(0, n), st.integers(0, 40),
                     st.text(st.one_of(st.sampled_from(list(string.printable)), TRICKY),
                             max_size=20)).map(
        lambda t: VALID_TEMPLATE[:t[0]] + t[2] + VALID_TEMPLATE[t[0] + t[1]:])


@FUZZ
@given(text=st.one_of(TEXT, _mutations()))
def test_template_parser_accepts_or_names_the_line(text) -> None:
    try:
        template = parse_template(text, "fuzz.toml")
    except TemplateError as exc:
        assert str(exc).startswith("fuzz.toml: ")
        if "TOML syntax error" in exc.problem:
            assert exc.line is not None and 1 <= exc.line <= max(1, len(text.splitlines()) + 1)
        return
    assert template.id
