"""Producing a text exhibit redacted (``caseapp produce --redact E-NNN=REASON``).

The redaction is the case file's (US FRCP 5.2 style, :mod:`caseapp.pdf.redact`): every bank
and government-ID number recorded for the case's subjects and linked tips is shown by its last
four characters only, and every tipster name, contact and relationship of a linked tip becomes
``[REDACTED]``, wherever it appears in the text (ignoring spacing and separators). Numbers the
case never recorded as identifiers are not found; the privilege log says how many passages
were masked, never what.

A document produced redacted has no native in the volume (the native is the unredacted
original); its TEXT file and its rendition hold the redacted text, and the load file's SHA256
and MD5 are of that redacted text, so no hash of the original (which could be brute-forced
back to a short redacted number) leaves the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlmodel import col, select

from caseapp.domain.models import Evidence, Identifier, Subject, Tip, TipCaseLink
from caseapp.pdf.redact import ACCOUNT_KINDS, Redactor
from caseapp.services.cases.cases import get_case_in
from caseapp.services.errors import InvalidInput
from caseapp.services.workspace import Workspace


@dataclass(frozen=True)
class Redact:
    """One text exhibit to produce redacted, with the reason (a key of the production's
    WITHHOLD_REASONS) and a description for the privilege and redaction log."""

    exhibit: str
    reason: str
    description: str = ""


#: Text exhibits up to this size are typeset (and so can be produced redacted).
MAX_TEXT_RENDITION = 8 * 1024 * 1024
#: What the privilege log says a redaction covered.
REDACTION_SCOPE = ("account and ID numbers shown by their last four characters; tipster "
                   "identities replaced")


def case_redactor(ws: Workspace, case_ref: str) -> Redactor:
    """A redactor for the sensitive values recorded in the case (identifiers and tipsters)."""
    with ws.session() as session:
        case = get_case_in(session, case_ref)
        subject_ids = list(session.exec(select(Subject.id).where(Subject.case_id == case.id)))
        tips = list(session.exec(select(Tip).join(TipCaseLink, col(TipCaseLink.tip_id) == col(Tip.id))
                                 .where(TipCaseLink.case_id == case.id)))
        tip_ids = [t.id for t in tips]
        idents = list(session.exec(select(Identifier).where(
            col(Identifier.subject_id).in_(subject_ids) | col(Identifier.tip_id).in_(tip_ids))))
    accounts = [v for i in idents if i.kind in ACCOUNT_KINDS for v in (i.raw, i.normalized)]
    tipsters = [v for t in tips if not t.anonymous
                for v in (t.tipster_name, t.tipster_contact, t.relationship) if v]
    return Redactor(reveal_accounts=False, reveal_tipsters=False, account_values=accounts,
                    tipster_values=tipsters)


def check_redactions(case_ref: str, items: Sequence[Redact], by_label: dict[str, Evidence],
                     withheld: set[str], reasons: dict[str, str]) -> dict[str, Redact]:
    """The exhibits to produce redacted (``Redact`` items), checked: text exhibits of the case,
    neither withheld nor withdrawn, with a known reason. Raises InvalidInput."""
    from caseapp.pdf import exhibit_media
    from caseapp.pdf.content import APPENDIX_TEXT

    out: dict[str, Redact] = {}
    for r in items:
        label = exhibit_label(r.exhibit)
        ev = by_label.get(label)
        if ev is None:
            raise InvalidInput(f"{case_ref} has no exhibit {label} to redact.")
        if r.reason not in reasons:
            raise InvalidInput(f"Unknown reason {r.reason!r}; use one of "
                               f"{', '.join(reasons)}.")
        if label in withheld:
            raise InvalidInput(f"{label} cannot be both withheld and produced redacted.")
        if ev.withdrawn_at is not None:
            raise InvalidInput(f"{label} was withdrawn and cannot be produced.")
        plan = exhibit_media.plan(ev.media_type, ev.original_name, ev.size)
        if plan.kind != APPENDIX_TEXT or ev.size > MAX_TEXT_RENDITION:
            raise InvalidInput(f"{label}: only text exhibits can be produced redacted here "
                               "(images and other files cannot be redacted by caseapp); "
                               "withhold it instead.")
        out[label] = replace(r, exhibit=label)
    return out


def exhibit_label(text: str) -> str:
    """``e-3`` -> ``E-003`` (other text upper-cased as it is)."""
    text = text.strip().upper()
    if text.startswith("E-") and text[2:].isdigit():
        return f"E-{int(text[2:]):03d}"
    return text
