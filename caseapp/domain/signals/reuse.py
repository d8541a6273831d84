"""reused-photo and reused-text: the same picture or résumé behind different subjects.

The services compute a 64-bit perceptual hash per image exhibit and extract the text of
text exhibits; these functions compare them across subjects (never within one subject).
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from caseapp.domain.signals import rules as R
from caseapp.domain.signals.refdata import DataSet
from caseapp.domain.signals.rules import Finding

#: The method behind the comparisons, recorded in each finding like a data set.
PHOTO_METHOD = DataSet("imagehash pHash 64-bit", "4", "")
TEXT_METHOD = DataSet("rapidfuzz token_set_ratio", "3", "")
TEXT_LIMIT = 20_000


@dataclass(frozen=True)
class Item:
    """An exhibit of a subject: ``value`` is a pHash (int) or normalised text (str)."""

    subject_id: int
    subject: str
    case_ref: str
    exhibit: str  # "CASE-2026-0001/E-003"
    value: int | str


def _pairs(items: list[Item]) -> list[tuple[Item, Item]]:
    return [(a, b) for i, a in enumerate(items) for b in items[i + 1:]
            if a.subject_id != b.subject_id]


def _finding(rule: R.Rule, own: Item, other: Item, summary: str, score: float,
             detail: dict[str, object], method: DataSet) -> Finding:
    return Finding(rule, own.subject_id, summary, score, f"{rule.name}:{other.exhibit}",
                   exhibits=[own.exhibit, other.exhibit],
                   detail={**detail, "other_subject": other.subject,
                           "other_case": other.case_ref}, data=[method])


def photo_findings(items: list[Item], max_distance: int = 6,
                   own_subjects: set[int] | None = None) -> list[Finding]:
    """Pairs of images of different subjects within ``max_distance`` bits; findings only for
    subjects in ``own_subjects`` (the case being checked) when given."""
    out: list[Finding] = []
    for a, b in _pairs(items):
        assert isinstance(a.value, int) and isinstance(b.value, int)
        distance = (a.value ^ b.value).bit_count()
        if distance > max_distance:
            continue
        for own, other in ((a, b), (b, a)):
            if own_subjects is None or own.subject_id in own_subjects:
                out.append(_finding(R.REUSED_PHOTO, own, other,
                                    f"{own.exhibit} matches {other.exhibit} of {other.subject} "
                                    f"({distance} bits apart)", 1 - distance / 64,
                                    {"distance": distance, "max_distance": max_distance},
                                    PHOTO_METHOD))
    return out


def normalise_text(text: str) -> str:
    """Lower case, single spaces, first :data:`TEXT_LIMIT` characters."""
    return " ".join(text[:TEXT_LIMIT].lower().split())


def text_findings(items: list[Item], threshold: float = 90.0, min_chars: int = 200,
                  own_subjects: set[int] | None = None) -> list[Finding]:
    """Near-duplicate texts (token-set ratio >= ``threshold``) of different subjects."""
    usable = [i for i in items if isinstance(i.value, str) and len(i.value) >= min_chars]
    out: list[Finding] = []
    for a, b in _pairs(usable):
        score = fuzz.token_set_ratio(str(a.value), str(b.value), score_cutoff=threshold)
        if not score:
            continue
        for own, other in ((a, b), (b, a)):
            if own_subjects is None or own.subject_id in own_subjects:
                out.append(_finding(R.REUSED_TEXT, own, other,
                                    f"{own.exhibit} is {score:.0f}% similar to "
                                    f"{other.exhibit} of {other.subject}", score / 100,
                                    {"similarity": round(score, 1), "threshold": threshold},
                                    TEXT_METHOD))
    return out
