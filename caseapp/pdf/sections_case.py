"""Case-file sections about the case itself: cover, contents, summary, subjects and
identifiers, and the red-flag checklist."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer, Table

from caseapp.domain.text import load_list
from caseapp.pdf.content import ScoringRules
from caseapp.pdf.layout import ALERT, CONTENT_W, Heading, Late, make_toc, table_style
from caseapp.pdf.sections_base import Ctx, grid, kv_table
from caseapp.pdf.text import markup


def cover(ctx: Ctx) -> list[Flowable]:
    """Title page: classification, legend, case, prepared by/for, date, Bates range."""
    s, o, case = ctx.styles, ctx.options, ctx.content.case
    label = Table([[Paragraph(markup(o.classification, bold=True), s.cover_label)]],
                  colWidths=[CONTENT_W])
    label.setStyle(table_style(s, header=False, zebra=False, extra=[
        ("BOX", (0, 0), (-1, -1), 1.5, ALERT), ("TOPPADDING", (0, 0), (-1, -1), 8),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 8)]))
    story: list[Flowable] = [Spacer(1, 10 * mm), label]
    if o.privilege_legend:
        story += [Spacer(1, 3 * mm), Paragraph(markup(o.privilege_legend, bold=True),
                                               s.cover_label.clone("legend_c", fontSize=9.5,
                                                                   leading=12))]
    story += [Spacer(1, 22 * mm), Paragraph("CASE FILE", s.cover_ref),
              ctx.p(case.title, s.cover_title, bold=True),
              Paragraph(markup(case.ref), s.cover_ref), Spacer(1, 8 * mm)]

    def bates_range() -> Flowable:
        total = ctx.page_total() if ctx.page_total else None
        last = o.bates(total) if total else f"{o.bates_prefix}-…"
        return ctx.p(f"{o.bates(1)} to {last}" + (f" ({total} pages)" if total else ""),
                     s.cell)

    info = ctx.content.info
    story.append(kv_table(ctx, [
        ("Prepared by", o.prepared_by or info.actor),
        ("Prepared for", o.prepared_for or "—"),
        ("Date of export", ctx.time(info.generated_at)),
        ("Bates range", Late(bates_range)),
        ("Case status", f"{case.status} · priority {case.priority}"),
        ("Exhibits", str(len(ctx.content.exhibits))),
    ], key_width=38 * mm))
    cert = ctx.numbers["certification"]
    record = ctx.numbers["record"]
    story += [Spacer(1, 10 * mm), ctx.note(
        f"Produced with {info.software}. Section {cert} lists the SHA-256 of every exhibit "
        f"with a certification block; section {record} records how this file was produced "
        "and how to verify the hashes."), PageBreak()]
    return story


def contents(ctx: Ctx) -> list[Flowable]:
    """The clickable table of contents (the PDF outline mirrors it)."""
    o = ctx.options
    return [Heading("Contents", ctx.styles.h1, key="sec-contents", level=0, toc=False),
            make_toc(ctx.styles), Spacer(1, 6 * mm),
            Late(lambda: ctx.note(
                "Page numbers are those of the footers (“Page X of Y”). Every page also "
                f"carries its Bates number, from {o.bates(1)} on page 1 to "
                f"{o.bates(ctx.page_total() or 1)} on the last page.")), PageBreak()]


def summary(ctx: Ctx) -> list[Flowable]:
    """Status, dates, risk score with band and coverage, counts, summary and key facts."""
    c, case, cl = ctx.content, ctx.content.case, ctx.content.checklist
    risk = (f"{cl.score} / 100 — band {cl.band} — coverage {_pct(cl.coverage)} of "
            f"{len(cl.items)} indicators")
    withdrawn = sum(1 for e in c.exhibits if e.withdrawn)
    notes = sum(1 for t in c.timeline if t.kind == "note")
    rows: list[tuple[str, object]] = [
        ("Case", f"{case.ref} — {case.title}"),
        ("Status", case.status), ("Priority", case.priority),
        ("Opened", ctx.time(case.opened_at)), ("Closed", ctx.time(case.closed_at)),
        ("Last activity", ctx.time(case.updated_at)),
        ("Tags", ", ".join(load_list(case.tags)) or "—"),
        ("Risk score", risk),
        ("Subjects", str(len(c.subjects))),
        ("Exhibits", f"{len(c.exhibits)}" + (f" ({withdrawn} withdrawn)" if withdrawn else "")),
        ("Notes", str(notes)),
        ("Linked tips", str(len(c.tips))),
        ("Earlier exports", str(c.other_exports)),
    ]
    story: list[Flowable] = [ctx.heading("summary"), kv_table(ctx, rows)]
    for title, text in (("Summary", case.summary), ("Key facts", case.key_facts)):
        story += [Paragraph(title, ctx.styles.h2),
                  ctx.p(text or "—", ctx.styles.body)]
    return story


def _pct(value: float) -> str:
    return f"{round(value * 100)}%"


def subjects(ctx: Ctx) -> list[Flowable]:
    """Each subject with aliases, claimed details and identifiers (raw and normalised)."""
    s, r = ctx.styles, ctx.redactor
    story: list[Flowable] = [ctx.heading("subjects")]
    if not ctx.content.subjects:
        story.append(ctx.p("No subjects are recorded for this case.", s.body))
    for n, entry in enumerate(ctx.content.subjects, 1):
        subj = entry.subject
        story.append(ctx.sub_heading(f"Subject {n}: {subj.name}", s.h2,
                                     key=f"subject-{subj.id}", toc=True))
        story.append(kv_table(ctx, [
            ("Name (as claimed)", subj.name),
            ("Aliases", "\n".join(entry.aliases) or "—"),
            ("Role applied for", subj.role_applied or "—"),
            ("Hiring platform", subj.hiring_platform or "—"),
            ("Claimed location", subj.claimed_location or "—"),
            ("Notes", subj.notes or "—"),
        ]))
        if not entry.identifiers:
            story.append(ctx.note("No identifiers recorded."))
            continue
        rows = []
        for ident in entry.identifiers:
            normalised = r.identifier(ident.kind, ident.normalized)
            if not ident.normalized_ok:
                normalised = "(kept as entered: could not be normalised)"
            rows.append([ident.kind, r.identifier(ident.kind, ident.raw), normalised,
                         ident.normalize_note or ""])
        story += [Spacer(1, 3 * mm),
                  grid(ctx, ["Kind", "As recorded", "Normalised", "Note"], rows,
                       [48, 170, 170, CONTENT_W - 388])]
    if not r.reveal_accounts:
        story.append(ctx.note("Bank account and government ID numbers show only their last "
                              "four characters (redaction default for filings)."))
    return story


def checklist(ctx: Ctx) -> list[Flowable]:
    """Template and version, score, each assessed item, unassessed items summarised."""
    s, cl = ctx.styles, ctx.content.checklist
    story: list[Flowable] = [ctx.heading("checklist"), kv_table(ctx, [
        ("Template", f"{cl.template} (version {cl.version})"),
        ("Risk score", f"{cl.score} / 100 — band {cl.band}"),
        ("Coverage", f"{_pct(cl.coverage)} of {len(cl.items)} indicators assessed"),
    ])]
    assessed = [i for i in cl.items if i.assessed]
    open_items = [i for i in cl.items if not i.assessed]
    if assessed:
        rows = []
        for item in assessed:
            label = ctx.lines([(item.label, ""), (f"{item.category} · {item.id}", "small")])
            rows.append([label, str(item.weight), item.state.title, item.note or "—",
                         ", ".join(item.exhibits) or "—"])
        story += [Spacer(1, 3 * mm), Paragraph("Assessed indicators", s.h2),
                  grid(ctx, ["Indicator", "Weight", "State", "Note", "Exhibits"], rows,
                       [180, 40, 62, 151, CONTENT_W - 433], bold=(2,))]
    else:
        story.append(ctx.p("No indicator has been assessed yet.", s.body))
    if open_items:
        lines = [f"{i.id}: {i.label}" + (f" — suggested: {i.suggestion}" if i.suggestion else "")
                 for i in open_items]
        story += [Paragraph(f"Not assessed ({len(open_items)} of {len(cl.items)})", s.h2),
                  ctx.p("\n".join(lines), s.small)]
    story.append(ctx.note(scoring_note(cl.template, cl.version, cl.scoring)))
    return story


def scoring_note(template: str, version: int, rules: ScoringRules) -> str:
    """How this template scores, in words, from its own [scoring] and [bands] tables."""
    weights = ", ".join(f"weight {w}: {p:g}" for w, p in rules.p)
    factor = f"{rules.suspected_factor:g}"
    return (f"Score of template {template} v{version}: 100 × (1 − Π(1 − pᵢ)) over the "
            f"confirmed and suspected indicators, with p per weight ({weights}); a suspected "
            f"indicator counts × {factor}. Not-observed, not-applicable and not-assessed "
            f"indicators do not change the score. Bands: elevated from {rules.elevated}, "
            f"high from {rules.high}, critical from {rules.critical}.")
