"""Identifier normalisation, classification, near-match keys and extraction (pure: no Qt, no I/O).

``normalize`` never rejects and never raises: a value it cannot normalise comes back as the
trimmed raw text with ``ok=False`` and a short note, so the caller keeps it and flags it.
"""

from __future__ import annotations

import bisect
import ipaddress
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from caseapp.domain.enums import IdentifierKind

__all__ = ["Normalized", "classify", "extract_identifiers", "near_keys", "normalize", "parse_typed"]

K = IdentifierKind


@dataclass(frozen=True)
class Normalized:
    """Result of :func:`normalize`; ``value`` is the trimmed raw text when ``ok`` is False."""

    value: str
    ok: bool
    note: str | None = None


# Control characters other than whitespace (whitespace controls become spaces).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
# Invisible format characters (Unicode Cf) except ZWNJ/ZWJ, which are meaningful in some scripts.
_FORMAT = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b\u200e\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)


def _clean(raw: str) -> tuple[str, bool]:
    """NFKC, drop format/control characters, collapse whitespace; also say if controls were seen."""
    if raw.isascii() and raw.isprintable():  # the common case: nothing to normalise or drop
        return " ".join(raw.split()), False
    text = _FORMAT.sub("", unicodedata.normalize("NFKC", raw))
    text, count = _CONTROL.subn("", text)
    return " ".join(text.split()), count > 0


_Result = tuple[str | None, str | None]  # (normalised value or None, note)

_EMAIL_BAD = re.compile(r'[\s<>()\[\],;:"\\@]')
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_LABELS = re.compile(rf"{_LABEL.pattern}(?:\.{_LABEL.pattern})*")  # dot-separated labels


def _domain(host: str) -> str | None:
    """Case-folded ASCII (punycode) form of a domain name, or None if it is not one."""
    host = host.casefold().rstrip(".")
    if not host.isascii():  # ASCII names are their own IDNA form (the label check follows)
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    if 0 < len(host) <= 253 and _LABELS.fullmatch(host):
        return host
    return None


def _email(s: str, _region: str | None) -> _Result:
    if s[:7].lower() == "mailto:":
        s = s[7:].strip()
    if s.startswith("<") and s.endswith(">"):
        s = s[1:-1].strip()
    if len(s) > 320:
        return None, "too long for an e-mail address"
    local, at, domain = s.rpartition("@")
    if not at or not local or not domain:
        return None, "not an e-mail address (needs name@domain)"
    if _EMAIL_BAD.search(local) or _EMAIL_BAD.search(domain):
        return None, "e-mail address contains spaces or invalid characters"
    host = _domain(domain)
    if host is None or "." not in host:
        return None, "e-mail domain is not valid"
    return f"{local.casefold()}@{host}", None


def _phone(s: str, region: str | None) -> _Result:
    import phonenumbers  # on first use: ~25 ms of the app's start-up otherwise

    if s[:4].lower() == "tel:":
        s = s[4:].strip()
    if s.startswith("00"):
        s = "+" + s[2:].lstrip()
    try:
        num = phonenumbers.parse(s, None)
    except phonenumbers.NumberParseException as exc:
        if not region:
            note = (
                "unknown country code" if s.startswith("+") else "no country code; give +<country>"
            )
            return (
                None,
                note if exc.error_type == exc.INVALID_COUNTRY_CODE else "not a phone number",
            )
        try:
            num = phonenumbers.parse(s, region.upper())
        except phonenumbers.NumberParseException:
            return None, "not a phone number"
    if not phonenumbers.is_possible_number(num):
        return None, "not a possible phone number (wrong length)"
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164), None


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_PSEUDO_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:(?!\d)")
_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21, "ws": 80, "wss": 443}
_TRACKING = ("utm_", "fbclid", "gclid", "msclkid", "igshid", "mc_cid", "mc_eid")
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_GITHUB_RESERVED = frozenset(
    ("about", "apps", "collections", "enterprise", "explore", "features", "issues", "join",
     "login", "marketplace", "notifications", "orgs", "pricing", "pulls", "search", "settings",
     "site", "sponsors", "topics", "trending")
)  # fmt: skip


