"""Traffic Light Protocol 2.0 (FIRST) levels and which share formats can carry them.

The STIX marking-definition objects are the official ones of the OASIS TLP 2.0 extension
(``extension-definition--60a3c5c5-…``): fixed ids, fixed ``created`` time, published once;
a bundle carries the one it references. MISP uses the ``tlp:`` taxonomy tags.

A format that has no way to attach a marking to what it carries (a link chart opened in
i2 or Gephi, a referral form pasted into a government web form) cannot hold back
TLP:AMBER+STRICT or TLP:RED information, so those levels are refused for it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class TLP(StrEnum):
    """TLP 2.0 levels, least to most restricted."""

    CLEAR = "clear"
    GREEN = "green"
    AMBER = "amber"
    AMBER_STRICT = "amber+strict"
    RED = "red"

    @property
    def label(self) -> str:
        """``TLP:AMBER+STRICT``."""
        return f"TLP:{self.value.upper()}"

    @property
    def misp_tag(self) -> str:
        """The MISP taxonomy tag (``tlp:amber+strict``)."""
        return f"tlp:{self.value}"

    @property
    def stix_id(self) -> str:
        return _STIX_IDS[self]


TLP2_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_CREATED = "2022-10-01T00:00:00.000Z"
_STIX_IDS = {
    TLP.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    TLP.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    TLP.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    TLP.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    TLP.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}

#: Share formats (the ``--format`` values) and the TLP levels each can carry.
FORMATS: dict[str, str] = {
    "stix": "STIX 2.1 bundle (JSON)",
    "misp": "MISP event (JSON)",
    "anx": "i2 Analyst's Notebook chart (.anx)",
    "graphml": "GraphML link chart (Gephi, yEd, Maltego)",
    "ic3": "FBI IC3 complaint worksheet (PDF + text)",
    "rfj": "Rewards for Justice tip brief (PDF + text)",
}
_MARKABLE = frozenset({"stix", "misp"})


class TLPError(ValueError):
    """An unknown level, or one the format cannot carry (message for the user)."""


def parse_tlp(text: str) -> TLP:
    """``amber+strict`` / ``TLP:AMBER`` / ``white`` (TLP 1.0's name for CLEAR) -> TLP."""
    value = text.strip().lower().removeprefix("tlp:").replace(" ", "")
    if value == "white":
        value = "clear"
    try:
        return TLP(value)
    except ValueError:
        raise TLPError(f"Unknown TLP level {text!r}; use one of "
                       f"{', '.join(t.value for t in TLP)}.") from None


def allowed_levels(fmt: str) -> tuple[TLP, ...]:
    """The levels ``fmt`` can carry."""
    if fmt in _MARKABLE:
        return tuple(TLP)
    return (TLP.CLEAR, TLP.GREEN, TLP.AMBER)


def check_tlp(fmt: str, tlp: TLP) -> None:
    """Raise TLPError when ``fmt`` cannot carry ``tlp``."""
    if fmt not in FORMATS:
        raise TLPError(f"Unknown share format {fmt!r}; use one of {', '.join(FORMATS)}.")
    if tlp not in allowed_levels(fmt):
        raise TLPError(f"{tlp.label} cannot be used for {FORMATS[fmt]}: the format has no "
                       "way to carry the marking with what it holds. Use STIX or MISP, or "
                       "TLP:AMBER or lower.")


def stix_marking(tlp: TLP) -> dict[str, Any]:
    """The official OASIS TLP 2.0 marking-definition object for ``tlp``."""
    return {"type": "marking-definition", "spec_version": "2.1", "id": tlp.stix_id,
            "created": TLP2_CREATED, "name": tlp.label,
            "extensions": {TLP2_EXTENSION_ID: {"extension_type": "property-extension",
                                               "tlp_2_0": tlp.value}}}
