"""Display helpers: local times with their zone, sizes, enum labels."""

from __future__ import annotations

from datetime import datetime


def local_time(moment: datetime | None, *, seconds: bool = False) -> str:
    """``2026-03-02 11:15 CET`` in the machine's zone; blank for None."""
    if moment is None:
        return ""
    local = moment.astimezone()
    zone = local.tzname() or local.strftime("%z")
    return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") + f" {zone}"


def human_size(size: int) -> str:
    """``1.4 MB``; bytes below 1 KB."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{int(value)} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


def label(value: str) -> str:
    """Contract spelling to a label: ``in-review`` -> ``In review``."""
    return value.replace("-", " ").capitalize() if value else ""


#: Identifier kinds (contract spelling) as people read them.
KIND_LABELS = {"email": "E-mail", "phone": "Phone", "url": "URL", "ip": "IP address",
               "address": "Address", "wallet": "Wallet", "bank": "Bank account",
               "gov-id": "Government ID", "device": "Device", "handle": "Handle"}


def kind_label(kind: str) -> str:
    """``gov-id`` -> ``Government ID``."""
    return KIND_LABELS.get(kind, kind.replace("-", " ").capitalize())


def first_line(text: str, limit: int = 160) -> str:
    """The first line of ``text``, shortened with an ellipsis."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"
