"""Tests for caseapp.domain.identifiers (normalisation, classification, near keys, extraction)."""

from __future__ import annotations

import dataclasses
import sys
import time
import unicodedata

import pytest

from caseapp.domain.enums import IdentifierKind as K
from caseapp.domain.identifiers import (
    Normalized,
    classify,
    extract_identifiers,
    near_keys,
    normalize,
    parse_typed,
)


def ok(kind: K, raw: str, **kw: str) -> str:
    result = normalize(kind, raw, **kw)
    assert result.ok, (raw, result)
    assert result.note is None
    return result.value


def bad(kind: K, raw: str, **kw: str) -> Normalized:
    result = normalize(kind, raw, **kw)
    assert not result.ok, (raw, result)
    assert result.value == raw.strip()
    assert result.note
    return result


# --- Normalized / generic ------------------------------------------------------------------------


def test_normalized_is_frozen() -> None:
    result = Normalized("x", True, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.value = "y"  # type: ignore[misc]


@pytest.mark.parametrize("kind", list(K))
@pytest.mark.parametrize("raw", ["", "   ", "\t\n", "\u200b"])
def test_empty_is_not_ok(kind: K, raw: str) -> None:
    result = normalize(kind, raw)
    assert not result.ok
    assert result.value == raw.strip()
    assert result.note == "empty"


def test_kind_may_be_given_as_text() -> None:
    assert normalize("e-mail", "A@B.com") == Normalized("a@b.com", True, None)  # type: ignore[arg-type]


NASTY = [
    "\x00",
    "a\x00b",
    "\x1b[31mred\x1b[0m",
    "x" * 200_000,
    "+" + "1" * 100_000,
    "@" * 5000,
    "http://" + "a." * 5000 + "com",
    "[" * 1000 + "]" * 999,
    "%" * 1000,
    "\ud800",
    "a\ud800@b.com",
    "https://\ud800.com/",
    "서울특별시 강남구 테헤란로 123",
    "北京市朝阳区建国路88号",
    "Москва, ул. Тверская, д. 7",
    "شارع الملك فهد، الرياض",
    "\u202eevil\u202c@example.com",
    "😀@😀.😀",
    "::::",
    "[::1%]",
    "http://[::1",
    "https://example.com:99999/",
    "xn--zz--.com",
    "mailto:",
    "tel:",
    "00",
    "+",
    "#",
    "@",
]


@pytest.mark.parametrize("kind", list(K))
@pytest.mark.parametrize("raw", NASTY, ids=range(len(NASTY)))
def test_never_raises(kind: K, raw: str) -> None:
    result = normalize(kind, raw)
    assert isinstance(result, Normalized)
    assert isinstance(result.value, str)
    if not result.ok:
        assert result.value == raw.strip() and result.note
    assert isinstance(near_keys(kind, raw), list)
    assert isinstance(near_keys(kind, result.value), list)


@pytest.mark.parametrize("raw", NASTY, ids=range(len(NASTY)))
def test_other_functions_never_raise(raw: str) -> None:
    assert classify(raw) is None or isinstance(classify(raw), K)
    kind, value = parse_typed(raw)
    assert kind is None or isinstance(kind, K)
    assert isinstance(value, str)
    assert isinstance(extract_identifiers(raw), list)


ADVERSARIAL = [
    "a@" + "b." * 30_000,
    "1-" * 30_000 + "호",
    "1" * 60_000 + "室",
    "1." * 30_000,
    "a.a@a." * 10_000,
    "ab:" * 20_000,
    "1Ab" * 20_000,
    "+1 " * 20_000,
    "http://" * 10_000,
    "https://x.com/?" + "utm_a=1&" * 10_000,
    "unit " * 20_000,
    "1:" * 30_000 + "::",
]


def test_pathological_inputs_run_in_linear_time() -> None:
    """Regexes must not backtrack quadratically on long runs (a 60k-digit run once took minutes)."""
    started = time.perf_counter()
    for raw in ADVERSARIAL:
        for kind in K:
            normalize(kind, raw)
            near_keys(kind, raw)
        classify(raw)
        parse_typed(raw)
        extract_identifiers(raw)
    assert time.perf_counter() - started < 30


def test_region_that_does_not_exist_does_not_raise() -> None:
    bad(K.PHONE, "020 7946 0958", default_region="XX")
    bad(K.PHONE, "020 7946 0958", default_region="")


def test_invisible_format_characters_are_dropped() -> None:
    """Every Unicode format character except ZWNJ/ZWJ is removed (they hide in pasted text)."""
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if unicodedata.category(char) != "Cf" or char in "\u200c\u200d":
            continue
        assert normalize(K.DEVICE, f"ab{char}cd").value == "abcd", hex(code)


def test_joiners_are_kept_in_free_text() -> None:
    assert normalize(K.ADDRESS, "می\u200cخواهم").value == "می\u200cخواهم"


# --- e-mail --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  John.Doe@Example.COM ", "john.doe@example.com"),
        ("John.Doe+Jobs@GMail.com", "john.doe+jobs@gmail.com"),  # plus tag is data: kept
        ("ＪＯＨＮ＠ＥＸＡＭＰＬＥ．ＣＯＭ", "john@example.com"),  # NFKC full-width
        ("mailto:Kim@Example.kr", "kim@example.kr"),
        ("<kim@example.kr>", "kim@example.kr"),
        ("user@bücher.de", "user@xn--bcher-kva.de"),  # IDN domain to punycode
        ("user@XN--BCHER-KVA.de", "user@xn--bcher-kva.de"),
        ("Иван@пример.рф", "иван@xn--e1afmkfd.xn--p1ai"),
        ("홍길동@example.com", "홍길동@example.com"),
        ("STRASSE@x.de", "strasse@x.de"),
        ("Straße@x.de", "strasse@x.de"),  # full case folding
        ("a.b-c_d%e@sub.example.co.uk", "a.b-c_d%e@sub.example.co.uk"),
        ("john\u200b@example.com", "john@example.com"),  # zero-width space from a web page
        ("john@example.com.", "john@example.com"),
    ],
)
def test_email_ok(raw: str, expected: str) -> None:
    assert ok(K.EMAIL, raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "john.example.com",
        "john doe@example.com",
        "john@exa mple.com",
        "john@@example.com",
        "a@b@example.com",
        "@example.com",
        "john@",
        "john@localhost",
        "john@-bad-.com",
        "john@exa_mple..com",
        "jo\x00hn@example.com",
        "john@example.com\x07",
        "a,b@example.com",
        "x" * 400 + "@example.com",
    ],
)
def test_email_not_ok(raw: str) -> None:
    bad(K.EMAIL, raw)


