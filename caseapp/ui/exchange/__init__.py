"""Sharing cases out (STIX, MISP, link charts, referral packs) and watchlists in."""
