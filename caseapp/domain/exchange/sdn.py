"""OFAC Specially Designated Nationals list, in its two published legacy forms.

**CSV set** (``sdn.csv``, with ``add.csv`` and ``alt.csv`` beside it), no header row,
``-0-`` for an empty field:

- ``sdn.csv``: ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage,
  GRT, Vess_flag, Vess_owner, Remarks. Several programmes read ``CYBER2] [DPRK3``.
  Remarks hold ``;``-separated facts: ``Digital Currency Address - XBT <addr>``,
  ``Email Address <e-mail>``, ``Website <site>``, ``Phone Number <n>``, ``a.k.a. '<name>'``,
  ``Passport <n>``, ``National ID No. <n>`` (each may start with ``alt.``).
- ``alt.csv``: ent_num, alt_num, alt_type, alt_name, alt_remarks (aliases).
- ``add.csv``: ent_num, add_num, address, city/state/postal code, country, add_remarks.

**XML** (``sdn.xml``, namespace ``…/sdnList.xsd``): ``publshInformation/Publish_Date``
(MM/DD/YYYY), and per ``sdnEntry``: uid, firstName, lastName, sdnType,
``programList/program``, ``idList/id`` (idType, idNumber: the same kinds as the CSV
remarks), ``akaList/aka`` (firstName, lastName) and ``addressList/address``.

Digital currency addresses keep their currency (XBT, ETH, XMR, USDT, …) in the remarks of
the entry's identifier. XML is parsed with defusedxml (no entities, no DTDs).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping

from caseapp.domain.exchange.listed import (
    NAME,
    ListedParty,
    ParsedList,
    WatchlistFormatError,
    decode_text,
)

PUBLISHER = "US Treasury, Office of Foreign Assets Control (OFAC)"
_NULL = "-0-"
_SDN_COLUMNS = 12
_FACTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(?:alt\.\s*)?Digital Currency Address\s*-\s*([A-Za-z0-9]+)\s+(\S+)$"),
     "wallet"),
    (re.compile(r"^(?:alt\.\s*)?Email Address\s+(\S+@\S+)$", re.I), "email"),
    (re.compile(r"^(?:alt\.\s*)?Website\s+(\S+)$", re.I), "url"),
    (re.compile(r"^(?:alt\.\s*)?Phone Number\s+(.+)$", re.I), "phone"),
    (re.compile(r"^(?:alt\.\s*)?(?:Passport|National ID No\.|Tax ID No\.|"
                r"Identification Number)\s+(\S+)", re.I), "gov-id"),
)
_AKA = re.compile(r"\b[afn]\.k\.a\.\s+'([^']+)'")
_ID_TYPES: tuple[tuple[str, str], ...] = (
    ("digital currency address", "wallet"), ("email address", "email"),
    ("website", "url"), ("phone number", "phone"), ("passport", "gov-id"),
    ("national id", "gov-id"), ("tax id", "gov-id"), ("identification number", "gov-id"))


def _field(value: str | None) -> str:
    value = (value or "").strip()
    return "" if value == _NULL else value


def programmes(text: str) -> tuple[str, ...]:
    """``CYBER2] [DPRK3`` -> ('CYBER2', 'DPRK3')."""
    return tuple(p for p in (s.strip(" []") for s in text.split("] [")) if p)


def apply_remarks(party: ListedParty, remarks: str) -> None:
    """Identifiers and aliases stated in an SDN entry's remarks."""
    for alias in _AKA.findall(remarks):
        party.add(NAME, alias)
    for part in remarks.strip().removesuffix(".").split(";"):
        part = part.strip()
        for pattern, kind in _FACTS:
            m = pattern.match(part)
            if not m:
                continue
            if kind == "wallet":
                party.add("wallet", m.group(2))
                party.remarks = _join(party.remarks, f"{m.group(2)}: {m.group(1)}")
            else:
                party.add(kind, m.group(1).rstrip(".,"))
            break


def _join(a: str, b: str) -> str:
    return f"{a}; {b}" if a else b


def _rows(text: str, what: str, columns: int) -> list[tuple[int, list[str]]]:
    """Rows of a headerless OFAC CSV (the last line may be an end-of-file marker)."""
    rows: list[tuple[int, list[str]]] = []
    problems: list[str] = []
    reader = csv.reader(io.StringIO(text))
    try:
        for row in reader:
            line = reader.line_num
            if not row or (len(row) == 1 and row[0].strip() in ("", "\x1a")):
                continue
            if len(row) != columns:
                problems.append(f"{what} line {line}: {len(row)} fields, expected {columns}")
            elif not row[0].strip().isdigit():
                problems.append(f"{what} line {line}: the entry number {row[0][:20]!r} is not "
                                "a number")
            else:
                rows.append((line, row))
            if len(problems) >= 20:
                break
    except csv.Error as exc:
        problems.append(f"{what} line {reader.line_num}: {exc}")
    if problems:
        raise WatchlistFormatError(problems)
    return rows


def parse_csv_set(files: Mapping[str, bytes]) -> ParsedList:
    """``{"sdn.csv": …, "add.csv": …, "alt.csv": …}`` (add/alt optional) -> ParsedList."""
    if "sdn.csv" not in files:
        raise WatchlistFormatError(["the OFAC CSV set needs sdn.csv"])
    result = ParsedList("ofac-sdn", publisher=PUBLISHER)
    texts: dict[str, str] = {}
    for name, data in files.items():
        texts[name], note = decode_text(data, what=name)
        if note:
            result.problems.append(note)
    parties: dict[str, ListedParty] = {}
    for _line, row in _rows(texts["sdn.csv"], "sdn.csv", _SDN_COLUMNS):
        ref = row[0].strip()
        party = ListedParty(ref=ref, name=_field(row[1]), type=_field(row[2]) or "entity",
                            programmes=programmes(_field(row[3])))
        party.add(NAME, party.name)
        apply_remarks(party, _field(row[11]))
        parties[ref] = party
        result.records += 1
    for line, row in _rows(texts.get("alt.csv", ""), "alt.csv", 5):
        party = parties.get(row[0].strip())
        if party is None:
            result.skip(f"alt.csv line {line}: no sdn.csv entry {row[0].strip()}")
            continue
        party.add(NAME, _field(row[3]))
    for line, row in _rows(texts.get("add.csv", ""), "add.csv", 6):
        party = parties.get(row[0].strip())
        if party is None:
            result.skip(f"add.csv line {line}: no sdn.csv entry {row[0].strip()}")
            continue
        address = ", ".join(p for p in (_field(row[2]), _field(row[3]), _field(row[4])) if p)
        if _field(row[2]):  # a country alone is not an address worth matching
            party.add("address", address)
    result.parties = list(parties.values())
    return result


def _strip_ns(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_xml(data: bytes) -> ParsedList:
    """The legacy ``sdn.xml`` -> ParsedList (raises WatchlistFormatError when malformed)."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(data)
    except ParseError as exc:
        line, col = getattr(exc, "position", (0, 0))
        raise WatchlistFormatError([f"sdn.xml line {line}, column {col}: not well-formed "
                                    "XML"]) from None
    except DefusedXmlException:
        raise WatchlistFormatError(["sdn.xml: declares entities or a DTD, which a published "
                                    "list never does; refused"]) from None
    for el in root.iter():
        el.tag = _strip_ns(el.tag)
    if root.tag != "sdnList":
        raise WatchlistFormatError([f"sdn.xml: the root element is <{root.tag}>, not "
                                    "<sdnList> (the advanced SDN XML is not read; use sdn.xml "
                                    "or the CSV set)"])
    result = ParsedList("ofac-sdn", publisher=PUBLISHER)
    date = root.findtext("publshInformation/Publish_Date", "").strip()
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", date)
    result.list_date = f"{m.group(3)}-{int(m.group(1)):02d}-{int(m.group(2)):02d}" if m else date
    for index, entry in enumerate(root.iter("sdnEntry"), start=1):
        uid = entry.findtext("uid", "").strip()
        if not uid:
            raise WatchlistFormatError([f"sdn.xml sdnEntry #{index}: no uid"])
        name = ", ".join(p for p in (entry.findtext("lastName", "").strip(),
                                     entry.findtext("firstName", "").strip()) if p)
        party = ListedParty(ref=uid, name=name,
                            type=entry.findtext("sdnType", "").strip().lower() or "entity",
                            programmes=tuple(p.text.strip() for p in entry.iter("program")
                                             if p.text and p.text.strip()))
        party.add(NAME, name)
        for aka in entry.iter("aka"):
            party.add(NAME, ", ".join(p for p in (aka.findtext("lastName", "").strip(),
                                                  aka.findtext("firstName", "").strip()) if p))
        for ident in entry.iter("id"):
            _xml_id(party, ident.findtext("idType", ""), ident.findtext("idNumber", ""))
        for addr in entry.iter("address"):
            street = ", ".join(t for t in (addr.findtext(k, "").strip() for k in (
                "address1", "address2", "address3")) if t)
            if street:
                place = (addr.findtext(k, "").strip() for k in (
                    "city", "stateOrProvince", "postalCode", "country"))
                party.add("address", ", ".join([street, *(p for p in place if p)]))
        party.remarks = _join(party.remarks, entry.findtext("remarks", "").strip())
        result.parties.append(party)
        result.records += 1
    return result


def _xml_id(party: ListedParty, id_type: str, number: str) -> None:
    kind_text, number = id_type.strip().lower(), number.strip()
    for prefix, kind in _ID_TYPES:
        if kind_text.startswith(prefix) and number:
            party.add(kind, number)
            if kind == "wallet":
                currency = id_type.rsplit("-", 1)[-1].strip()
                party.remarks = _join(party.remarks, f"{number}: {currency}")
            return