def test_email_control_character_note() -> None:
    assert bad(K.EMAIL, "jo\x00hn@example.com").note == "contains control characters"


# --- phone ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+1 (415) 555-0132", "+14155550132"),
        ("+1.415.555.0132", "+14155550132"),
        ("tel:+1-415-555-0132", "+14155550132"),
        ("+1 415 555 0132 ext. 12", "+14155550132"),
        ("00 44 20 7946 0958", "+442079460958"),
        ("0044 (0)20 7946 0958", "+442079460958"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+82 10-1234-5678", "+821012345678"),
        ("+82 (0)10 1234 5678", "+821012345678"),
        ("+86 138 0013 8000", "+8613800138000"),
        ("+7 495 123-45-67", "+74951234567"),
        ("+81 3-1234-5678", "+81312345678"),
        ("+49 30 901820", "+4930901820"),
        ("+91 98765 43210", "+919876543210"),
        ("+39 06 1234 5678", "+390612345678"),  # Italian leading zero is part of the number
        ("+٩٧١ ٥٠ ١٢٣ ٤٥٦٧", "+971501234567"),  # Arabic-Indic digits
        ("＋８２ １０ １２３４ ５６７８", "+821012345678"),  # full-width
        ("+1 415 555 0132\u200e", "+14155550132"),  # stray direction mark
    ],
)
def test_phone_ok(raw: str, expected: str) -> None:
    assert ok(K.PHONE, raw) == expected