def _pct(text: str, safe: str) -> str:
    """Percent-encode what needs it and upper-case existing escapes."""
    return re.sub(r"%[0-9a-fA-F]{2}", lambda m: m.group().upper(), quote(text, safe=safe))


def _on(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def _profile(host: str, path: str) -> str | None:
    """Canonical LinkedIn / GitHub / Upwork profile URL, or None."""
    segs = [s for s in path.split("/") if s]
    low = [unquote(s).lower() for s in segs]
    if _on(host, "linkedin.com") and len(low) >= 2 and low[0] in ("in", "company"):
        return f"https://www.linkedin.com/{low[0]}/{quote(low[1], safe='-_.~')}"
    github = host in ("github.com", "www.github.com") and 0 < len(low) <= 2
    if github and low[0] not in _GITHUB_RESERVED:  # a profile, or a repository's main page
        return "https://github.com/" + "/".join(segs).lower().removesuffix(".git")
    if _on(host, "upwork.com") and low and low[0] in ("freelancers", "o", "fl"):
        for seg in low:
            if seg.lstrip("_").startswith("~") and len(seg.lstrip("_")) > 1:
                return f"https://www.upwork.com/freelancers/{quote(seg.lstrip('_'), safe='~')}"
        if low[0] == "freelancers" and len(low) == 2:
            return f"https://www.upwork.com/freelancers/{quote(low[1], safe='-_.~')}"
    return None


def _url(s: str, _region: str | None) -> _Result:
    if " " in s:
        return None, "URL contains spaces"
    if len(s) > 8192:
        return None, "URL too long"
    explicit = True
    if s.startswith("//"):
        s = "https:" + s
    elif not _SCHEME.match(s):
        if _PSEUDO_SCHEME.match(s):
            return None, "not a web address"
        s, explicit = "https://" + s, False
    parts = urlsplit(s)
    try:
        port = parts.port
    except ValueError:
        return None, "invalid port"
    scheme, hostname = parts.scheme.lower(), parts.hostname or ""
    try:
        if not hostname or not (hostname[0].isdigit() or ":" in hostname):
            raise ValueError  # not an IP address: skip ipaddress's costly refusal
        addr = ipaddress.ip_address(hostname)
        host: str | None = f"[{addr.compressed}]" if addr.version == 6 else str(addr)
    except ValueError:
        host = _domain(hostname)
        if host is not None and not explicit and "." not in host:
            host = None
    if not host:
        return None, "no valid host name"
    netloc = host
    if "@" in parts.netloc:
        netloc = parts.netloc.rpartition("@")[0] + "@" + host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    path = _pct(parts.path, _PATH_SAFE).rstrip("/")
    if host in ("github.com", "www.github.com"):  # owner and repository names are case-blind
        path = re.sub(r"^(?:/[^/]+){1,2}", lambda m: m.group().lower(), path)
    if scheme in ("http", "https") and port is None and "@" not in parts.netloc:
        canonical = _profile(host, path)
        if canonical:
            return canonical, None
    query = "&".join(
        p
        for p in parts.query.split("&")
        if p and not p.split("=", 1)[0].lower().startswith(_TRACKING)
    )
    result = f"{scheme}://{netloc}{path}"
    return (result + "?" + _pct(query, _PATH_SAFE + "?") if query else result), None


_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")  # dotted quad, no leading zeros


def _ip(s: str, _region: str | None) -> _Result:
    if _IPV4.fullmatch(s):  # already canonical: what ipaddress would give back
        return s, None
    if s.startswith("[") and s.endswith("]"):
        s = s[1:-1].strip()
    try:
        addr = ipaddress.ip_address(s.split("%", 1)[0])
    except ValueError:
        return None, "not a valid IP address"
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return str(addr.ipv4_mapped), None
    return addr.compressed, None


_ADDR_PUNCT = re.compile(r"[.,;:()\[\]、。]")
_ABBREV = {
    "street": "st", "avenue": "ave", "av": "ave", "road": "rd", "boulevard": "blvd",
    "drive": "dr", "lane": "ln", "court": "ct", "place": "pl", "square": "sq", "highway": "hwy",
    "parkway": "pkwy", "terrace": "ter", "circle": "cir", "north": "n", "south": "s",
    "east": "e", "west": "w", "northeast": "ne", "northwest": "nw", "southeast": "se",
    "southwest": "sw", "apartment": "apt", "suite": "ste", "building": "bldg", "room": "rm",
    "number": "no", "mount": "mt",
}  # fmt: skip
_UNIT_WORDS = frozenset({"unit", "apt", "ste", "flat", "rm"})
_UNIT_PART = re.compile(rf"\b(?:{'|'.join(_UNIT_WORDS)}) \S+")
_CJK_UNIT = re.compile(r"(?<!\d)\d+(?:-\d+)?(?:호|층|室|号室)|(?<!\w)\d+(?:-\d+)?동")


def _address(s: str, _region: str | None) -> _Result:
    text = _ADDR_PUNCT.sub(" ", s.casefold().replace("#", " # "))
    out: list[str] = []
    for token in text.split():
        if token == "#":
            if not out or out[-1] not in _UNIT_WORDS:
                out.append("unit")
            continue
        out.append(_ABBREV.get(token, token))
    value = " ".join(out).replace("p o box", "po box").replace("post office box", "po box")
    return (value or None), "empty"


_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")
_STRICT = frozenset({K.EMAIL, K.PHONE, K.URL, K.IP})
_HANDLERS: dict[IdentifierKind, Callable[[str, str | None], _Result]] = {
    K.EMAIL: _email, K.PHONE: _phone, K.URL: _url, K.IP: _ip, K.ADDRESS: _address,
    K.WALLET: lambda s, _r: (s, None), K.GOV_ID: lambda s, _r: (s, None),
    K.DEVICE: lambda s, _r: (s, None),
    K.BANK: lambda s, _r: (s.replace(" ", "") if _IBAN.fullmatch(s.replace(" ", "")) else s, None),
    K.HANDLE: lambda s, _r: (s.lstrip("@").strip().casefold() or None, "empty"),
}  # fmt: skip


def normalize(kind: IdentifierKind, raw: str, *, default_region: str | None = None) -> Normalized:
    """Normalise ``raw`` as ``kind``; never raises on any input, flags with ``ok=False`` instead."""
    kind = IdentifierKind.parse(kind)
    raw = raw if isinstance(raw, str) else str(raw)
    trimmed = raw.strip()
    try:
        cleaned, ctrl = _clean(raw)
        if not cleaned:
            return Normalized(trimmed, False, "empty")
        if ctrl and kind in _STRICT:
            return Normalized(trimmed, False, "contains control characters")
        value, note = _HANDLERS[kind](cleaned, default_region)
    except Exception:  # never let odd user input escape as an exception
        value, note = None, "could not be normalised"
    if value is None:
        return Normalized(trimmed, False, note or "could not be normalised")
    return Normalized(value, True, None)


_B58 = "1-9A-HJ-NP-Za-km-z"
_WALLET_PATTERNS = (
    r"0x[0-9a-fA-F]{40}",  # Ethereum / EVM chains
    r"(?i:(?:bc|tb|ltc)1[ac-hj-np-z02-9]{11,87})",  # bech32 / bech32m (BTC, LTC)
    rf"[13][{_B58}]{{25,34}}",  # Bitcoin legacy / P2SH
    rf"T[{_B58}]{{33}}",  # TRON
    rf"[LM][{_B58}]{{26,33}}",  # Litecoin
    rf"D[{_B58}]{{33}}",  # Dogecoin
    rf"4[0-9AB][{_B58}]{{93}}",  # Monero
)
_WALLETS = [re.compile(p) for p in _WALLET_PATTERNS]
_EMAIL_BARE = re.compile(r'[^\s@<>()\[\],;:"]+@[^\s@<>()\[\],;:"]+\.[^\s@<>()\[\],;:".]+')
_PROFILE_HOSTS = (
    r"linkedin\.com|github\.com|gitlab\.com|upwork\.com|freelancer\.com|fiverr\.com|toptal\.com"
    r"|t\.me|telegram\.me|facebook\.com|instagram\.com|twitter\.com|x\.com|stackoverflow\.com"
)
_PROFILE_URL = re.compile(rf"(?:[a-z0-9-]+\.)*(?:{_PROFILE_HOSTS})(?:[/?#:]|$)", re.I)
_PHONE_BARE = re.compile(r"(?:\+|00)\s*\d[\d\s().\-/]*")


def _is_wallet(s: str) -> bool:
    for index, rx in enumerate(_WALLETS):
        if rx.fullmatch(s):
            if index == 0:
                return True
            if index == 1:  # bech32 is single-case
                return s in (s.lower(), s.upper())
            # base58: random addresses mix cases; this screens out ordinary words and numbers
            tail = s[1:]
            return any(c.isupper() for c in tail) and any(c.islower() for c in tail)
    return False


def classify(value: str) -> IdentifierKind | None:
    """Guess the kind of a bare value (e-mail, URL, IP, phone, wallet), else None."""
    s, ctrl = _clean(value if isinstance(value, str) else str(value))
    if not s or ctrl or len(s) > 8192:
        return None
    if _EMAIL_BARE.fullmatch(s[7:] if s[:7].lower() == "mailto:" else s):
        return K.EMAIL
    if " " not in s and (
        s[:8].lower().startswith(("http://", "https://", "www.")) or _PROFILE_URL.match(s)
    ):
        return K.URL
    if any(c.isdigit() for c in s) and _ip(s, None)[0] is not None:
        return K.IP
    phone = s[4:].strip() if s[:4].lower() == "tel:" else s
    if _PHONE_BARE.fullmatch(phone) and 7 <= sum(c.isdigit() for c in phone) <= 15:
        return K.PHONE
    if _is_wallet(s):
        return K.WALLET
    return None


def parse_typed(text: str) -> tuple[IdentifierKind | None, str]:
    """Split ``kind:value`` when the prefix is a known kind; otherwise classify the bare text."""
    stripped = text.strip()
    prefix, colon, rest = stripped.partition(":")
    if colon and 0 < len(prefix) <= 20:
        try:
            return IdentifierKind.parse(prefix), rest.strip()
        except ValueError:
            pass
    return classify(stripped), stripped


_MAC = re.compile(r"[0-9a-f]{2}(?:[:-]?[0-9a-f]{2}){5}")


def near_keys(kind: IdentifierKind, normalized: str) -> list[str]:
    """Looser keys for "near" matches between identifiers of the same kind ([] if none)."""
    try:
        kind = IdentifierKind.parse(kind)
        norm = normalize(kind, normalized)
        value = norm.value if norm.ok else _clean(normalized)[0]
        if not value:
            return []
        key = _near_key(kind, value)
    except Exception:  # defensive: keys are a hint, never a failure
        return []
    return [key] if key else []


def _near_key(kind: IdentifierKind, value: str) -> str | None:
    if kind is K.EMAIL:
        local, at, domain = value.casefold().rpartition("@")
        if not at or not local:
            return None
        domain = "gmail.com" if domain == "googlemail.com" else domain
        local = local.split("+", 1)[0] or local  # +tags: ignored by all the big providers
        if domain == "gmail.com":  # Gmail also ignores dots
            local = local.replace(".", "") or local
        return f"{local}@{domain}"
    if kind is K.PHONE:
        import phonenumbers

        try:
            digits = phonenumbers.national_significant_number(phonenumbers.parse(value, None))
        except phonenumbers.NumberParseException:
            digits = "".join(c for c in value if c.isdigit())
        digits = digits.lstrip("0")  # trunk prefix and Italian leading zero alike
        return digits if len(digits) >= 6 else None
    if kind is K.ADDRESS:
        text = _CJK_UNIT.sub("", _UNIT_PART.sub("", value))
        text = _COUNTRY_TAIL.sub("", text)  # "..., NJ 07999, USA" is near "..., NJ 07999"
        return "".join(c for c in text if c.isalnum()) or None
    if kind is K.URL:
        parts = urlsplit(value if "://" in value else "https://" + value)
        host = (parts.hostname or "").removeprefix("www.")
        return (host + parts.path.rstrip("/")).lower() or None
    if kind is K.WALLET and re.fullmatch(_WALLET_PATTERNS[0] + "|" + _WALLET_PATTERNS[1], value):
        return value.lower()  # EIP-55 checksum case and bech32 case are not significant
    if kind is K.DEVICE and _MAC.fullmatch(value.lower()):
        return re.sub(r"[:-]", "", value.lower())
    return None


_COUNTRY_TAIL = re.compile(
    r"[\s,]*\b(?:usa|us|u s a|united states(?: of america)?|uk|united kingdom|canada|"
    r"republic of korea|south korea|korea|china|prc|russia|russian federation)\s*$")
_URL_CHARS = r"[^\s<>\"'`\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]"
_FIND_SCHEME_URL = re.compile(rf"(?i)\bhttps?://{_URL_CHARS}+")
_FIND_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9_%+-][A-Za-z0-9._%+-]*@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}"
)
_FIND_BARE_URL = re.compile(
    rf"(?i)(?<![\w.@/-])(?:www\.|(?:[a-z]{{2,3}}\.)?(?:linkedin|github|upwork)\.com/){_URL_CHARS}+"
)
_FIND_IPV6 = re.compile(
    r"(?<![\w:.])\[?(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{1,4})?"
    r"(?:%\w+)?\]?(?![\w:])"
)
_FIND_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
_FIND_WALLET = re.compile(rf"(?<![A-Za-z0-9])(?:{'|'.join(_WALLET_PATTERNS)})(?![A-Za-z0-9])")
_FIND_PHONE = re.compile(r"(?<![\w+.:/-])(?:\+|00)\s?\d[\d\s().-]{5,22}\d")


