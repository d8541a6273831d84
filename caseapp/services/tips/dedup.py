"""Finding likely duplicate tips: shared normalised identifiers and similar content.

Content similarity uses rapidfuzz's ``token_sort_ratio`` on the normalised content key
(:func:`caseapp.domain.tips.content_key`): word order and punctuation do not matter, while
tips that merely follow the same pattern ("contractor X's laptop shipped to Y") stay below
:data:`SIMILARITY_THRESHOLD`. Very short texts are compared for equality only, since a few
words in common say little. The user's decisions (``mark_duplicate``, ``keep_separate``) are here too;
:mod:`caseapp.services.tips.tips` re-exports them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process
from sqlmodel import Session, col, select

from caseapp.domain import tips as rules
from caseapp.domain.enums import TipStatus
from caseapp.domain.models import Identifier, Tip, utcnow
from caseapp.domain.text import dump_list, load_list
from caseapp.security import audit
from caseapp.services.errors import Conflict, InvalidInput
from caseapp.services.tips.views import TipView, claim_tip, get_tip_in, tip_views
from caseapp.services.workspace import Workspace

#: Minimum token_sort_ratio (0-100) for two tips' contents to count as similar.
SIMILARITY_THRESHOLD = 88
#: Content keys shorter than this are only matched when equal.
MIN_FUZZY_LENGTH = 24
#: Only the first this many characters of a content key take part in fuzzy matching.
MAX_COMPARE = 4000
#: Score of a candidate sharing one identifier; each further shared identifier adds 15.
IDENTIFIER_SCORE = 85


@dataclass(frozen=True)
class DuplicateCandidate:
    """Another tip that may be the same lead, with why and how strongly (score 0-100)."""

    tip_id: int
    ref: str
    status: str
    score: int
    similarity: int | None = None
    shared: tuple[tuple[str, str], ...] = ()
    reasons: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {"id": self.tip_id, "ref": self.ref, "status": self.status, "score": self.score,
                "similarity": self.similarity,
                "shared_identifiers": [{"kind": k, "normalized": v} for k, v in self.shared],
                "reasons": list(self.reasons)}


def _sorted_tokens(key: str) -> str:
    return " ".join(sorted(key[:MAX_COMPARE].split()))


class ContentIndex:
    """Content keys of tips, loaded once, for repeated similarity look-ups (e.g. an import)."""

    def __init__(self, keys: dict[int, str] | None = None) -> None:
        self.by_key: dict[str, list[int]] = {}
        self.fuzzy: dict[int, str] = {}
        for tip_id, key in (keys or {}).items():
            self.add(tip_id, key)

    @classmethod
    def load(cls, session: Session) -> ContentIndex:
        """Every tip's content key."""
        rows = session.exec(select(Tip.id, Tip.content_key).order_by(col(Tip.id))).all()
        return cls({tip_id: key for tip_id, key in rows if tip_id is not None})

    def add(self, tip_id: int, key: str) -> None:
        self.by_key.setdefault(key, []).append(tip_id)
        if len(key) >= MIN_FUZZY_LENGTH:
            self.fuzzy[tip_id] = _sorted_tokens(key)

    def find_exact(self, key: str) -> int | None:
        """The first tip whose content key equals ``key``."""
        ids = self.by_key.get(key)
        return ids[0] if ids else None

    def similar(self, key: str, exclude: Iterable[int] = ()) -> dict[int, int]:
        """Tip id -> similarity (0-100) for tips whose content is similar to ``key``."""
        skip = set(exclude)
        result = {tid: 100 for tid in self.by_key.get(key, ()) if tid not in skip and key}
        if len(key) < MIN_FUZZY_LENGTH:
            return result
        # ratio() of token-sorted strings is token_sort_ratio(), with the sorting done once.
        hits = process.extract(_sorted_tokens(key), self.fuzzy, scorer=fuzz.ratio,
                               processor=None, score_cutoff=SIMILARITY_THRESHOLD, limit=None)
        for _choice, score, tid in hits:
            if tid not in skip:
                result[tid] = max(result.get(tid, 0), int(round(score)))
        return result


def _shared_identifiers(session: Session, tip_id: int | None,
                        idents: Iterable[Identifier]) -> dict[int, set[tuple[str, str]]]:
    by_kind: dict[str, set[str]] = {}
    for ident in idents:
        by_kind.setdefault(ident.kind, set()).add(ident.normalized)
    shared: dict[int, set[tuple[str, str]]] = {}
    for kind, values in by_kind.items():
        rows = session.exec(select(Identifier.tip_id, Identifier.normalized).where(
            col(Identifier.tip_id).is_not(None), Identifier.kind == kind,
            col(Identifier.normalized).in_(sorted(values)))).all()
        for other_id, normalized in rows:
            if other_id is not None and other_id != tip_id:
                shared.setdefault(other_id, set()).add((kind, normalized))
    return shared