def test_phone_with_default_region() -> None:
    assert ok(K.PHONE, "020 7946 0958", default_region="GB") == "+442079460958"
    assert ok(K.PHONE, "(415) 555-0132", default_region="us") == "+14155550132"
    assert ok(K.PHONE, "010-1234-5678", default_region="KR") == "+821012345678"
    # an explicit country code wins over the default region
    assert ok(K.PHONE, "+82 10 1234 5678", default_region="US") == "+821012345678"


def test_phone_without_country_code_is_flagged() -> None:
    result = bad(K.PHONE, "(415) 555-0132")
    assert result.note == "no country code; give +<country>"


@pytest.mark.parametrize(
    "raw",
    [
        "+44 12",
        "+1 415 555 0132 9999 9999",
        "+999 1234567",
        "call me",
        "+",
        "12",
        "tel:",
        "+1\x00415 555 0132",
    ],
)
def test_phone_not_ok(raw: str) -> None:
    bad(K.PHONE, raw)


# --- URL -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTPS://Example.COM/Path/", "https://example.com/Path"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/", "https://example.com"),
        ("https://example.com:8443/", "https://example.com:8443"),
        ("https://example.com/a#section", "https://example.com/a"),
        (
            "https://example.com/a?utm_source=x&id=3&UTM_Medium=y&fbclid=z",
            "https://example.com/a?id=3",
        ),
        ("https://example.com/?utm_source=x", "https://example.com"),
        ("www.Example.com/a", "https://www.example.com/a"),
        ("example.com/a/b/", "https://example.com/a/b"),
        ("//example.com/a", "https://example.com/a"),
        ("example.com:8080/x", "https://example.com:8080/x"),
        ("https://bücher.de/straße", "https://xn--bcher-kva.de/stra%C3%9Fe"),
        ("https://xn--bcher-kva.de/stra%c3%9fe", "https://xn--bcher-kva.de/stra%C3%9Fe"),
        ("https://[2001:DB8:0::1]:8443/x", "https://[2001:db8::1]:8443/x"),
        ("http://192.0.2.1/admin", "http://192.0.2.1/admin"),
        ("ftp://Files.Example.com:21/pub/", "ftp://files.example.com/pub"),
        ("https://intranet/x", "https://intranet/x"),
        # profiles
        (
            "https://uk.linkedin.com/in/John-Doe-123ab/?trk=public_profile&originalSubdomain=uk",
            "https://www.linkedin.com/in/john-doe-123ab",
        ),
        ("linkedin.com/in/john-doe", "https://www.linkedin.com/in/john-doe"),
        (
            "http://LinkedIn.com/in/John-Doe/details/experience/",
            "https://www.linkedin.com/in/john-doe",
        ),
        ("https://www.linkedin.com/in/%EA%B9%80-dev", "https://www.linkedin.com/in/%EA%B9%80-dev"),
        ("https://www.linkedin.com/in/김-dev", "https://www.linkedin.com/in/%EA%B9%80-dev"),
        (
            "https://www.linkedin.com/company/Acme-Corp/about/",
            "https://www.linkedin.com/company/acme-corp",
        ),
        ("https://www.linkedin.com/feed/", "https://www.linkedin.com/feed"),
        ("GitHub.com/Octocat/", "https://github.com/octocat"),
        ("https://www.github.com/Octocat?tab=repositories", "https://github.com/octocat"),
        ("https://github.com/Octo-Cat/Hello-World.git", "https://github.com/octo-cat/hello-world"),
        (
            "https://github.com/Octocat/Hello/blob/Main/README.md",
            "https://github.com/octocat/hello/blob/Main/README.md",
        ),
        ("https://github.com/orgs/Acme/people", "https://github.com/orgs/acme/people"),
        (
            "https://www.upwork.com/freelancers/~01ABCdef123?viewMode=1",
            "https://www.upwork.com/freelancers/~01abcdef123",
        ),
        ("upwork.com/freelancers/~01abcdef123/", "https://www.upwork.com/freelancers/~01abcdef123"),
        (
            "https://www.upwork.com/o/profiles/users/~01ABC/",
            "https://www.upwork.com/freelancers/~01abc",
        ),
        (
            "https://www.upwork.com/freelancers/JaneDev",
            "https://www.upwork.com/freelancers/janedev",
        ),
    ],
)
def test_url_ok(raw: str, expected: str) -> None:
    assert ok(K.URL, raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "http://",
        "https://",
        "mailto:john@example.com",
        "javascript:alert(1)",
        "https://exa mple.com",
        "https://example.com:99999/",
        "https://example.com:abc/",
        "foo",
        "https://-bad-.com",
        "https://a..b.com",
        "https://exa\x00mple.com",
        "https://" + "a" * 64 + ".com",
    ],
)
def test_url_not_ok(raw: str) -> None:
    bad(K.URL, raw)


