"""Referral packs as PDF + plain text (``.pdf`` and ``.txt`` beside each other, or a zip)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from caseapp.domain.exchange.content import ShareContent
from caseapp.domain.exchange.referral import Referral, as_text, ic3_worksheet, rfj_brief
from caseapp.domain.exchange.tlp import TLP
from caseapp.pdf.referral import render_referral

if TYPE_CHECKING:
    from caseapp.services.exchange.share import Artefact


def _artefact(referral: Referral, content: ShareContent) -> Artefact:
    from caseapp.services.exchange.share import Artefact

    buffer = io.BytesIO()
    render_referral(referral, buffer, author=content.actor)
    fields = sum(len(s.fields) for s in referral.sections)
    return Artefact({".pdf": buffer.getvalue(), ".txt": as_text(referral).encode("utf-8")},
                    {"sections": len(referral.sections), "fields": fields,
                     "subjects": len(content.subjects), "exhibits described":
                     len(content.exhibits)})


def build_ic3(content: ShareContent, tlp: TLP, *, victim: str = "",
              contact: str = "") -> Artefact:
    return _artefact(ic3_worksheet(content, tlp, victim=victim, contact=contact), content)


def build_rfj(content: ShareContent, tlp: TLP, *, contact: str = "") -> Artefact:
    return _artefact(rfj_brief(content, tlp, contact=contact), content)
