"""MISP attribute category/type per caseapp identifier kind (format-free table).

Values follow MISP's describeTypes: every (category, type) here is an allowed pair.
Bitcoin and Monero addresses get their own types; other wallets are ``text`` in
"Financial fraud" with the chain in the comment.
"""

from __future__ import annotations

import re

#: kind -> (category, type, to_ids when confirmed)
ATTRIBUTE_TYPES: dict[str, tuple[str, str, bool]] = {
    "email": ("Social network", "email", True),
    "phone": ("Person", "phone-number", False),
    "url": ("Network activity", "url", True),
    "ip": ("Network activity", "ip-src", True),
    "address": ("Person", "text", False),
    "bank": ("Financial fraud", "bank-account-nr", True),
    "gov-id": ("Person", "text", False),
    "device": ("Other", "text", False),
    "handle": ("Social network", "text", False),
}
_BTC = re.compile(r"^(?:bc1[02-9ac-hj-np-z]{11,71}|[13][1-9A-HJ-NP-Za-km-z]{25,34})$")
_XMR = re.compile(r"^[48][1-9A-HJ-NP-Za-km-z]{94,105}$")
_ETH = re.compile(r"^0x[0-9a-fA-F]{40}$")


def wallet_type(address: str) -> tuple[str, str, str]:
    """(category, type, chain) for a wallet address."""
    if _BTC.match(address):
        return "Financial fraud", "btc", "Bitcoin"
    if _XMR.match(address):
        return "Financial fraud", "xmr", "Monero"
    if _ETH.match(address):
        return "Financial fraud", "text", "Ethereum (or another EVM chain)"
    return "Financial fraud", "text", "unknown chain"


def attribute_type(kind: str, value: str) -> tuple[str, str, bool, str]:
    """(category, type, to_ids if confirmed, comment) for one identifier."""
    if kind == "wallet":
        category, kind_type, chain = wallet_type(value)
        return category, kind_type, True, f"wallet address ({chain})"
    category, kind_type, ids = ATTRIBUTE_TYPES.get(kind, ("Other", "text", False))
    return category, kind_type, ids, kind