# --- IP ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" 203.0.113.7 ", "203.0.113.7"),
        ("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("2001:DB8::1", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("[fe80::1%25en0]", "fe80::1"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("::FFFF:C000:0201", "192.0.2.1"),
        ("::1", "::1"),
        ("::", "::"),
        ("１９２.０.２.１", "192.0.2.1"),  # full-width digits
    ],
)
def test_ip_ok(raw: str, expected: str) -> None:
    assert ok(K.IP, raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "256.1.1.1",
        "1.2.3",
        "010.0.0.1",
        "1.2.3.4/24",
        "2001:db8:::1",
        "gggg::1",
        "host.example.com",
    ],
)
def test_ip_not_ok(raw: str) -> None:
    assert bad(K.IP, raw).note == "not a valid IP address"


# --- address -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("123 Main Street, Apt. 4B, Springfield", "123 main st apt 4b springfield"),
        ("123 MAIN ST. APARTMENT 4B SPRINGFIELD", "123 main st apt 4b springfield"),
        ("123 Main St #7", "123 main st unit 7"),
        ("123 Main St #  7", "123 main st unit 7"),
        ("123 Main St Unit 7", "123 main st unit 7"),
        ("123 Main St Apt #7", "123 main st apt 7"),
        ("500 North Michigan Avenue, Suite 300", "500 n michigan ave ste 300"),
        ("1 Sunset Boulevard; Building C; Room 4", "1 sunset blvd bldg c rm 4"),
        ("P.O. Box 42", "po box 42"),
        ("  9   Elm\tRoad\n ", "9 elm rd"),
        (
            "서울특별시 강남구 테헤란로 123, 101동 202호",
            "서울특별시 강남구 테헤란로 123 101동 202호",
        ),
        ("서울특별시，강남구", "서울특별시 강남구"),  # full-width comma
        ("北京市朝阳区建国路88号、1203室", "北京市朝阳区建国路88号 1203室"),
        ("Москва, ул. Тверская, д. 7", "москва ул тверская д 7"),
        ("12 Rue de l'Église", "12 rue de l'église"),
    ],
)
def test_address(raw: str, expected: str) -> None:
    assert ok(K.ADDRESS, raw) == expected


def test_address_control_characters_are_dropped_not_rejected() -> None:
    assert ok(K.ADDRESS, "9 Elm\x00 Road") == "9 elm rd"


def test_address_only_punctuation_still_ok() -> None:
    assert normalize(K.ADDRESS, "#").ok  # becomes "unit"; nothing is rejected


# --- free-form kinds -----------------------------------------------------------------------------


def test_wallet_bank_gov_id_device_as_typed() -> None:
    assert ok(K.WALLET, " 0x52908400098527886E0F7030069857D2E4169EE7 ") == (
        "0x52908400098527886E0F7030069857D2E4169EE7"
    )
    assert ok(K.GOV_ID, " M  1234\t5678 ") == "M 1234 5678"
    assert ok(K.GOV_ID, "ＡＢ１２３") == "AB123"
    assert ok(K.DEVICE, "  MacBook Pro  (SN C02XYZ) ") == "MacBook Pro (SN C02XYZ)"
    assert ok(K.DEVICE, "dev\x00ice") == "device"


