"""CSV sign-in logs read in batches, one template per distinct row (see :class:`SignInBatch`).

A log repeats its accounts, IPs, devices, user agents and result words: everything a row
says but its time is looked up by the tuple of those cells, and only a new tuple is
validated and turned into a :class:`SignIn` template (plus the owner of its account). Per
row there is one tuple, one dict look-up and one ISO time read in C, so a million-row log
costs about what its distinct rows cost. Row errors and skipped rows are decided per
template too (the same cells give the same answer), except the time, read per row.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from caseapp.domain.signals.rows import RowError, SignalFormat, SignIn, SignInBatch
from caseapp.domain.signals.times import parse_time

F = SignalFormat
#: Rows read per batch, whatever they turn out to be (the caller checks progress and
#: cancel between batches).
BATCH_ROWS = 5000
#: Templates kept before the reader starts fresh tables (at a batch boundary): a log whose
#: rows are all distinct would otherwise hold one per row.
MAX_TEMPLATES = 20_000
MAX_CELL = 4000
_FIELDS = ("account", "ip", "user_agent", "device_id", "result", "event", "location",
           "managed", "compliant", "country", "city", "lat", "lon")
_OK = frozenset({"success", "succeeded", "allow", "ok", "true"})
_FAIL = frozenset({"failure", "failed", "deny", "fail", "false", "interrupted", "error"})


class Skip(Exception):
    """Not a sign-in event (an Okta user.account.* event, a Workspace logout...)."""


def result_word(text: str) -> bool | None:
    value = text.strip().lower()
    if not value or value in ("unknown", "skipped"):
        return None
    if value in _OK:
        return True
    if value in _FAIL:
        return False
    raise ValueError(f"result {text.strip()[:30]!r} is not success/failure")


def okta_event_ok(event: str) -> None:
    if not (event.startswith("user.session.start") or event.startswith("user.authentication")):
        raise Skip


def as_float(text: Any) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _flag(text: str) -> bool | None:
    value = text.strip().lower()
    if value in ("true", "yes", "1", "managed", "compliant"):
        return True
    if value in ("false", "no", "0", "unmanaged", "not compliant", "noncompliant"):
        return False
    return None


def _gws_event(event: str) -> bool | None:
    name = event.strip().lower().replace(" ", "_")
    if not (name.startswith("login_") or name.startswith("suspicious_login")):
        raise Skip
    return "failure" not in name


def _entra_location(text: str) -> tuple[str, str]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    return (parts[-1].upper() if parts and len(parts[-1]) == 2 else ""), (parts[0] if parts
                                                                          else "")


class _Other:
    """Rows of an account without an owner: counted under the account as written."""

    __slots__ = ("account",)

    def __init__(self, account: str) -> None:
        self.account = account


_SKIP = object()
#: What a template key stands for: a template index, _SKIP, an _Other or a RowError text.
Outcome = int | object | _Other | str


def _templates(fmt: SignalFormat, cols: dict[str, int],
               owner: Callable[[str], int | None],
               ) -> Callable[[list[str], list[SignIn], list[int]], Outcome]:
    """The slow path: the outcome of a row whose cells (but the time) were not seen yet."""
    ai, ii, ui, di, ri, ei, li, mi, ci, co, cy, la, lo = (cols.get(f, -1) for f in _FIELDS)
    entra, okta, gws = fmt is F.ENTRA, fmt is F.OKTA, fmt is F.GWORKSPACE
    owners: dict[str, int | None] = {}  # owner() once per account as written

    def cell(row: list[str], index: int) -> str:
        return row[index] if index >= 0 else ""

    def outcome(row: list[str], templates: list[SignIn], table: list[int]) -> Outcome:
        try:
            if okta:
                okta_event_ok(cell(row, ei))
            account = row[ai].strip()
            if not account:
                raise ValueError("the user/account cell is empty")
            if len(account) > 320:
                raise ValueError("the user/account cell is longer than 320 characters")
            if account not in owners:
                owners[account] = owner(account)
            held = owners[account]
            if held is None:
                return _Other(account)
            ok = _gws_event(cell(row, ei)) if gws else result_word(cell(row, ri))
        except Skip:
            return _SKIP
        except ValueError as exc:
            return str(exc)
        country = city = ""
        lat = lon = None
        managed = None
        if entra:
            country, city = _entra_location(cell(row, li))
            flags = (_flag(cell(row, mi)), _flag(cell(row, ci)))
            managed = True if True in flags else (False if False in flags else None)
        elif okta:
            country, city = cell(row, co).strip().upper(), cell(row, cy).strip()
            lat, lon = as_float(cell(row, la)), as_float(cell(row, lo))
        templates.append(SignIn(0, account, NO_TIME, cell(row, ii).strip()[:64],
                                cell(row, ui).strip()[:MAX_CELL], cell(row, di).strip()[:200],
                                ok, country[:64], city[:MAX_CELL], lat, lon, managed))
        table.append(held)
        return len(templates) - 1

    return outcome


#: The time of every template (the rows' times are in the batches).
NO_TIME = datetime.min.replace(tzinfo=UTC)


def signin_batches(reader: Any, fmt: SignalFormat, cols: dict[str, int],
                   owner: Callable[[str], int | None]) -> Iterator[SignInBatch | RowError]:
    """Batches of the rows after the header of ``reader`` (a ``csv.reader``); a CSV syntax
    error ends the stream with a RowError for the line it is on."""
    width = max(cols.values(), default=0) + 1
    pad = [""] * width
    key_of = itemgetter(*sorted({i for f, i in cols.items() if f in _FIELDS}))
    ti = cols["time"]
    naive_utc = fmt is not F.GENERIC
    templates: list[SignIn] = []
    owners: list[int] = []
    outcome_of = _templates(fmt, cols, owner)
    seen: dict[Any, Outcome] = {}
    slow_times: dict[str, datetime | str] = {}  # the few non-ISO forms, by text
    fromiso = datetime.fromisoformat
    # An account without owner decides the row whatever its other cells say (but an Okta
    # row that is no sign-in is skipped first): such rows are told by the account cell.
    others: dict[str, _Other] = {}
    others_get = (lambda _cell: None) if fmt is F.OKTA else others.get
    ai = cols["account"]
    batch = SignInBatch(templates, owners)
    codes, lines, stamps = batch.codes.append, batch.lines.append, batch.stamps.append
    left = BATCH_ROWS
    done = reader.line_num  # physical lines read so far; a record starts on the next
    try:
        for row in reader:
            line, done = done + 1, reader.line_num
            if not left:  # every row read counts: a stretch of errors or skips is cut too
                yield batch
                if len(templates) + len(others) > MAX_TEMPLATES:  # new tables: memory flat
                    templates, owners = [], []
                    seen.clear()
                    others.clear()
                    outcome_of = _templates(fmt, cols, owner)  # and its owner() cache
                batch = SignInBatch(templates, owners)
                codes, lines, stamps = batch.codes.append, batch.lines.append, batch.stamps.append
                left = BATCH_ROWS
            left -= 1
            if len(row) < width:
                if not row:
                    continue
                row = row + pad[:width - len(row)]
            code = others_get(row[ai])
            if code is None:
                key = key_of(row)
                try:  # a subscript is cheaper than .get() and the key is nearly always known
                    code = seen[key]
                except KeyError:
                    code = seen[key] = outcome_of(row, templates, owners)
                    if code.__class__ is _Other:
                        others[row[ai]] = code  # type: ignore[assignment]
            if code.__class__ is not int:
                if code is _SKIP:
                    continue
                if code.__class__ is _Other:
                    batch.other_lines.append(line)
                    batch.other_accounts.append(code.account)  # type: ignore[union-attr]
                elif not any(row):
                    continue  # a blank row (every cell empty)
                else:
                    batch.errors.append(RowError(line, code))  # type: ignore[arg-type]
                    continue
            else:
                stamp = row[ti]
                try:  # the common case: ISO 8601 in UTC, read in C
                    at = fromiso(stamp)
                    if at.tzinfo is not UTC:
                        at = parse_time(stamp, naive_is_utc=naive_utc)
                except ValueError:
                    at = _slow_time(slow_times, stamp, naive_utc)
                    if isinstance(at, str):
                        batch.errors.append(RowError(line, at))
                        continue
                codes(code)  # type: ignore[arg-type]
                lines(line)
                stamps(at)
    except csv.Error as exc:
        if batch.size or batch.errors:
            yield batch
        yield RowError(done + 1, f"CSV syntax error ({exc}); the rest of the file was not read")
        return
    if batch.size or batch.errors:
        yield batch


def _slow_time(cache: dict[str, datetime | str], stamp: str,
               naive_utc: bool) -> datetime | str:
    """A time in an export's human form (strptime is slow: once per distinct text), or
    the error text."""
    hit = cache.get(stamp)
    if hit is None:
        if len(cache) > 50_000:  # distinct seconds of a big log: keep memory flat
            cache.clear()
        try:
            hit = parse_time(stamp, naive_is_utc=naive_utc)
        except ValueError as exc:
            hit = str(exc)
        cache[stamp] = hit
    return hit


def expand(batch: SignInBatch) -> list[tuple[int, SignIn | RowError | tuple[int, str]]]:
    """The batch's rows one by one, in line order: sign-ins (a copy of the template with
    the row's line and time), row errors and ``(line, account)`` of rows without owner."""
    out: list[tuple[int, SignIn | RowError | tuple[int, str]]] = []
    for code, line, at in zip(batch.codes, batch.lines, batch.stamps, strict=True):
        t = batch.templates[code]
        out.append((line, SignIn(line, t.account, at, t.ip, t.user_agent, t.device_id, t.ok,
                                 t.country, t.city, t.latitude, t.longitude, t.managed)))
    out.extend((line, (line, account)) for line, account in
               zip(batch.other_lines, batch.other_accounts, strict=True))
    out.extend((e.line, e) for e in batch.errors)
    out.sort(key=lambda item: item[0])
    return out