def find_candidates(session: Session, tip: Tip, idents: Iterable[Identifier] | None = None,
                    *, index: ContentIndex | None = None,
                    limit: int = 10) -> list[DuplicateCandidate]:
    """Likely duplicates of ``tip`` (already flushed), best first.

    Tips the user kept separate from this one, the tip it is already marked a duplicate of and
    tips already marked duplicates of it are left out: those decisions are made.
    """
    if idents is None:
        idents = session.exec(select(Identifier).where(Identifier.tip_id == tip.id)).all()
    decided = {int(i) for i in load_list(tip.kept_separate)}
    if tip.duplicate_of_id is not None:
        decided.add(tip.duplicate_of_id)
    decided.update(i for i in session.exec(select(Tip.id).where(
        Tip.duplicate_of_id == tip.id)).all() if i is not None)
    if tip.id is not None:
        decided.add(tip.id)
    index = index if index is not None else ContentIndex.load(session)
    similar = index.similar(tip.content_key, exclude=decided)
    shared = {tid: pairs for tid, pairs in _shared_identifiers(session, tip.id, idents).items()
              if tid not in decided}
    ids = sorted(set(similar) | set(shared))
    if not ids:
        return []
    others = {t.id: t for t in session.exec(select(Tip).where(col(Tip.id).in_(ids))).all()}
    candidates: list[DuplicateCandidate] = []
    for tid in ids:
        other = others.get(tid)
        if other is None or tid in {int(i) for i in load_list(other.kept_separate)}:
            continue
        reasons: list[str] = []
        sim = similar.get(tid)
        if sim is not None:
            same = other.content_key == tip.content_key
            reasons.append("same content" if same else f"similar content ({sim}%)")
        pairs = tuple(sorted(shared.get(tid, ())))
        reasons.extend(f"shares {kind} {value}" for kind, value in pairs)
        ident_score = min(100, IDENTIFIER_SCORE + 15 * (len(pairs) - 1)) if pairs else 0
        candidates.append(DuplicateCandidate(tid, other.ref, other.status,
                                             max(sim or 0, ident_score), sim, pairs,
                                             tuple(reasons)))
    candidates.sort(key=lambda c: (-c.score, c.tip_id))
    return candidates[:limit]


def duplicate_candidates(ws: Workspace, ref: str) -> list[DuplicateCandidate]:
    """Likely duplicates of a tip, best first, with their reasons and scores."""
    with ws.session() as session:
        return find_candidates(session, get_tip_in(session, ref))


def mark_duplicate(ws: Workspace, ref: str, of_ref: str) -> TipView:
    """The user decides ``ref`` is a duplicate of ``of_ref`` (status ``duplicate``).

    A chain is followed to its original, so a duplicate never points at another duplicate.
    """
    with ws.transaction() as session:
        tip = get_tip_in(session, ref)
        original = get_tip_in(session, of_ref)
        seen = {tip.id}
        while original.duplicate_of_id is not None and original.id not in seen:
            seen.add(original.id)
            nxt = session.get(Tip, original.duplicate_of_id)
            if nxt is None:
                break
            original = nxt
        if original.id == tip.id:
            raise Conflict(f"{tip.ref} cannot be a duplicate of itself.")
        if not rules.can_transition(tip.status, TipStatus.DUPLICATE):
            raise Conflict(f"A tip that is {tip.status} cannot be marked a duplicate.")
        previous = tip.status
        claim_tip(session, tip, None)  # an editor open on the tip sees it moved on
        tip.status, tip.duplicate_of_id = TipStatus.DUPLICATE.value, original.id
        tip.updated_at = utcnow()
        session.add(tip)
        audit.append(session, "tip.marked-duplicate", "tip", tip.ref,
                     {"of": original.ref, "from": previous})
        return tip_views(session, [tip])[0]


def keep_separate(ws: Workspace, ref: str, other_ref: str) -> None:
    """The user decides two tips are not duplicates: neither is offered as the other's
    candidate again."""
    with ws.transaction() as session:
        tip, other = get_tip_in(session, ref), get_tip_in(session, other_ref)
        if tip.id == other.id:
            raise InvalidInput("Choose two different tips.")
        for one, two in ((tip, other), (other, tip)):
            kept = [int(i) for i in load_list(one.kept_separate)]
            if two.id not in kept:
                one.kept_separate = dump_list([*kept, two.id or 0])
                one.updated_at = utcnow()
                session.add(one)
        audit.append(session, "tip.kept-separate", "tip", tip.ref, {"other": other.ref})