def test_bank_iban_spaces_removed() -> None:
    assert ok(K.BANK, "GB82 WEST 1234 5698 7654 32") == "GB82WEST12345698765432"
    assert ok(K.BANK, "DE89 3704 0044 0532 0130 00") == "DE89370400440532013000"
    # not IBAN-like: kept as typed
    assert ok(K.BANK, "Acct 12 345 678, sort 20-00-00") == "Acct 12 345 678, sort 20-00-00"
    assert ok(K.BANK, "gb82 west 1234 5698 7654 32") == "gb82 west 1234 5698 7654 32"


def test_handle() -> None:
    assert ok(K.HANDLE, " @JohnDoe_Dev ") == "johndoe_dev"
    assert ok(K.HANDLE, "@@Kim") == "kim"
    assert ok(K.HANDLE, "Иван") == "иван"
    assert bad(K.HANDLE, "@").note == "empty"


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        (K.EMAIL, "John.Doe+X@GMail.com"),
        (K.PHONE, "00 44 20 7946 0958"),
        (K.URL, "https://uk.linkedin.com/in/John/?trk=1"),
        (K.URL, "https://bücher.de/ä?utm_source=1&q=ü"),
        (K.URL, "www.example.com/A/B/?x=1#f"),
        (K.IP, "[::ffff:192.0.2.1]"),
        (K.ADDRESS, "123 Main Street, #7"),
        (K.ADDRESS, "123 Main St Apt #7"),
        (K.BANK, "GB82 WEST 1234 5698 7654 32"),
        (K.HANDLE, "@@Kim"),
    ],
)
def test_normalize_is_idempotent(kind: K, raw: str) -> None:
    once = ok(kind, raw)
    assert ok(kind, once) == once


# --- classify ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("john@example.com", K.EMAIL),
        (" John.Doe+x@GMail.com ", K.EMAIL),
        ("mailto:john@example.com", K.EMAIL),
        ("https://example.com/x", K.URL),
        ("HTTP://example.com", K.URL),
        ("www.example.com", K.URL),
        ("linkedin.com/in/john-doe", K.URL),
        ("uk.linkedin.com/in/john-doe", K.URL),
        ("github.com/octocat", K.URL),
        ("t.me/somebody", K.URL),
        ("203.0.113.7", K.IP),
        ("2001:db8::1", K.IP),
        ("[2001:db8::1]", K.IP),
        ("::ffff:192.0.2.1", K.IP),
        ("fe80::1%eth0", K.IP),
        ("+1 (415) 555-0132", K.PHONE),
        ("+821012345678", K.PHONE),
        ("0044 20 7946 0958", K.PHONE),
        ("tel:+1-415-555-0132", K.PHONE),
        ("0x52908400098527886E0F7030069857D2E4169EE7", K.WALLET),
        ("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", K.WALLET),
        ("BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ", K.WALLET),
        ("1BoatSLRHtKNngkdXEeobR76b53LETtpyT", K.WALLET),
        ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", K.WALLET),
        ("TJRabPrwbZy45sbavfcjinPJC18kjpRTv8", K.WALLET),
        ("LVg2kJoFNg45Nbpy53h7Fe1wKyeXVRhMH9", K.WALLET),
        ("ltc1qg42tkwuuxefutzxezdkdel39gfstuap288mfea", K.WALLET),
        (
            "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A",
            K.WALLET,
        ),
    ],
)
def test_classify(value: str, expected: K) -> None:
    assert classify(value) is expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "hello",
        "John Doe",
        "example.com",
        "4155550132",  # bare national digits: could be anything
        "+12",
        "2024-05-01",
        "12:30:45",
        "1.2.3",
        "bc1QAR0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",  # mixed-case bech32 is invalid
        "1111111111111111111111111111",
        "d41d8cd98f00b204e9800998ecf8427e",  # an MD5 hash
        "123 Main Street",
        "서울특별시 강남구",
        "john@example.com\x00",
        "https://exa mple.com",
    ],
)
def test_classify_none(value: str) -> None:
    assert classify(value) is None


