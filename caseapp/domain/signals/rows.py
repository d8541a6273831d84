"""Row models of the signal imports (one parsed line of a sign-in log or an inventory)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class SignalFormat(StrEnum):
    """Import formats; the CLI's ``--format`` spelling."""

    ENTRA = "entra"  # Microsoft Entra ID sign-in log, portal CSV download or Graph JSON
    OKTA = "okta"  # Okta System Log, API JSON or CSV with dotted LogEvent field names
    GWORKSPACE = "gworkspace"  # Google Workspace Admin console login audit CSV
    GENERIC = "generic"  # caseapp's documented generic sign-in CSV
    INVENTORY = "inventory"  # caseapp's generic endpoint inventory CSV
    MDE = "mde"  # Microsoft Defender for Endpoint advanced hunting export (CSV)

    @property
    def is_inventory(self) -> bool:
        return self in (SignalFormat.INVENTORY, SignalFormat.MDE)


class InventoryKind(StrEnum):
    SOFTWARE = "software"
    PROCESS = "process"
    USB = "usb"


@dataclass(slots=True)
class SignIn:
    """One sign-in event. ``at`` is aware (UTC); ``ok`` None when the log does not say.
    (Not frozen: a frozen dataclass costs about twice as much to build, a million times.)"""

    line: int
    account: str  # e-mail / UPN / login as written
    at: datetime
    ip: str = ""
    user_agent: str = ""
    device_id: str = ""
    ok: bool | None = None
    #: Location as the identity provider itself reported it (may be empty).
    country: str = ""
    city: str = ""
    latitude: float | None = None
    longitude: float | None = None
    managed: bool | None = None  # device managed/compliant per the provider, when given


@dataclass(slots=True)
class SignInBatch:
    """A stretch of a CSV sign-in log, column by column (no object per row).

    Row ``i`` is the sign-in ``templates[codes[i]]`` at line ``lines[i]`` and time
    ``stamps[i]``: a template holds every cell but the time, once per distinct set of them
    (its own ``line`` is 0 and ``at`` the earliest datetime), and ``owners[code]``
    is what the reader's ``owner(account)`` said for its account. ``templates`` and
    ``owners`` are the reader's tables, shared by its batches and only appended to until
    the reader starts new ones (``csvlog.MAX_TEMPLATES``; a consumer caching by code
    notices by identity).
    Rows of accounts without an owner are only counted (``other_lines``/``other_accounts``);
    ``errors`` are the batch's unreadable rows. All lists are in line order.
    """

    templates: list[SignIn]
    owners: list[int]
    codes: list[int] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    stamps: list[datetime] = field(default_factory=list)
    other_lines: list[int] = field(default_factory=list)
    other_accounts: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def size(self) -> int:
        """Rows read into the batch that were not errors."""
        return len(self.codes) + len(self.other_lines)


@dataclass(frozen=True, slots=True)
class InventoryItem:
    """One line of an endpoint inventory: software installed, a process seen, a USB device."""

    line: int
    host: str
    user: str
    kind: InventoryKind
    name: str
    vendor: str = ""
    vendor_id: str = ""  # USB idVendor, 4 hex digits lower case
    product_id: str = ""  # USB idProduct
    seen_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RowError:
    """A line that could not be read; ``line`` is the physical line where it starts."""

    line: int
    error: str
