"""Strong watchlist hits become red-flag suggestions (kind watchlist, the list entry, its date
and SHA-256 as the reason) on the items that suggest on that identifier kind; weak name hits
and a clean list suggest nothing; a suggestion never changes a state and can be dismissed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from caseapp.services.exchange import watchlists as wl
from caseapp.services.redflags.checklists import dismiss_suggestion, get_checklist
from tests.services.exchange import listfixtures as fx
from tests.services.exchange.test_watchlists import sdn_set


def _watchlist_items(view: Any) -> dict[str, Any]:
    return {i.item.id: i for i in view.items if i.suggestion is not None
            and any(e.kind == "watchlist" for e in i.suggestion.entries)}


def test_wallet_hit_suggests_payment_items_with_the_entry(demo: Any, tmp_path: Path) -> None:
    before = get_checklist(demo, "CASE-2026-0003")
    assert _watchlist_items(before) == {}
    info = wl.import_watchlist(demo, sdn_set(tmp_path / "ofac"))
    view = get_checklist(demo, "CASE-2026-0003")  # Li Wei's ETH wallet is listed
    items = _watchlist_items(view)
    assert "payment.crypto-or-prc" in items  # suggest_on includes wallet
    suggestion = items["payment.crypto-or-prc"].suggestion
    entry = next(e for e in suggestion.entries if e.kind == "watchlist")
    assert entry.ref.startswith("ofac-sdn/")
    assert "watchlist hit" in suggestion.reason and "DPRK3" in suggestion.reason
    assert info.sha256[:12] in suggestion.reason and "ofac-sdn" in suggestion.reason
    # a suggestion only: no state changed
    assert all(i.state.value == before_i.state.value
               for i, before_i in zip(view.items, before.items, strict=True))
    # dismissing it keeps it away while the entry is the same
    dismiss_suggestion(demo, "CASE-2026-0003", "payment.crypto-or-prc")
    again = _watchlist_items(get_checklist(demo, "CASE-2026-0003"))
    assert "payment.crypto-or-prc" not in again


def test_email_hit_suggests_contact_items(demo: Any, tmp_path: Path) -> None:
    wl.import_watchlist(demo, sdn_set(tmp_path / "ofac"))
    items = _watchlist_items(get_checklist(demo, "CASE-2026-0002"))
    assert "identity.shared-contact" in items  # suggest_on e-mail and phone
    assert "KOREA SOFTWARE FRONT" in items["identity.shared-contact"].suggestion.reason


def test_name_only_and_clean_lists_suggest_nothing(demo: Any, tmp_path: Path) -> None:
    wl.import_watchlist(demo, sdn_set(tmp_path / "ofac"))
    # CASE-2026-0001 has only a weak (name) hit on this list
    assert _watchlist_items(get_checklist(demo, "CASE-2026-0001")) == {}
    wl.remove_watchlist(demo, "ofac-sdn")
    clean = fx.write(tmp_path, "clean.csv", "kind,value,name\nemail,nobody@else.example,X\n")
    wl.import_watchlist(demo, clean)
    for ref in ("CASE-2026-0002", "CASE-2026-0003"):
        assert _watchlist_items(get_checklist(demo, ref)) == {}