# --- parse_typed ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("email:foo@x.com", (K.EMAIL, "foo@x.com")),
        ("EMAIL: Foo@X.com ", (K.EMAIL, "Foo@X.com")),
        ("e-mail:foo@x.com", (K.EMAIL, "foo@x.com")),
        ("mail:foo@x.com", (K.EMAIL, "foo@x.com")),
        ("phone:+1 415 555 0132", (K.PHONE, "+1 415 555 0132")),
        ("url:https://example.com/a", (K.URL, "https://example.com/a")),
        ("ip:2001:db8::1", (K.IP, "2001:db8::1")),
        ("ip:[::1]", (K.IP, "[::1]")),
        ("gov-id:M1234567", (K.GOV_ID, "M1234567")),
        ("gov id:M1234567", (K.GOV_ID, "M1234567")),
        ("gov_id:M1234567", (K.GOV_ID, "M1234567")),
        ("handle:@kim:dev", (K.HANDLE, "@kim:dev")),
        ("device:AA:BB:CC:DD:EE:FF", (K.DEVICE, "AA:BB:CC:DD:EE:FF")),
        ("address: 1 Main St: Floor 2", (K.ADDRESS, "1 Main St: Floor 2")),
        ("wallet:", (K.WALLET, "")),
        # bare values, classified
        ("https://example.com/a:b", (K.URL, "https://example.com/a:b")),
        ("http://[2001:db8::1]:8080/", (K.URL, "http://[2001:db8::1]:8080/")),
        ("2001:db8::1", (K.IP, "2001:db8::1")),
        ("fe80::dead:beef", (K.IP, "fe80::dead:beef")),
        ("face::1", (K.IP, "face::1")),
        (" foo@x.com ", (K.EMAIL, "foo@x.com")),
        ("mailto:foo@x.com", (K.EMAIL, "mailto:foo@x.com")),
        ("tel:+14155550132", (K.PHONE, "tel:+14155550132")),
        ("note: call back", (None, "note: call back")),
        ("just text", (None, "just text")),
        ("", (None, "")),
    ],
)
def test_parse_typed(text: str, expected: tuple[K | None, str]) -> None:
    assert parse_typed(text) == expected


# --- near_keys -----------------------------------------------------------------------------------


def near(kind: K, raw: str) -> list[str]:
    return near_keys(kind, normalize(kind, raw).value)


def test_near_email_gmail_ignores_dots_plus_and_googlemail() -> None:
    key = near(K.EMAIL, "john.doe@gmail.com")
    assert key == ["johndoe@gmail.com"]
    assert near(K.EMAIL, "JohnDoe+jobs@googlemail.com") == key
    assert near(K.EMAIL, "j.o.h.n.d.o.e+x+y@GMAIL.com") == key
    assert near(K.EMAIL, "john.doe@example.com") != key


@pytest.mark.parametrize(
    "domain",
    ["outlook.com", "hotmail.com", "live.com", "icloud.com", "yahoo.com", "protonmail.com"],
)
def test_near_email_plus_tag_providers(domain: str) -> None:
    assert near(K.EMAIL, f"john.doe+work@{domain}") == [f"john.doe@{domain}"]
    assert near(K.EMAIL, f"johndoe@{domain}") != near(K.EMAIL, f"john.doe@{domain}")  # dots matter


def test_near_email_other_providers_drop_plus_tag_only() -> None:
    assert near(K.EMAIL, "Jane.Roe+Upwork@Example.org") == ["jane.roe@example.org"]
    assert near(K.EMAIL, "+only@example.org") == ["+only@example.org"]


def test_near_email_on_invalid_value() -> None:
    assert near_keys(K.EMAIL, "not an email") == []


