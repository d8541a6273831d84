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
from typing import Any

from caseapp.domain.signals.csvlog import (
    MAX_CELL,
    Skip,
    as_float,
    expand,
    okta_event_ok,
    result_word,
    signin_batches,
)
from caseapp.domain.signals.formats import check_csv, detect_csv, detect_json
from caseapp.domain.signals.rows import (
    InventoryItem,
    InventoryKind,
    RowError,
    SignalFormat,
    SignIn,
    SignInBatch,
)
from caseapp.domain.signals.times import parse_time

F = SignalFormat
Row = SignIn | InventoryItem | RowError


@dataclass(frozen=True, slots=True)
class OtherAccount:
    """A row of an account the caller did not keep: counted, not validated further."""

    line: int
    account: str


_PNP = re.compile(r"VID_([0-9A-Fa-f]{4}).*?PID_([0-9A-Fa-f]{4})")


def _inventory_builder(fmt: SignalFormat,
                       cols: dict[str, int]) -> Callable[[int, list[str]], InventoryItem]:
    def get(row: list[str], name: str) -> str:
        index = cols.get(name)
        return row[index].strip()[:MAX_CELL] if index is not None and index < len(row) else ""

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
        raise Skip

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
    keep_all: Callable[[str], int | None] = lambda _a: 0  # noqa: E731
    owner = keep_all if keep is None else (lambda a: 0 if keep(a) else None)
    found, stream = read_csv_stream(lines, fmt, owner=owner)

    def rows() -> Iterator[Row | OtherAccount]:
        for item in stream:
            if not isinstance(item, SignInBatch):
                yield item
                continue
            for line, row in expand(item):
                yield OtherAccount(line, row[1]) if isinstance(row, tuple) else row

    return found, rows()


def read_csv_stream(lines: Iterable[str], fmt: SignalFormat | None = None, *,
                    owner: Callable[[str], int | None],
                    ) -> tuple[SignalFormat, Iterator[SignInBatch | InventoryItem | RowError]]:
    """:func:`read_csv` for a big file: sign-ins come in :class:`SignInBatch` columns
    (rows of accounts whose ``owner`` is None only counted), inventory items one by one."""
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
    if not found.is_inventory:
        return found, signin_batches(reader, found, cols, owner)
    build = _inventory_builder(found, cols)

    def rows() -> Iterator[InventoryItem | RowError]:
        done = reader.line_num  # physical lines read so far; a record starts on the next
        try:
            for row in reader:
                line, done = done + 1, reader.line_num
                if not row or (not row[0] and not any(row)):
                    continue
                try:
                    yield build(line, row)
                except Skip:
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
    return "" if value is None else str(value).strip()[:MAX_CELL]


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
        okta_event_ok(_str(obj.get("eventType")))
        result = _str(_path(obj, "outcome", "result"))
        managed = None
        account = _str(_path(obj, "actor", "alternateId"))
        geo = _path(obj, "client", "geographicalContext") or {}
        fields = (obj.get("published"), _path(obj, "client", "ipAddress"),
                  _path(obj, "client", "userAgent", "rawUserAgent"), _path(obj, "device", "id"),
                  result_word(result), _path(geo, "country"), _path(geo, "city"),
                  _path(geo, "geolocation", "lat"), _path(geo, "geolocation", "lon"))
    if not account:
        raise ValueError("the event has no user (userPrincipalName / actor.alternateId)")
    at, ip, ua, device, ok, country, city, lat, lon = fields
    return SignIn(line, account, parse_time(_str(at), naive_is_utc=True), _str(ip), _str(ua),
                  _str(device), ok, _str(country).upper()[:2] if len(_str(country)) == 2
                  else _str(country), _str(city), as_float(lat), as_float(lon), managed)


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
                    except Skip:
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
