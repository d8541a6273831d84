"""The Produce dialog's preview: the Bates range each exhibit would get."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from caseapp.domain.loadfiles import bates_label
from caseapp.domain.models import Evidence
from caseapp.services.casefile import volume as vol
from caseapp.services.casefile.produce import ProduceOptions, Selection, select_exhibits
from caseapp.services.cases.cases import get_case_in
from caseapp.services.workspace import Workspace


@dataclass(frozen=True)
class PreviewRow:
    """One exhibit in the Produce dialog's preview."""

    exhibit: str
    title: str
    media_type: str
    #: "image", "text", "redacted text", "native slip sheet", "withheld", "withdrawn",
    #: "not chosen"
    treatment: str
    pages: int  # estimated for text; 0 when not produced
    estimated: bool
    bates_first: str
    bates_last: str


#: Rough page capacity of a text rendition (mono 8.5 pt on A4), for the preview only.
_TEXT_BYTES_PER_PAGE = 69 * 70


def preview_production(ws: Workspace, case_ref: str,
                       options: ProduceOptions) -> tuple[Selection, list[PreviewRow]]:
    """The Bates ranges a production would get (text page counts estimated from size)."""
    from caseapp.pdf import exhibit_media
    from caseapp.pdf.content import APPENDIX_IMAGE, APPENDIX_TEXT

    sel = select_exhibits(ws, case_ref, options)
    with ws.session() as session:
        case = get_case_in(session, case_ref)
        exhibits = list(session.exec(select(Evidence).where(Evidence.case_id == case.id)
                                     .order_by(col(Evidence.number))).all())
    produced = {e.exhibit for e in sel.produced}
    withheld = {e.exhibit for e, _w in sel.withheld}
    by_label = {e.exhibit: e for e in exhibits}
    order = [e.exhibit for e in sel.produced] + [e.exhibit for e in exhibits
                                                 if e.exhibit not in produced]
    rows, number = [], sel.next_bates
    for label in order:
        ev = by_label[label]
        if label in produced:
            plan = exhibit_media.plan(ev.media_type, ev.original_name, ev.size)
            estimated = plan.kind == APPENDIX_TEXT and ev.size <= vol.MAX_TEXT_RENDITION
            pages = max(1, -(-ev.size // _TEXT_BYTES_PER_PAGE)) if estimated else 1
            treatment = ("image" if plan.kind == APPENDIX_IMAGE else
                         "redacted text" if label in sel.redacted else
                         "text" if estimated else "native slip sheet")
            rows.append(PreviewRow(label, ev.title, ev.media_type, treatment, pages, estimated,
                                   bates_label(sel.prefix, number),
                                   bates_label(sel.prefix, number + pages - 1)))
            number += pages
        else:
            treatment = ("withheld" if label in withheld else
                         "withdrawn" if ev.withdrawn_at is not None else "not chosen")
            rows.append(PreviewRow(label, ev.title, ev.media_type, treatment, 0, False, "", ""))
    return sel, rows