def test_near_phone_is_national_number() -> None:
    key = near(K.PHONE, "+44 20 7946 0958")
    assert key == ["2079460958"]
    assert near_keys(K.PHONE, "020 7946 0958") == key  # unnormalised national form
    assert near_keys(K.PHONE, "2079460958") == key
    assert near(K.PHONE, "+1 415 555 0132") == near_keys(K.PHONE, "(415) 555-0132")
    assert near(K.PHONE, "+39 06 1234 5678") == near_keys(K.PHONE, "06 1234 5678")
    assert near(K.PHONE, "+82 10-1234-5678") == near_keys(K.PHONE, "010-1234-5678")
    assert near_keys(K.PHONE, "12") == []


def test_near_address_drops_units_and_punctuation() -> None:
    key = near(K.ADDRESS, "123 Main Street, Apt. 4B, Springfield")
    assert key == ["123mainstspringfield"]
    assert near(K.ADDRESS, "123 Main St #7 Springfield") == key
    assert near(K.ADDRESS, "123 MAIN ST SUITE 100, SPRINGFIELD") == key
    assert near(K.ADDRESS, "123 main st. springfield") == key
    assert near(K.ADDRESS, "125 Main St Springfield") != key


def test_near_address_korean_and_chinese_units() -> None:
    key = near(K.ADDRESS, "서울특별시 강남구 테헤란로 123, 101동 202호")
    assert key == ["서울특별시강남구테헤란로123"]
    assert near(K.ADDRESS, "서울특별시 강남구 테헤란로 123 5층") == key
    assert near(K.ADDRESS, "서울특별시 강남구 역삼1동") == ["서울특별시강남구역삼1동"]  # a district
    assert near(K.ADDRESS, "上海市浦东新区世纪大道100号1203室") == ["上海市浦东新区世纪大道100号"]


def test_near_url_ignores_scheme_www_case_and_query() -> None:
    key = near(K.URL, "https://www.example.com/Jobs/Apply?id=3")
    assert key == ["example.com/jobs/apply"]
    assert near(K.URL, "http://example.com/jobs/apply/") == key
    assert near(K.URL, "https://uk.linkedin.com/in/John-Doe/") == ["linkedin.com/in/john-doe"]


def test_near_wallet_and_device_case_blind_forms() -> None:
    eth = "0x52908400098527886E0F7030069857D2E4169EE7"
    assert near_keys(K.WALLET, eth) == near_keys(K.WALLET, eth.lower()) == [eth.lower()]
    assert (
        near_keys(K.WALLET, "1BoatSLRHtKNngkdXEeobR76b53LETtpyT") == []
    )  # base58 is case-sensitive
    assert near_keys(K.DEVICE, "AA:BB:CC:DD:EE:FF") == near_keys(K.DEVICE, "aa-bb-cc-dd-ee-ff")
    assert near_keys(K.DEVICE, "MacBook Pro") == []


@pytest.mark.parametrize("kind", [K.BANK, K.GOV_ID, K.HANDLE])
def test_near_other_kinds_empty(kind: K) -> None:
    assert near_keys(kind, "something 123") == []


@pytest.mark.parametrize("kind", list(K))
def test_near_empty_value(kind: K) -> None:
    assert near_keys(kind, "") == []


# --- extract_identifiers -------------------------------------------------------------------------

PARAGRAPH = """\
Tip received 2024-05-01 12:30 from recruiter. Candidate "Kevin Park" applied via
https://www.upwork.com/freelancers/~01abcdef123?viewMode=1 and listed uk.linkedin.com/in/kevin-park-dev/.
His e-mail is Kevin.Park+jobs@Gmail.com (also kevin.park@protonmail.com); phone +1 (415) 555-0132,
WhatsApp 00 82 10-1234-5678. Code at github.com/kpark-dev. Logins came from 203.0.113.7, 203.0.113.7
again, and [2001:db8::5] (VPN). Payment asked to 0x52908400098527886E0F7030069857D2E4169EE7 or
bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq. Laptop shipped to 123 Main St #7, Springfield.
이메일: kim.dev@example.kr로 연락 바랍니다. Again: kevin.park+jobs@gmail.com, +14155550132.
See https://en.wikipedia.org/wiki/Lazarus_Group_(hackers)). Version 1.2.3 and 10:30:15 are not IPs.
"""


