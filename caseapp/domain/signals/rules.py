"""The named, versioned detection rules and what a finding of one looks like.

A :class:`Rule` is the stable description (name, version, plain-language explanation, the
inputs it reads, the red-flag item a finding supports). The code that applies each rule is
in :mod:`caseapp.domain.signals.engine` (sign-in logs, inventories) and
:mod:`caseapp.domain.signals.reuse` (photos and résumé text across subjects). Bump a rule's
version whenever its logic or thresholds change: findings record the version they came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from caseapp.domain.signals.refdata import DataSet


@dataclass(frozen=True)
class Rule:
    name: str
    version: int
    title: str
    explanation: str
    inputs: tuple[str, ...]
    redflag_item: str

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}"

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "title": self.title,
                "explanation": self.explanation, "inputs": list(self.inputs),
                "redflag_item": self.redflag_item}


VPN_EGRESS = Rule(
    "vpn-egress", 1, "Commercial VPN or hosting egress",
    "Sign-ins came from networks of commercial VPN providers or hosting companies rather "
    "than a home or mobile connection. Workers hiding their real location often sign in "
    "through a VPN (Astrill is the one most reported) or a rented server.",
    ("sign-in IP", "egress range file (ASN, provider)", "VPN/hosting network list"),
    "technical.vpn-unusual-asn")
GEO_RESIDENCE = Rule(
    "geo-vs-residence", 1, "Sign-in country differs from the claimed residence",
    "Successful sign-ins were located (by the identity provider, else by the range file) in "
    "a country other than the one the subject claims to live in. Sign-ins through VPN or "
    "hosting networks are left out here: their location says nothing about the person.",
    ("sign-in location", "subject's claimed location"), "technical.login-geography")
IMPOSSIBLE_TRAVEL = Rule(
    "impossible-travel", 1, "Impossible travel between consecutive sign-ins",
    "Two consecutive successful sign-ins of the same subject were further apart than anyone "
    "could travel in the time between them (great-circle distance divided by the time, above "
    "the configured speed; default 900 km/h, airliner cruise speed).",
    ("sign-in time", "sign-in location", "maximum speed"), "technical.login-geography")
SHARED_EGRESS = Rule(
    "shared-egress", 1, "Egress IP or device shared with another subject",
    "The same public IP address or device id was used by more than one subject, in this case "
    "or another case or tip. Several 'employees' behind one IP or laptop is the pattern of a "
    "laptop farm. Corporate ranges named in the range file are not counted.",
    ("sign-in IP", "device id", "identifiers of other subjects and tips"),
    "logistics.laptop-farm")
WORKING_HOURS = Rule(
    "working-hours", 2, "Activity hours fit UTC+8/UTC+9 better than the claimed zone",
    "The subject's sign-ins by hour of day were compared with a 08:00-18:00 working day in "
    "the claimed time zone and in UTC+8 and UTC+9. The score is the share of activity inside "
    "the UTC+8/+9 day minus the share inside the claimed day; it fires at 0.25 or more with "
    "at least 20 sign-ins. Each sign-in is placed in the claimed zone's local time at its "
    "own instant (tz database), so daylight saving is honoured on both sides of a change.",
    ("sign-in times", "claimed location's time zone"), "behaviour.time-zone-mismatch")
REMOTE_TOOLS = Rule(
    "remote-tools", 1, "Remote-control software on the endpoint",
    "The endpoint inventory lists remote-control software (AnyDesk, TeamViewer, Chrome Remote "
    "Desktop, RustDesk...) on the subject's device; someone else may be operating it. Each "
    "match names the source that reports the tool in such schemes.",
    ("endpoint inventory", "remote-tool list"), "technical.remote-access-tools")
KVM_HARDWARE = Rule(
    "kvm-hardware", 1, "KVM-over-IP hardware attached to the endpoint",
    "A USB device or host name of a KVM-over-IP device (PiKVM, TinyPilot and similar) was "
    "seen on the subject's device; such a box lets a remote operator type on a laptop "
    "'at home' in a laptop farm. The Linux composite-gadget USB id they use by default can "
    "also belong to other single-board computers: check the device.",
    ("endpoint inventory (USB devices, host names)", "KVM device list"),
    "technical.kvm-hardware")
REUSED_PHOTO = Rule(
    "reused-photo", 1, "Profile photo reused by another subject",
    "An image exhibit of this subject is a near copy of an image exhibit of another subject "
    "(perceptual hash within the configured Hamming distance, default 6 of 64 bits), so the "
    "same face or picture stands behind different names.",
    ("image exhibits of every subject", "perceptual hash (imagehash pHash)"),
    "identity.borrowed-photo")
REUSED_TEXT = Rule(
    "reused-text", 1, "Résumé or cover-letter text reused by another subject",
    "A text exhibit of this subject is a near duplicate of a text exhibit of another subject "
    "(token-set similarity of 90 or more out of 100 over the first 20,000 characters).",
    ("text exhibits of every subject", "near-duplicate similarity (rapidfuzz)"),
    "identity.shared-contact")

RULES: tuple[Rule, ...] = (VPN_EGRESS, GEO_RESIDENCE, IMPOSSIBLE_TRAVEL, SHARED_EGRESS,
                           WORKING_HOURS, REMOTE_TOOLS, KVM_HARDWARE, REUSED_PHOTO, REUSED_TEXT)
BY_NAME: dict[str, Rule] = {r.name: r for r in RULES}

@dataclass
class Settings:
    """Thresholds of the sign-in rules (the CLI's ``--max-speed`` sets the first)."""

    max_speed_kmh: float = 900.0
    min_travel_km: float = 500.0
    min_hour_events: int = 20
    hours_threshold: float = 0.25


#: Cited lines kept per finding (the count of all lines behind it is kept too).
MAX_CITES = 50


@dataclass
class Finding:
    """One rule firing for one subject. ``lines`` are lines of the imported exhibit;
    ``exhibits`` name other exhibits behind it (photo/text reuse)."""

    rule: Rule
    subject_id: int
    summary: str
    score: float
    key: str  # stable within a rule and subject: re-runs replace, never duplicate
    lines: list[int] = field(default_factory=list)
    line_count: int = 0
    exhibits: list[str] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)
    data: list[DataSet] = field(default_factory=list)

    def cite(self, line: int) -> None:
        self.line_count += 1
        if len(self.lines) < MAX_CITES:
            self.lines.append(line)
