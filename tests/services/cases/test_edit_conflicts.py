"""Optimistic concurrency: two clients editing one record (both stores, see conftest)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from caseapp.security import audit
from caseapp.services.cases import cases, notes, subjects
from caseapp.services.errors import Conflict, EditConflict
from caseapp.services.maintenance import verify
from caseapp.services.redflags import checklists
from caseapp.services.tips import tips
from caseapp.services.workspace import Workspace, open_workspace


def second_client(ws: Workspace) -> Workspace:
    """Another caseapp on the same store: a CLI beside the app, or a colleague's client."""
    return open_workspace(ws.home, store_url=getattr(ws.store, "url", None))


def test_two_clients_editing_one_note_conflict_visibly_and_both_texts_are_kept(ws) -> None:
    case = cases.create_case(ws, "Two editors")
    note = notes.add_note(ws, case.ref, "first draft")
    read_by_a = read_by_b = note.version
    other = second_client(ws)
    try:
        audit.set_actor("Alice")
        notes.edit_note(ws, note.id or 0, text="Alice's text", expected_version=read_by_a)
        audit.set_actor("Bob")
        with pytest.raises(EditConflict) as caught:
            notes.edit_note(other, note.id or 0, text="Bob's text", expected_version=read_by_b)
    finally:
        audit.set_actor(None)
        other.close()
    conflict = caught.value
    assert isinstance(conflict, Conflict) and conflict.exit_code == 4
    assert conflict.expected_version == 1 and conflict.theirs.version == 2
    assert conflict.theirs.fields["Text"] == "Alice's text"
    assert conflict.theirs.by == "Alice" and conflict.theirs.at is not None
    assert conflict.mine["Text"] == "Bob's text"
    assert conflict.kept_copy is not None and f"note #{conflict.kept_copy}" in str(conflict)
    assert "Alice's text" not in str(conflict) and "Bob's text" not in str(conflict)
    by_id = {n.id: n for n in notes.list_notes(ws, case.ref)}
    assert by_id[note.id].text == "Alice's text" and by_id[note.id].version == 2
    copy = by_id[conflict.kept_copy]
    assert (copy.text, copy.conflict_of, copy.author) == ("Bob's text", note.id, "Bob")
    titles = {e.note_id: e.title for e in notes.timeline(ws, case.ref)}
    assert titles[conflict.kept_copy] == f"Note (conflicting copy of note #{note.id})"
    assert titles[note.id] == "Note"
    assert [r.text for r in notes.note_history(ws, note.id or 0)] == ["first draft"]
    assert verify.verify_store(ws).ok