def test_extract_from_paragraph() -> None:
    assert extract_identifiers(PARAGRAPH) == [
        (K.URL, "https://www.upwork.com/freelancers/~01abcdef123?viewMode=1"),
        (K.URL, "uk.linkedin.com/in/kevin-park-dev/"),
        (K.EMAIL, "Kevin.Park+jobs@Gmail.com"),
        (K.EMAIL, "kevin.park@protonmail.com"),
        (K.PHONE, "+1 (415) 555-0132"),
        (K.PHONE, "00 82 10-1234-5678"),
        (K.URL, "github.com/kpark-dev"),
        (K.IP, "203.0.113.7"),
        (K.IP, "[2001:db8::5]"),
        (K.WALLET, "0x52908400098527886E0F7030069857D2E4169EE7"),
        (K.WALLET, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
        (K.EMAIL, "kim.dev@example.kr"),
        (K.URL, "https://en.wikipedia.org/wiki/Lazarus_Group_(hackers)"),
    ]


def test_extract_every_candidate_normalises() -> None:
    for kind, value in extract_identifiers(PARAGRAPH):
        assert normalize(kind, value).ok, (kind, value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("see https://example.com/unsubscribe?u=john@example.com.",
                     [(K.URL, "https://example.com/unsubscribe?u=john@example.com")],
                     id="email-inside-url-is-part-of-url"),
        pytest.param("(https://example.com/a), <www.example.org/b>. Mail: a.b@example.com.",
                     [(K.URL, "https://example.com/a"), (K.URL, "www.example.org/b"),
                      (K.EMAIL, "a.b@example.com")],
                     id="trailing-punctuation-and-brackets"),
        pytest.param("call +44 20 7946 0958 2024 or +82-10-1234-5678.",
                     [(K.PHONE, "+44 20 7946 0958"), (K.PHONE, "+82-10-1234-5678")],
                     id="phone-stops-at-following-numbers"),
        pytest.param("call (415) 555-0132 or 010-1234-5678; sha1 "
                     "da39a3ee5e6b4b0d3255bfef95601890afd80709; tx "
                     "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060",
                     [], id="ignores-national-numbers-and-hashes"),
        pytest.param("from 2001:DB8::1, fe80::1%eth0 and ::ffff:192.0.2.1; time 12:30:45",
                     [(K.IP, "2001:DB8::1"), (K.IP, "fe80::1%eth0"),
                      (K.IP, "::ffff:192.0.2.1")],
                     id="ipv6-forms"),
        pytest.param("A@Example.com a@example.com 2001:db8::1 2001:0db8::0001 "
                     "+1 415 555 0132 +14155550132",
                     [(K.EMAIL, "A@Example.com"), (K.IP, "2001:db8::1"),
                      (K.PHONE, "+1 415 555 0132")],
                     id="deduplicates-by-normalised-value"),
        pytest.param("", [], id="empty"),
        pytest.param("이 사람은 원격 개발자라고 주장했다. Нет данных.", [], id="plain-text"),
    ],
)
def test_extract(text: str, expected: list[tuple[K, str]]) -> None:
    assert extract_identifiers(text) == expected


def test_extract_is_fast_on_large_input() -> None:
    chunk = "lorem ipsum 안녕하세요 dolor " * 20_000
    many = " ".join(f"u{i}@example.com +1 415 555 {i % 10000:04d}" for i in range(2000))
    text = chunk + "x" * 100_000 + " " + "1." * 50_000 + "a:" * 50_000 + many
    started = time.perf_counter()
    found = extract_identifiers(text)
    assert time.perf_counter() - started < 10
    assert len(found) == 4000


def test_address_near_key_ignores_a_trailing_country() -> None:
    with_country = normalize(K.ADDRESS, "1208 Larkspur Ct, Apt 4B, Millbrook, NJ 07999, USA")
    without = normalize(K.ADDRESS, "1208 Larkspur Court Apt 4C, Millbrook NJ 07999")
    assert with_country.value != without.value
    assert near_keys(K.ADDRESS, with_country.value) == near_keys(
        K.ADDRESS, without.value)
