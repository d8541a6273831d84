"""Table models of the Findings tab (findings, locations), testable without a view."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from caseapp.ui.widgets.records import Column, RecordTableModel

if TYPE_CHECKING:
    from caseapp.services.signals.findings import Location



def _cites(f: dict[str, Any]) -> str:
    if f.get("exhibit"):
        lines = ", ".join(str(n) for n in f["lines"][:6])
        more = f" +{f['line_count'] - 6}" if f["line_count"] > 6 else ""
        return f"{f['exhibit']} lines {lines}{more}"
    return ", ".join(f.get("exhibits", []))


def _data(f: dict[str, Any]) -> str:
    return "\n".join(f"{d['name']} {d['version']}" + (f" sha256 {d['sha256'][:16]}…"
                                                      if d.get("sha256") else "")
                     for d in f.get("data", []))


_STATUS_COLOUR = {"open": "warn", "accepted": "ok", "dismissed": None}

FINDING_COLUMNS: list[Column[dict[str, Any]]] = [
    Column("Status", lambda f: f["status"], colour=lambda f: _STATUS_COLOUR.get(f["status"])),
    Column("Rule", lambda f: f"{f['title']} (v{f['version']})",
           tooltip=lambda f: f"{f['rule']} v{f['version']}: {f['explanation']}"),
    Column("Subject", lambda f: f["subject"]),
    Column("Score", lambda f: f"{f['score']:.2f}", right=True),
    Column("Finding", lambda f: f["summary"], tooltip=lambda f: f["summary"]),
    Column("Rows cited", _cites, tooltip=lambda f: f"{f['line_count']} row(s) in all"),
    Column("Red-flag item", lambda f: f["redflag_item"]),
    Column("Data", lambda f: ", ".join(d["name"] for d in f.get("data", [])), tooltip=_data),
]

LOCATION_COLUMNS: list[Column[Location]] = [
    Column("Subject", lambda loc: loc.subject),
    Column("Place", lambda loc: loc.place),
    Column("Network", lambda loc: loc.network),
    Column("Egress", lambda loc: loc.egress or "-"),
    Column("Sign-ins", lambda loc: str(loc.signins), right=True),
    Column("IPs", lambda loc: str(loc.ips), right=True),
    Column("First seen", lambda loc: loc.first_at[:16].replace("T", " ")),
    Column("Last seen", lambda loc: loc.last_at[:16].replace("T", " ")),
    Column("First row", lambda loc: f"{loc.exhibit} line {loc.first_line}"),
]


class FindingsModel(RecordTableModel):
    """Findings (service dicts), open first; dismissed ones in italics."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(FINDING_COLUMNS, parent)
        self.dim = lambda f: f["status"] == "dismissed"

    def row_of(self, finding_id: int) -> int:
        return next((n for n, f in enumerate(self.records) if f["id"] == finding_id), -1)


class LocationsModel(RecordTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(LOCATION_COLUMNS, parent)