def _trim_url(url: str) -> str:
    url = url.rstrip(".,;:!?'\"")
    for opener, closer in ("()", "[]", "{}"):
        while url.endswith(closer) and url.count(closer) > url.count(opener):
            url = url[:-1].rstrip(".,;:!?'\"")
    return url


def _candidate(kind: IdentifierKind, found: str) -> str | None:
    """The leading part of a regex hit that is a plausible identifier of ``kind``, or None."""
    if kind is K.PHONE:  # the longest prefix ending at a digit that is a possible number
        ends = [m.end() for m in re.finditer(r"\d+", found)]
        prefixes = (found[:end] for end in reversed(ends))
        return next((p for p in prefixes if normalize(K.PHONE, p).ok), None)
    if kind is K.WALLET:
        return found if _is_wallet(found) else None
    found = _trim_url(found) if kind is K.URL else found
    if kind is K.IP and not any(c.isdigit() for c in found):
        return None
    return found if normalize(kind, found).ok else None


_PASSES = (
    (K.URL, _FIND_SCHEME_URL),
    (K.EMAIL, _FIND_EMAIL),
    (K.URL, _FIND_BARE_URL),
    (K.IP, _FIND_IPV6),
    (K.IP, _FIND_IPV4),
    (K.WALLET, _FIND_WALLET),
    (K.PHONE, _FIND_PHONE),
)  # fmt: skip  (order matters: earlier passes claim their span of text first)


def extract_identifiers(text: str) -> list[tuple[IdentifierKind, str]]:
    """Candidate identifiers in free text, de-duplicated (by normalised value), in text order."""
    text = text if isinstance(text, str) else str(text)
    spans: list[tuple[int, int, IdentifierKind, str]] = []  # sorted, non-overlapping
    for kind, rx in _PASSES:
        for m in rx.finditer(text):
            value = _candidate(kind, m.group())
            if not value:
                continue
            start, end = m.start(), m.start() + len(value)
            i = bisect.bisect_left(spans, start, key=lambda span: span[0])
            if (i == 0 or spans[i - 1][1] <= start) and (i == len(spans) or spans[i][0] >= end):
                spans.insert(i, (start, end, kind, value))
    result: list[tuple[IdentifierKind, str]] = []
    seen: set[tuple[IdentifierKind, str]] = set()
    for _start, _end, kind, value in spans:
        key = (kind, normalize(kind, value).value)
        if key not in seen:
            seen.add(key)
            result.append((kind, value))
    return result
