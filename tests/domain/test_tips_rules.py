"""Pure tip rules: transitions, grading, booleans, overdue flag, triage order, content keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from caseapp.domain import tips as rules
from caseapp.domain.enums import CREDIBILITY_GRADES, RELIABILITY_GRADES, TipStatus

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_every_status_has_transitions_and_targets_are_statuses() -> None:
    assert set(rules.TIP_TRANSITIONS) == set(TipStatus)
    for current, targets in rules.TIP_TRANSITIONS.items():
        assert current not in targets
        assert targets <= set(TipStatus)


@pytest.mark.parametrize(("current", "target", "allowed"), [
    ("new", "in-triage", True),
    ("new", "closed", True),
    ("in triage", "actionable", True),
    ("actionable", "linked", True),
    ("linked", "closed", True),
    ("closed", "in-triage", True),
    ("duplicate", "in-triage", True),
    ("closed", "actionable", False),
    ("closed", "linked", False),
    ("linked", "new", False),
    ("in-triage", "new", False),
    ("duplicate", "actionable", False),
    ("not-actionable", "duplicate", False),
    ("actionable", "actionable", True),
])
def test_transitions(current: str, target: str, allowed: bool) -> None:
    assert rules.can_transition(current, target) is allowed


def test_next_statuses_in_enum_order() -> None:
    assert rules.next_statuses("closed") == [TipStatus.IN_TRIAGE]
    assert rules.next_statuses("linked") == [TipStatus.ACTIONABLE, TipStatus.CLOSED]


@pytest.mark.parametrize("grade", ["A", "b", " C ", "d", "E", "F"])
def test_reliability_accepts_a_to_f(grade: str) -> None:
    assert rules.parse_reliability(grade) == grade.strip().upper()


@pytest.mark.parametrize("grade", ["G", "AA", "1", "A1", "Z", "ä"])
def test_reliability_rejects_others(grade: str) -> None:
    with pytest.raises(ValueError, match="A-F"):
        rules.parse_reliability(grade)


@pytest.mark.parametrize("grade", ["1", "2", 3, " 4 ", "5", "6"])
def test_credibility_accepts_1_to_6(grade: object) -> None:
    assert rules.parse_credibility(grade) == str(grade).strip()  # type: ignore[arg-type]


@pytest.mark.parametrize("grade", ["0", "7", "A", "1.0", "12", "-1"])
def test_credibility_rejects_others(grade: str) -> None:
    with pytest.raises(ValueError, match="1-6"):
        rules.parse_credibility(grade)


def test_empty_grades_are_none_and_labels_and_meanings() -> None:
    assert rules.parse_reliability("") is None and rules.parse_credibility(None) is None
    assert rules.grade_label("B", "2") == "B2"
    assert rules.grade_label("B", None) == "B?"
    assert rules.grade_label(None, None) == ""
    assert rules.grade_meaning("B", "2") == "Usually reliable / Probably true"
    assert set(RELIABILITY_GRADES) == set("ABCDEF")
    assert set(CREDIBILITY_GRADES) == set("123456")
    assert RELIABILITY_GRADES["F"] == "Reliability cannot be judged"
    assert CREDIBILITY_GRADES["6"] == "Truth cannot be judged"


@pytest.mark.parametrize(("text", "value"), [
    ("true", True), ("YES", True), ("1", True), (" y ", True),
    ("false", False), ("No", False), ("0", False), ("", False), (None, False),
])
def test_parse_bool(text: str | None, value: bool) -> None:
    assert rules.parse_bool(text) is value


@pytest.mark.parametrize("text", ["maybe", "2", "truee", "anonymous"])
def test_parse_bool_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        rules.parse_bool(text)


def test_overdue_only_for_tips_still_worked() -> None:
    past, future = NOW - timedelta(days=1), NOW + timedelta(days=1)
    assert rules.is_overdue("new", past, NOW)
    assert rules.is_overdue("linked", past, NOW)
    assert not rules.is_overdue("new", future, NOW)
    assert not rules.is_overdue("new", None, NOW)
    assert not rules.is_overdue("closed", past, NOW)
    assert not rules.is_overdue("duplicate", past, NOW)
    assert not rules.is_overdue("not-actionable", past, NOW)


def test_triage_order_overdue_then_new_then_rest() -> None:
    day = timedelta(days=1)
    rows = [  # (name, status, due, received)
        ("closed-overdue", "closed", NOW - 5 * day, NOW - 9 * day),
        ("actionable", "actionable", None, NOW - 8 * day),
        ("new-recent", "new", None, NOW - day),
        ("new-old", "new", None, NOW - 7 * day),
        ("overdue-slightly", "actionable", NOW - day, NOW - 3 * day),
        ("overdue-badly", "in-triage", NOW - 4 * day, NOW - 2 * day),
        ("triage-due-later", "in-triage", NOW + 2 * day, NOW - 6 * day),
        ("triage-no-due", "in-triage", None, NOW - 10 * day),
    ]
    ordered = sorted(rows, key=lambda r: rules.triage_key(r[1], r[2], r[3], 0, NOW))
    assert [r[0] for r in ordered] == [
        "overdue-badly", "overdue-slightly", "new-old", "new-recent", "triage-due-later",
        "triage-no-due", "actionable", "closed-overdue"]


def test_content_key_ignores_case_punctuation_and_spacing() -> None:
    a = rules.content_key("Daniel  PARK ships the laptop to N.J.!!\n")
    b = rules.content_key("daniel park ships the laptop, to n j")
    assert a == b == "daniel park ships the laptop to n j"
    assert rules.content_key("ｆｕｌｌｗｉｄｔｈ") == "fullwidth"
    assert rules.content_key("김민준 이 주소") == "김민준 이 주소"
    assert rules.content_key("Laptop to NJ") != rules.content_key("Laptop to NY")
