"""Parse sign-in logs and inventories (text in, rows and row errors out, streaming).

``read_csv`` takes an iterable of text lines (an open file, ``newline=""``) so a log of a
million rows never sits in memory; ``line`` is the physical line where a record starts
(header = line 1), as in the tip import. ``read_json`` takes the whole text (a JSON list,
``{"value": [...]}`` or one object per line) and reports the line each object starts on.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from caseapp.domain.signals.formats import check_csv, detect_csv, detect_json
from caseapp.domain.signals.rows import (
    InventoryItem,
    InventoryKind,
    RowError,
    SignalFormat,
    SignIn,
)
from caseapp.domain.signals.times import parse_time

F = SignalFormat
Row = SignIn | InventoryItem | RowError
_MAX_CELL = 4000

_UNSEEN: Any = object()
_OK = frozenset({"success", "succeeded", "allow", "ok", "true"})
_FAIL = frozenset({"failure", "failed", "deny", "fail", "false", "interrupted", "error"})


def _result(text: str) -> bool | None:
    value = text.strip().lower()
    if not value or value in ("unknown", "skipped"):
        return None
    if value in _OK:
        return True
    if value in _FAIL:
        return False
    raise ValueError(f"result {text.strip()[:30]!r} is not success/failure")


def _flag(text: str) -> bool | None:
    value = text.strip().lower()
    if value in ("true", "yes", "1", "managed", "compliant"):
        return True
    if value in ("false", "no", "0", "unmanaged", "not compliant", "noncompliant"):
        return False
    return None


def _float(text: Any) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except (TypeError, ValueError):
        return None


class _Skip(Exception):
    """Not a sign-in event (an Okta user.account.* event, a Workspace logout...)."""


def _okta_event_ok(event: str) -> None:
    if not (event.startswith("user.session.start") or event.startswith("user.authentication")):
        raise _Skip


def _gws_event(event: str) -> bool | None:
    name = event.strip().lower().replace(" ", "_")
    if not (name.startswith("login_") or name.startswith("suspicious_login")):
        raise _Skip
    return "failure" not in name


def _entra_location(text: str) -> tuple[str, str]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    return (parts[-1].upper() if parts and len(parts[-1]) == 2 else ""), (parts[0] if parts
                                                                          else "")


_FIELDS = ("time", "account", "ip", "user_agent", "device_id", "result", "event", "location",
           "managed", "compliant", "country", "city", "lat", "lon")


@dataclass(frozen=True, slots=True)
class OtherAccount:
    """A row of an account the caller did not keep: counted, not validated further."""

    line: int
    account: str


def _signin_builder(fmt: SignalFormat, cols: dict[str, int],
                    keep: Callable[[str], bool] | None = None,
                    ) -> Callable[[int, list[str]], SignIn | OtherAccount]:
    # Missing columns read the "" appended to every row (index -1); short rows are padded.
    width = max(cols.values(), default=0) + 1
    ti, ai, ii, ui, di, ri, ei, li, mi, ci, co, cy, la, lo = (cols.get(f, -1) for f in _FIELDS)
    naive_utc = fmt is not F.GENERIC
    entra, okta, gws = fmt is F.ENTRA, fmt is F.OKTA, fmt is F.GWORKSPACE
    pad = [""] * width
    # Per distinct cell value, not per row: a log repeats its accounts and result words.
    kept: dict[str, bool] = {}
    results: dict[str, bool | None] = {}
    fromiso = datetime.fromisoformat

    def build(line: int, row: list[str]) -> SignIn | OtherAccount:
        if len(row) < width:
            row = row + pad[:width - len(row)]
        row.append("")
        if okta:
            _okta_event_ok(row[ei])
        account = row[ai].strip()
        if not account:
            raise ValueError("the user/account cell is empty")
        if len(account) > 320:
            raise ValueError("the user/account cell is longer than 320 characters")
        if keep is not None:
            wanted = kept.get(account)
            if wanted is None:
                wanted = kept[account] = bool(keep(account))
            if not wanted:
                return OtherAccount(line, account)
        if gws:
            ok = _gws_event(row[ei])
        else:
            word = row[ri]
            ok = results.get(word, _UNSEEN)
            if ok is _UNSEEN:
                ok = results[word] = _result(word)
        stamp = row[ti]
        try:  # the common case: ISO 8601 in UTC, read in C
            at = fromiso(stamp)
            if at.tzinfo is not UTC:
                at = parse_time(stamp, naive_is_utc=naive_utc)
        except ValueError:
            at = parse_time(stamp, naive_is_utc=naive_utc)
        country = city = ""
        lat = lon = None
        managed = None
        if entra:
            country, city = _entra_location(row[li])
            flags = (_flag(row[mi]), _flag(row[ci]))
            managed = True if True in flags else (False if False in flags else None)
        elif okta:
            country, city = row[co].strip().upper(), row[cy].strip()
            lat, lon = _float(row[la]), _float(row[lo])
        return SignIn(line, account, at, row[ii].strip()[:64], row[ui].strip()[:_MAX_CELL],
                      row[di].strip()[:200], ok, country[:64], city[:_MAX_CELL],
                      lat, lon, managed)

    return build


_PNP = re.compile(r"VID_([0-9A-Fa-f]{4}).*?PID_([0-9A-Fa-f]{4})")


def _inventory_builder(fmt: SignalFormat,
                       cols: dict[str, int]) -> Callable[[int, list[str]], InventoryItem]:
    def get(row: list[str], name: str) -> str:
        index = cols.get(name)
        return row[index].strip()[:_MAX_CELL] if index is not None and index < len(row) else ""

    def when(row: list[str]) -> Any:
        text = get(row, "seen_at")
        return parse_time(text, naive_is_utc=True) if text else None

    def build_generic(line: int, row: list[str]) -> InventoryItem:
        try:
            kind = InventoryKind(get(row, "kind").lower())
        except ValueError:
            raise ValueError(f"kind {get(row, 'kind')[:20]!r} is not software/process/usb"
                             ) from None
        host, name = get(row, "host"), get(row, "name")
        if not host or not name:
            raise ValueError("host and name must not be empty")
        return InventoryItem(line, host, get(row, "user"), kind, name, get(row, "vendor"),
                             get(row, "vendor_id").lower(), get(row, "product_id").lower(),
                             when(row))

    def build_mde(line: int, row: list[str]) -> InventoryItem:
        host = get(row, "host")
        if not host:
            raise ValueError("DeviceName is empty")
        user = get(row, "user")
        if get(row, "software"):
            return InventoryItem(line, host, user, InventoryKind.SOFTWARE, get(row, "software"),
                                 get(row, "vendor"), seen_at=when(row))
        action = get(row, "action")
        if action in ("PnpDeviceConnected", "UsbDriveMounted"):
            try:
                fields = json.loads(get(row, "fields") or "{}")
            except ValueError:
                raise ValueError("AdditionalFields is not JSON") from None
            device = str(fields.get("DeviceId", "")) if isinstance(fields, dict) else ""
            match = _PNP.search(device)
            name = (str(fields.get("DeviceDescription", "")) if isinstance(fields, dict)
                    else "") or device or "USB device"
            return InventoryItem(line, host, user, InventoryKind.USB, name, "",
                                 match.group(1).lower() if match else "",
                                 match.group(2).lower() if match else "", when(row))
        if get(row, "file"):
            return InventoryItem(line, host, user, InventoryKind.PROCESS, get(row, "file"),
                                 seen_at=when(row))
        raise _Skip

    return build_mde if fmt is F.MDE else build_generic


def read_csv(lines: Iterable[str], fmt: SignalFormat | None = None, *,
             keep: Callable[[str], bool] | None = None,
             ) -> tuple[SignalFormat, Iterator[Row | OtherAccount]]:
    """Detect (``fmt`` None) or check the header, then stream the rows.

    ``keep(account)`` False: a sign-in row of that account is yielded as
    :class:`OtherAccount` as soon as its account is read (a tenant-wide export holds mostly
    other people's sign-ins; they are counted, not parsed further).

    Raises ValueError when the header is missing or fits no format (nothing is read past it).
    Blank rows and rows that are not sign-ins (other Okta/Workspace events) are skipped.
    """
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ValueError(f"the header row cannot be read as CSV ({exc})") from None
    if header is None or not any(c.strip() for c in header):
        raise ValueError("the file is empty or has no header row")
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    found = detect_csv(header) if fmt is None else fmt
    cols = check_csv(found, header)
    build: Callable[[int, list[str]], Any] = (
        _inventory_builder(found, cols) if found.is_inventory
        else _signin_builder(found, cols, keep))

    def rows() -> Iterator[Row | OtherAccount]:
        done = reader.line_num  # physical lines read so far; a record starts on the next
        try:
            for row in reader:
                line, done = done + 1, reader.line_num
                if not row or (not row[0] and not any(row)):
                    continue
                try:
                    yield build(line, row)
                except _Skip:
                    continue
                except ValueError as exc:
                    yield RowError(line, str(exc))
        except csv.Error as exc:
            yield RowError(done + 1, f"CSV syntax error ({exc}); the rest of the file was "
                                     "not read")

    return found, rows()


def _path(obj: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _str(value: Any) -> str:
    return "" if value is None else str(value).strip()[:_MAX_CELL]


def _json_signin(fmt: SignalFormat, line: int, obj: dict[str, Any]) -> SignIn:
    if fmt is F.ENTRA:
        code = _path(obj, "status", "errorCode")
        managed_flags = [_path(obj, "deviceDetail", "isManaged"),
                         _path(obj, "deviceDetail", "isCompliant")]
        managed = (True if True in managed_flags
                   else False if False in managed_flags else None)
        account = _str(obj.get("userPrincipalName"))
        fields = (obj.get("createdDateTime"), obj.get("ipAddress"), obj.get("userAgent"),
                  _path(obj, "deviceDetail", "deviceId"),
                  None if code is None else code == 0,
                  _path(obj, "location", "countryOrRegion"), _path(obj, "location", "city"),
                  _path(obj, "location", "geoCoordinates", "latitude"),
                  _path(obj, "location", "geoCoordinates", "longitude"))
    else:
        _okta_event_ok(_str(obj.get("eventType")))
        result = _str(_path(obj, "outcome", "result"))
        managed = None
        account = _str(_path(obj, "actor", "alternateId"))
        geo = _path(obj, "client", "geographicalContext") or {}
        fields = (obj.get("published"), _path(obj, "client", "ipAddress"),
                  _path(obj, "client", "userAgent", "rawUserAgent"), _path(obj, "device", "id"),
                  _result(result), _path(geo, "country"), _path(geo, "city"),
                  _path(geo, "geolocation", "lat"), _path(geo, "geolocation", "lon"))
    if not account:
        raise ValueError("the event has no user (userPrincipalName / actor.alternateId)")
    at, ip, ua, device, ok, country, city, lat, lon = fields
    return SignIn(line, account, parse_time(_str(at), naive_is_utc=True), _str(ip), _str(ua),
                  _str(device), ok, _str(country).upper()[:2] if len(_str(country)) == 2
                  else _str(country), _str(city), _float(lat), _float(lon), managed)


def _objects(text: str) -> Iterator[tuple[int, Any]]:
    decoder = json.JSONDecoder()
    stripped = text.lstrip("\ufeff \t\r\n")
    start = len(text) - len(stripped)
    if stripped.startswith("{") and not _one_per_line(stripped):
        match = re.match(r'\{\s*(?:"@odata\.[^"]*"\s*:\s*"[^"]*"\s*,\s*)*"value"\s*:\s*\[',
                         stripped)
        if not match:
            raise ValueError("the JSON object has no \"value\" list of sign-ins")
        pos = start + match.end()
        in_array = True
    elif stripped.startswith("["):
        pos, in_array = start + 1, True
    else:
        pos, in_array = start, False
    line, counted = 1, 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or (in_array and text[pos] == "]"):
            return
        line += text.count("\n", counted, pos)
        counted = pos
        try:
            obj, end = decoder.raw_decode(text, pos)
        except ValueError as exc:
            raise _JsonBroken(line, str(exc)) from None
        yield line, obj
        pos = end


def _one_per_line(text: str) -> bool:
    first = text.split("\n", 1)[0].strip()
    try:
        return isinstance(json.loads(first), dict) and "\n" in text.strip()
    except ValueError:
        return False


class _JsonBroken(Exception):
    def __init__(self, line: int, detail: str) -> None:
        super().__init__(detail)
        self.line = line


def read_json(text: str, fmt: SignalFormat | None = None) -> tuple[SignalFormat, Iterator[Row]]:
    """Detect (Entra/Okta) from the first object, then yield its rows; ValueError if neither."""
    objects = _objects(text)
    try:
        first = next(objects, None)
    except _JsonBroken as exc:
        raise ValueError(f"line {exc.line}: not valid JSON ({exc})") from None
    if first is None:
        raise ValueError("the JSON file holds no events")
    if not isinstance(first[1], dict):
        raise ValueError("the JSON list does not hold objects")
    found = detect_json(first[1]) if fmt is None else fmt
    if found not in (F.ENTRA, F.OKTA):
        raise ValueError(f"{found.value} exports are CSV, not JSON")

    def rows() -> Iterator[Row]:
        pending: Iterable[tuple[int, Any]] = [first]
        try:
            for source in (pending, objects):
                for line, obj in source:
                    if not isinstance(obj, dict):
                        yield RowError(line, "not a JSON object")
                        continue
                    try:
                        yield _json_signin(found, line, obj)
                    except _Skip:
                        continue
                    except ValueError as exc:
                        yield RowError(line, str(exc))
        except _JsonBroken as exc:
            yield RowError(exc.line, f"not valid JSON ({exc}); the rest of the file was not "
                                     "read")

    return found, rows()


def looks_like_json(head: str) -> bool:
    """True when the start of a file is JSON rather than CSV."""
    return head.lstrip("\ufeff \t\r\n")[:1] in ("[", "{")