def test_concurrent_saves_of_one_version_let_exactly_one_win(ws) -> None:
    case = cases.create_case(ws, "Race")
    note = notes.add_note(ws, case.ref, "base")
    clients = [ws, second_client(ws)]
    start = threading.Barrier(2)
    outcome: dict[str, Any] = {}

    def save(client: Workspace, text: str) -> None:
        start.wait()
        try:
            outcome[text] = notes.edit_note(client, note.id or 0, text=text,
                                            expected_version=1).version
        except EditConflict as exc:
            outcome[text] = exc

    threads = [threading.Thread(target=save, args=(c, t))
               for c, t in zip(clients, ("text one", "text two"), strict=True)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        clients[1].close()
    conflicts = [v for v in outcome.values() if isinstance(v, EditConflict)]
    assert len(conflicts) == 1 and sorted(v for v in outcome.values() if v == 2) == [2]
    stored = {n.text for n in notes.list_notes(ws, case.ref)}
    assert stored == {"text one", "text two"}  # the winner's and the loser's copy


def test_stale_case_edit_changes_nothing_and_shows_both_versions(ws) -> None:
    case = cases.create_case(ws, "Original title", summary="old summary")
    assert case.version == 1
    fresh = cases.update_case(ws, case.ref, summary="colleague's summary",
                              expected_version=case.version)
    assert fresh.version == 2
    with pytest.raises(EditConflict) as caught:
        cases.update_case(ws, case.ref, title="My title", summary="my summary",
                          expected_version=case.version)
    assert caught.value.theirs.fields["Summary"] == "colleague's summary"
    assert caught.value.mine["Summary"] == "my summary"
    assert caught.value.kept_copy is None and "not saved" in str(caught.value)
    stored = cases.get_case(ws, case.ref)
    assert (stored.title, stored.summary, stored.version) == (
        "Original title", "colleague's summary", 2)
    # "save mine over theirs": again with the version the conflict showed
    mine = cases.update_case(ws, case.ref, title="My title", summary="my summary",
                             expected_version=caught.value.theirs.version)
    assert (mine.title, mine.version) == ("My title", 3)
    with pytest.raises(EditConflict):
        cases.set_status(ws, case.ref, "in-review", expected_version=2)
    assert cases.set_status(ws, case.ref, "in-review", expected_version=3).version == 4
    # without an expected version (a CLI edit), the version read in the transaction counts
    assert cases.update_case(ws, case.ref, priority="high").version == 5
    # an unchanged save does not conflict and does not bump
    assert cases.update_case(ws, case.ref, priority="high", expected_version=1).version == 5


def test_stale_subject_edit_is_refused(ws) -> None:
    case = cases.create_case(ws, "Subjects")
    view = subjects.add_subject(ws, case.ref, "Kim", aliases=["K"])
    sid = view.subject.id or 0
    assert subjects.update_subject(ws, sid, role_applied="Dev", expected_version=1).version == 2
    with pytest.raises(EditConflict) as caught:
        subjects.update_subject(ws, sid, name="Kim Lee", aliases=["KL"], expected_version=1)
    assert caught.value.theirs.fields["Role applied for"] == "Dev"
    assert caught.value.theirs.fields["Aliases"] == "K"
    assert caught.value.mine["Aliases"] == "KL"
    assert subjects.list_subjects(ws, case.ref)[0].subject.name == "Kim"


def test_stale_tip_edit_and_tip_editor_save_are_refused(ws) -> None:
    saved = tips.create_tip(ws, "A tip about a remote developer", channel="email")
    ref, loaded = saved.tip.ref, saved.tip.version
    assert loaded == 1
    tips.update_tip(ws, ref, programme="Reward", expected_version=loaded)
    with pytest.raises(EditConflict) as caught:
        tips.update_tip(ws, ref, programme="Mine", expected_version=loaded)
    assert caught.value.theirs.fields["Programme"] == "Reward"
    assert caught.value.mine["Programme"] == "Mine"
    with pytest.raises(EditConflict) as editor:
        tips.save_tip_edit(ws, ref, fields={"reference": "R-1"}, status="in-triage",
                           expected_version=loaded)
    assert editor.value.mine["Reference"] == "R-1"
    view = tips.get_tip(ws, ref)
    assert (view.programme, view.reference, view.status) == ("Reward", "", "new")
    after = tips.save_tip_edit(ws, ref, fields={"reference": "R-1"}, status="in-triage",
                               expected_version=view.version)
    assert (after.tip.reference, after.tip.status) == ("R-1", "in-triage")
    assert after.tip.version > view.version
    # a status change elsewhere (CLI) also moves the version on
    tips.set_tip_status(ws, ref, "actionable")
    with pytest.raises(EditConflict):
        tips.save_tip_edit(ws, ref, fields={"reference": "R-2"},
                           expected_version=after.tip.version)


def test_stale_checklist_answer_is_refused(ws) -> None:
    case = cases.create_case(ws, "Flags")
    view = checklists.get_checklist(ws, case.ref)
    item = view.items[0]
    assert item.version == 0
    first = checklists.set_item(ws, case.ref, item.item.id, state="suspected", note="seen",
                                expected_version=0)
    answered = next(i for i in first.items if i.item.id == item.item.id)
    assert answered.version == 1
    with pytest.raises(EditConflict) as caught:
        checklists.set_item(ws, case.ref, item.item.id, note="my note", expected_version=0)
    assert caught.value.theirs.fields == {"State": "suspected", "Note": "seen"}
    assert caught.value.mine["Note"] == "my note"
    again = checklists.set_item(ws, case.ref, item.item.id, note="my note",
                                expected_version=1)
    assert next(i for i in again.items if i.item.id == item.item.id).version == 2


def _conflicted_note(ws: Workspace) -> tuple[str, int, EditConflict]:
    case = cases.create_case(ws, "Settle")
    note = notes.add_note(ws, case.ref, "base")
    notes.edit_note(ws, note.id or 0, text="theirs", expected_version=1)
    with pytest.raises(EditConflict) as caught:
        notes.edit_note(ws, note.id or 0, text="mine", expected_version=1)
    return case.ref, note.id or 0, caught.value


def test_settling_a_conflicting_copy_mine_theirs_or_both(ws) -> None:
    ref, note_id, conflict = _conflicted_note(ws)
    copy_id = conflict.kept_copy or 0
    with pytest.raises(EditConflict):  # mine over a version the user never saw: refused
        notes.resolve_copy(ws, copy_id, "mine", expected_version=1)
    kept = notes.resolve_copy(ws, copy_id, "mine", expected_version=conflict.theirs.version)
    assert kept is not None and (kept.id, kept.text, kept.version) == (note_id, "mine", 3)
    assert [n.text for n in notes.list_notes(ws, ref)] == ["mine"]
    assert [r.text for r in notes.note_history(ws, note_id)] == ["base", "theirs"]

    ref, note_id, conflict = _conflicted_note(ws)
    notes.resolve_copy(ws, conflict.kept_copy or 0, "theirs")
    assert [n.text for n in notes.list_notes(ws, ref)] == ["theirs"]

    ref, note_id, conflict = _conflicted_note(ws)
    both = notes.resolve_copy(ws, conflict.kept_copy or 0, "both")
    assert both is not None and both.conflict_of is None
    assert sorted(n.text for n in notes.list_notes(ws, ref)) == ["mine", "theirs"]
    report = verify.verify_store(ws)
    assert report.ok, report.problems


def test_status_moves_by_linking_or_marking_a_duplicate_move_the_tip_version_on(ws) -> None:
    from caseapp.services.tips import casework

    case = cases.create_case(ws, "Linked")
    one = tips.create_tip(ws, "A tip about a laptop farm", channel="email").tip
    two = tips.create_tip(ws, "Another tip", channel="email").tip
    linked = casework.link_tip(ws, one.ref, case.ref)
    assert (linked.status, linked.version) == ("linked", 2)
    with pytest.raises(EditConflict):  # an editor that loaded the tip before the link
        tips.save_tip_edit(ws, one.ref, fields={"reference": "R"}, expected_version=1)
    assert casework.unlink_tip(ws, one.ref, case.ref).version == 3
    assert tips.mark_duplicate(ws, two.ref, one.ref).version == 2
