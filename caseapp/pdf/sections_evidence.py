"""Case-file sections about exhibits: the exhibit list, chain of custody, the appendix
(images embedded, text excerpted, others cited by hash) and the hash certification."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    Preformatted,
    Spacer,
    Table,
)

from caseapp.pdf.content import (
    APPENDIX_IMAGE,
    APPENDIX_NONE,
    APPENDIX_TEXT,
    ExhibitEntry,
)
from caseapp.pdf.images import EmbeddedImage
from caseapp.pdf.layout import ALERT, CONTENT_W, PAGE_H, PageMark, table_style
from caseapp.pdf.sections_base import Ctx, detail_text, fmt_size, grid, split_hash
from caseapp.pdf.text import markup

MAX_IMAGE_H = PAGE_H * 0.55
_PT_PER_PX = 0.75  # 96 dpi


def mark_begin(exhibit: str) -> str:
    return f"begin-{exhibit}"


def mark_end(exhibit: str) -> str:
    return f"end-{exhibit}"


def mark_row(exhibit: str) -> str:
    return f"row-{exhibit}"


def _withdrawn_line(ctx: Ctx, e: ExhibitEntry) -> Flowable:
    ev = e.evidence
    text = (f"WITHDRAWN {ctx.time(ev.withdrawn_at)} by {ev.withdrawn_by or '—'}: "
            f"{ev.withdrawn_reason or '—'}")
    return ctx.p(text, ctx.styles.cell.clone("withdrawn", textColor=ALERT))


def exhibit_list(ctx: Ctx) -> list[Flowable]:
    """Number, title, original name, media type, size, acquisition, full SHA-256, status."""
    s = ctx.styles
    story: list[Flowable] = [ctx.heading("exhibits")]
    if not ctx.content.exhibits:
        return story + [ctx.p("No exhibits are recorded for this case.", s.body)]
    rows = []
    for e in ctx.content.exhibits:
        ev = e.evidence
        parts = [(ev.title, "b"), (f"File: {ev.original_name}", ""),
                 (f"{ev.media_type} · {fmt_size(ev.size)}", "")]
        if ev.description:
            parts.append((ev.description, "small"))
        described: list[Flowable] = [ctx.lines(parts)]
        if e.withdrawn:
            described.append(_withdrawn_line(ctx, e))
        described.append(PageMark(mark_row(e.exhibit), ctx.marks))
        acquired = (f"{ctx.time(ev.acquired_at, two_lines=True)}\nby {ev.acquired_by or '—'}"
                    f"\nfrom {ev.acquired_from or '—'}"
                    + (f"\nmethod: {ev.acquisition_method}" if ev.acquisition_method else ""))
        rows.append([e.exhibit, described, acquired, split_hash(ev.sha256)])
    story.append(grid(ctx, ["No.", "Exhibit", "Acquired", "SHA-256"], rows,
                      [40, 190, 118, CONTENT_W - 348], mono=(3,), bold=(0,)))
    story.append(ctx.note("Sizes are of the original files. Withdrawn exhibits stay listed "
                          "with who withdrew them, when and why."))
    return story


def custody(ctx: Ctx) -> list[Flowable]:
    """Every exhibit's custody log: when, action, by whom, details, hash at that time."""
    s = ctx.styles
    story: list[Flowable] = [ctx.heading("custody")]
    if not ctx.content.exhibits:
        return story + [ctx.p("No exhibits, so no custody records.", s.body)]
    for e in ctx.content.exhibits:
        story.append(ctx.sub_heading(f"{e.exhibit} — {e.evidence.title}", s.h3,
                                     key=f"custody-{e.exhibit}"))
        rows = [[ctx.time(c.at, two_lines=True), c.action, c.actor or "—",
                 detail_text(c.detail, ctx.content.tz) or "—",
                 split_hash(c.sha256) if c.sha256 else "—"] for c in e.custody]
        if not rows:
            story.append(ctx.note("No custody events recorded."))
            continue
        story.append(grid(ctx, ["When", "Action", "By", "Details", "SHA-256 at the time"],
                          rows, [84, 68, 52, 146, CONTENT_W - 350], mono=(4,)))
    story.append(ctx.note("Each exhibit's log runs from acquisition to the last event before "
                          "this export; this export adds an “exported-in-pdf” event with the "
                          "SHA-256 of this PDF."))
    return story


def _image(ctx: Ctx, e: ExhibitEntry) -> list[Flowable]:
    assert e.image is not None and e.image_px is not None
    w_px, h_px = e.image_px
    w, h = w_px * _PT_PER_PX, h_px * _PT_PER_PX
    scale = min(CONTENT_W / w, MAX_IMAGE_H / h, 2.0)
    return [Spacer(1, 2 * mm), EmbeddedImage(e.image, e.image_raw, w * scale, h * scale)]


#: Characters DejaVu Sans Mono draws (monospaced): excerpts made only of these are set as
#: preformatted text, keeping indentation and column alignment.
_MONO_SAFE = (frozenset(chr(c) for c in range(0x20, 0x7F))
              | frozenset(chr(c) for c in range(0xA0, 0x100)) | frozenset("\n—–…•“”‘’€"))


