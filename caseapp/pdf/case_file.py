"""Build the PDF case file from gathered :class:`CaseFileContent`.

``build_case_file`` writes to a binary stream and reports the page count, the Bates range
and each exhibit's Bates pages (for the production manifest). It does no database or vault
access; :mod:`caseapp.services.casefile.exports` gathers the content, writes atomically and records.
Output is deterministic: the same content and options give the same bytes (reportlab's
invariant mode, with the metadata date taken from ``content.info.generated_at``).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import BinaryIO

from reportlab.platypus import Flowable, PageBreak

from caseapp.domain.anchors import PDF_KEY, anchor_line
from caseapp.domain.progress import Cancel, Cancelled, Progress
from caseapp.pdf import sections_case, sections_evidence, sections_records
from caseapp.pdf.content import APPENDIX_NONE, CaseFileContent
from caseapp.pdf.doc import CaseFileDoc
from caseapp.pdf.layout import make_styles
from caseapp.pdf.options import ExportOptions
from caseapp.pdf.pdfa import PdfaCanvas, finish_pdf
from caseapp.pdf.redact import Redactor
from caseapp.pdf.sections_base import Ctx

#: progress(stage, done, total)

_RENDERERS: dict[str, Callable[[Ctx], list[Flowable]]] = {
    "summary": sections_case.summary,
    "subjects": sections_case.subjects,
    "checklist": sections_case.checklist,
    "exhibits": sections_evidence.exhibit_list,
    "custody": sections_evidence.custody,
    "timeline": sections_records.timeline,
    "tips": sections_records.tips,
    "links": sections_records.links,
    "findings": sections_records.findings,
    "appendix": sections_evidence.appendix,
}


@dataclass(frozen=True)
class BuildResult:
    """What the build produced."""

    pages: int
    bates_first: str
    bates_last: str
    #: exhibit -> (first page, last page) per the CONTRACTS.md Bates definition, or absent
    #: when the exhibit appears in neither the appendix nor the exhibit list.
    exhibit_pages: dict[str, tuple[int, int]]
    passes: int
    #: True when the file is PDF/A-2b (see :mod:`caseapp.pdf.pdfa`); False for a file that
    #: will be encrypted (PDF/A forbids it).
    pdfa: bool = False


def pdf_date(content: CaseFileContent) -> str:
    """PDF date string (``D:YYYYMMDDHHmmSS+HH'mm'``) of the export time in the shown zone."""
    local = content.info.generated_at.astimezone(content.tz)
    offset = local.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return (f"D:{local:%Y%m%d%H%M%S}{sign}{abs(minutes) // 60:02d}'"
            f"{abs(minutes) % 60:02d}'")


def build_case_file(content: CaseFileContent, options: ExportOptions, out: BinaryIO, *,
                    progress: Progress | None = None,
                    cancel: Cancel | None = None, producer: str | None = None) -> BuildResult:
    """Lay out and write the case file to ``out``; raises Cancelled when cancelled.

    ``options`` must be validated (:meth:`ExportOptions.validated`). The file is PDF/A-2b
    unless it gets an open password (``options.password``: PDF/A forbids encryption).
    ``producer``: the PDF producer entry (default the software; pass
    :func:`caseapp.pdf.pdfa.signing_producer` when the file will be signed next).
    """
    styles = make_styles()
    case = content.case
    redactor = Redactor(reveal_accounts=options.reveal_accounts,
                        reveal_tipsters=options.reveal_tipsters,
                        account_values=content.account_values(),
                        tipster_values=content.tipster_values())

    def on_flowable(done: int, total: int) -> None:
        if cancel is not None and cancel():
            raise Cancelled("The export was cancelled; no file was written.")
        if progress is not None and (done == total or done % 25 == 0):
            progress(done, total, f"Laying out and drawing pages (pass {doc.passes})")

    buffer = io.BytesIO()
    doc = CaseFileDoc(
        buffer, styles=styles, classification=options.classification, case_ref=case.ref,
        legend=options.privilege_legend, bates=options.bates, pdf_date=pdf_date(content),
        on_flowable=on_flowable, title=f"{case.ref} — {case.title}",
        author=options.prepared_by or content.info.actor,
        subject=f"Case file {case.ref} ({options.classification})",
        creator=content.info.software, producer=producer or content.info.software,
        keywords=[case.ref, options.classification, "case file"], lang="en",
        extra_info=_anchor_info(content))
    ctx = Ctx(content=content, options=options, styles=styles, redactor=redactor,
              marks=doc.marks, page_total=lambda: doc.page_total)
    story: list[Flowable] = sections_case.cover(ctx) + sections_case.contents(ctx)
    for key, render in _RENDERERS.items():
        if options.includes(key):
            story += render(ctx)
            story.append(PageBreak())
    story += sections_records.export_record(ctx) + [PageBreak()]
    story += sections_evidence.certification(ctx)
    if cancel is not None and cancel():
        raise Cancelled("The export was cancelled; no file was written.")
    archival = options.password is None  # PDF/A forbids encryption
    passes = doc.multiBuild(story, maxPasses=8,
                            **({"canvasmaker": PdfaCanvas} if archival else {}))
    pages = doc.page_total or doc.page
    if archival:
        archival = finish_pdf(buffer.getvalue(), out)
    else:
        out.write(buffer.getvalue())
    return BuildResult(pages=pages, bates_first=options.bates(1),
                       bates_last=options.bates(pages),
                       exhibit_pages=_exhibit_pages(content, options, doc.marks),
                       passes=passes, pdfa=archival)


def _exhibit_pages(content: CaseFileContent, options: ExportOptions,
                   marks: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Each exhibit's pages: its appendix entry, else its exhibit-list row."""
    result: dict[str, tuple[int, int]] = {}
    for e in content.exhibits:
        ex = e.exhibit
        begin = marks.get(sections_evidence.mark_begin(ex))
        end = marks.get(sections_evidence.mark_end(ex))
        if options.includes("appendix") and e.appendix != APPENDIX_NONE and begin and end:
            result[ex] = (begin, max(begin, end))
            continue
        row = marks.get(sections_evidence.mark_row(ex))
        if row:
            result[ex] = (row, row)
    return result


def _anchor_info(content: CaseFileContent) -> dict[str, str]:
    """The audit chain head this file was made from, in its document information, where
    ``caseapp verify --anchor FILE.pdf`` reads it."""
    info = content.info
    if not info.audit_head_id:
        return {}
    return {PDF_KEY: anchor_line(info.audit_head_id, info.audit_head_hash)}