def _excerpt(ctx: Ctx, text: str | None) -> Flowable:
    """A text excerpt: preformatted and hard-wrapped at the column width when the mono font
    has every character, else a wrapping paragraph with per-script fallback fonts."""
    s = ctx.styles
    text = ctx.redactor.text((text or "").expandtabs(4)).rstrip()
    if not text:
        return ctx.p("(empty file)", s.small)
    if not _MONO_SAFE.issuperset(text):
        return ctx.p(text, s.mono, redact=False)
    per_line = max(20, int(CONTENT_W / stringWidth("M", s.fonts.mono, s.mono.fontSize)))
    lines: list[str] = []
    for line in text.split("\n"):
        lines += [line[i:i + per_line] for i in range(0, len(line), per_line)] or [""]
    return Preformatted("\n".join(lines), s.mono)


def _caption(ctx: Ctx, e: ExhibitEntry) -> Flowable:
    ev = e.evidence
    size = f" · {e.image_px[0]}×{e.image_px[1]} px" if e.image_px else ""
    text = (f"Exhibit {e.exhibit} · {ctx.redactor.text(ev.original_name)} · {ev.media_type}"
            f"{size} · {fmt_size(ev.size)}\nSHA-256: {ev.sha256}")
    if e.image_note:
        text += f"\n{e.image_note}"
    return ctx.p(text, ctx.styles.caption, redact=False)


def appendix(ctx: Ctx) -> list[Flowable]:
    """One entry per exhibit not withdrawn; each entry's pages give its Bates range."""
    s = ctx.styles
    story: list[Flowable] = [ctx.heading("appendix"), ctx.note(
        "Images are embedded (scaled to fit; the SHA-256 is that of the original file), "
        "text files are excerpted, other files are cited by their SHA-256. Withdrawn "
        "exhibits are not reproduced.")]
    entries = [e for e in ctx.content.exhibits if e.appendix != APPENDIX_NONE]
    if not entries:
        story.append(ctx.p("No exhibits to reproduce.", s.body))
    for e in entries:
        head = ctx.sub_heading(f"{e.exhibit} — {e.evidence.title}", s.h2,
                               key=f"appx-{e.exhibit}")
        head.mark = mark_begin(e.exhibit)
        end = PageMark(mark_end(e.exhibit), ctx.marks)
        if e.appendix == APPENDIX_IMAGE and e.image is not None:
            story.append(KeepTogether([head, *_image(ctx, e), _caption(ctx, e), end]))
        elif e.appendix == APPENDIX_TEXT and e.excerpt is not None:
            story += [head, ctx.p(e.excerpt_note, s.small), Spacer(1, 1.5 * mm),
                      _excerpt(ctx, e.excerpt), _caption(ctx, e), end]
        else:
            reason = e.image_note or e.excerpt_note or (
                f"Not reproduced in this document ({e.evidence.media_type}).")
            story.append(KeepTogether([head, ctx.p(reason, s.body), _caption(ctx, e), end]))
    return story


def _verified(e: ExhibitEntry) -> str:
    if e.verified is True:
        return "match"
    if e.verified is False:
        return f"MISMATCH: {e.verify_detail}" if e.verify_detail else "MISMATCH"
    return e.verify_detail or "not re-read"


def certification(ctx: Ctx) -> list[Flowable]:
    """Statement, every exhibit's SHA-256 and its check at export, and a signature block."""
    s, info = ctx.styles, ctx.content.info
    record = ctx.numbers["record"]
    story: list[Flowable] = [ctx.heading("certification"), ctx.p(
        "I, the undersigned, certify that:\n"
        "1. Each file listed below was copied into the encrypted evidence store of caseapp, "
        "which computed its SHA-256 digest (FIPS 180-4) while storing it and recorded the "
        "digest in the exhibit's chain of custody.\n"
        f"2. On {ctx.time(info.generated_at)}, while producing this document, caseapp read "
        "each stored copy again, recomputed its SHA-256 and compared it with the recorded "
        "value; the result is shown in the last column.\n"
        "3. A file whose SHA-256 equals the value listed here is, for all practical purposes, "
        "identical to the file that was acquired. How to check a copy is explained in "
        f"section {record} (Export record)."
        + (f"\n4. This document was made from the state of the store whose audit log ends at "
           f"entry #{info.audit_head_id} with SHA-256 {info.audit_head_hash}."
           if info.audit_head_id else ""), s.body, redact=False), Spacer(1, 2 * mm)]
    rows = []
    for e in ctx.content.exhibits:
        ev = e.evidence
        status = _verified(e) + (" (withdrawn)" if e.withdrawn else "")
        rows.append([e.exhibit, f"{ev.original_name}\n{fmt_size(ev.size)}",
                     split_hash(ev.sha256), status])
    if rows:
        story.append(grid(ctx, ["No.", "Original file", "SHA-256", "Checked at export"],
                          rows, [40, 170, 143, CONTENT_W - 353], mono=(2,), bold=(0,)))
    else:
        story.append(ctx.p("This case has no exhibits.", s.body))
    blank = "_" * 48
    sign = Table([[Paragraph(markup(label, bold=True), s.cell_bold), Paragraph(blank, s.cell)]
                  for label in ("Name", "Title / role", "Organisation", "Date", "Place",
                                "Signature")], colWidths=[35 * mm, CONTENT_W - 35 * mm])
    sign.setStyle(table_style(s, header=False, zebra=False, extra=[
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.white), ("TOPPADDING", (0, 0), (-1, -1), 7)]))
    story += [Spacer(1, 6 * mm), KeepTogether([Paragraph("Certified by", s.h2), sign])]
    return story
