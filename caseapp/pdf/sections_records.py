"""Case-file sections from the case's records: timeline and notes, linked tips, links to
other cases and tips, and the export record."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from caseapp.domain.anchors import anchor_line
from caseapp.pdf.content import TimelineItem, TipsterEntry
from caseapp.pdf.layout import CONTENT_W, Heading
from caseapp.pdf.options import SECTIONS
from caseapp.pdf.sections_base import Ctx, grid, kv_table, split_hash


def _grouped(items: Sequence[TimelineItem]) -> list[tuple[TimelineItem, int, str]]:
    """Collapse runs of the same event at the same moment (e.g. one export's 300 custody
    events) into one line: (first item, count, exhibit range)."""
    out: list[tuple[TimelineItem, int, str]] = []
    for item in items:
        exhibit, _, action = item.title.partition(" ")
        if out and item.kind == "event" and action:
            first, count, _span = out[-1]
            f_exhibit, _, f_action = first.title.partition(" ")
            if first.kind == "event" and first.at == item.at and f_action == action:
                out[-1] = (first, count + 1, f"{f_exhibit} … {exhibit}")
                continue
        out.append((item, 1, ""))
    return out


def timeline(ctx: Ctx) -> list[Flowable]:
    """Notes and recorded events in time order."""
    s = ctx.styles
    story: list[Flowable] = [ctx.heading("timeline")]
    if not ctx.content.timeline:
        return story + [ctx.p("Nothing is recorded on this case's timeline.", s.body)]
    rows = []
    for item, count, span in _grouped(ctx.content.timeline):
        when = ctx.time(item.at, two_lines=True)
        if item.tz_name and item.tz_name != "UTC":
            when += f"\n(entered as {item.tz_name})"
        parts: list[tuple[str, str]] = []
        if count > 1:
            parts.append((f"{span}: {item.title.partition(' ')[2]} ({count} exhibits)", "b"))
        else:
            if item.kind != "note":
                parts.append((item.title, "b"))
            if item.text:
                parts.append((item.text, ""))
            opened = ctx.content.case.opened_at
            if item.title == "Case opened" and opened and abs(
                    (item.at - opened).total_seconds()) > 60:
                parts.append((f"Recorded at this time; the case's opening date is "
                              f"{ctx.time(opened)}.", "small"))
        meta = [m for m in (f"by {item.author}" if item.author else "",
                            "edited" if item.edited else "") if m]
        if meta:
            parts.append((" · ".join(meta), "small"))
        rows.append([when, "Note" if item.kind == "note" else "Event", ctx.lines(parts)])
    story.append(grid(ctx, ["When", "Type", "Entry"], rows, [96, 40, CONTENT_W - 136]))
    return story


def _identity(ctx: Ctx, identity: TipsterEntry | None, anonymous: bool) -> str:
    if anonymous:
        return "Anonymous tip (no identity recorded)"
    if not identity:
        return "No identity recorded"
    r = ctx.redactor
    if not r.reveal_tipsters:
        return "[REDACTED]"
    return "\n".join(f"{label}: {r.tipster(value)}" for label, value in (
        ("Name", identity.name), ("Contact", identity.contact),
        ("Relationship", identity.relationship)))


def tips(ctx: Ctx) -> list[Flowable]:
    """Tips linked to the case; the tipster's identity is redacted unless revealed."""
    s, r = ctx.styles, ctx.redactor
    story: list[Flowable] = [ctx.heading("tips")]
    if not ctx.content.tips:
        return story + [ctx.p("No tips are linked to this case.", s.body)]
    for tip in ctx.content.tips:
        story.append(Heading(tip.ref, s.h2, key=f"tip-{tip.ref}", level=1))
        idents = "\n".join(f"{i.kind}: {r.identifier(i.kind, i.raw)}" for i in tip.identifiers)
        files: list[Flowable] = []
        for a in tip.attachments:
            files += [ctx.p(f"{a.label} {a.name} ({a.media_type}, {a.size} bytes)", s.cell),
                      ctx.p(f"SHA-256 {a.sha256}", s.mono, redact=False)]
        grade = f"{tip.grade} — {tip.grade_meaning}" if tip.grade else "not graded"
        linked = ctx.time(tip.linked_at) + (f"\n{tip.link_note}" if tip.link_note else "")
        story.append(kv_table(ctx, [
            ("Received", ctx.time(tip.received_at)),
            ("Channel", tip.channel),
            ("Programme / reference", " / ".join(v for v in (tip.programme, tip.reference)
                                                 if v) or "—"),
            ("Grading", grade),
            ("Status", f"{tip.status} · reward: {tip.reward_status}"),
            ("Tipster", _identity(ctx, tip.identity, tip.anonymous)),
            ("Linked to this case", linked),
            ("Content", tip.content or "—"),
            ("Identifiers", idents or "—"),
            ("Attachments", files or "—"),
        ]))
    if not r.reveal_tipsters:
        story.append(ctx.note("Tipster identities are redacted in this export; the store "
                              "keeps them."))
    return story


def links(ctx: Ctx) -> list[Flowable]:
    """Identifiers this case shares with other cases and tips."""
    s, r = ctx.styles, ctx.redactor
    story: list[Flowable] = [ctx.heading("links")]
    groups = ctx.content.links
    story += watchlist_hits(ctx)
    if not groups:
        return story + [ctx.p("No identifier of this case is shared with another case or "
                              "tip.", s.body)]
    rows = []
    for g in groups:
        cases = "\n".join(f"{c.ref} — {c.title}" + (f" (subject: {c.subject})" if c.subject
                                                      else "") for c in g.cases)
        rows.append([g.kind, r.identifier(g.kind, g.normalized), g.match, g.reason or "—",
                     cases or "—", ", ".join(g.tips) or "—"])
    story.append(grid(ctx, ["Kind", "Shared value", "Match", "Reason", "Other cases", "Tips"],
                      rows, [44, 120, 34, 90, 141, CONTENT_W - 429]))
    return story


def watchlist_hits(ctx: Ctx) -> list[Flowable]:
    """Watchlist hits (inside the links section): list name, date, SHA-256 and entry."""
    hits, r = ctx.content.watchlist_hits, ctx.redactor
    if not hits:
        return []
    rows = [[h.strength, f"{h.subject}\n{h.kind}: {r.identifier(h.kind, h.case_value)}",
             f"{h.entry} ({h.entry_ref})" + (f"\n{', '.join(h.programmes)}" if h.programmes
                                             else ""),
             h.match if h.match != "name" else f"name {h.score}%",
             f"{h.list}, {h.list_date or 'undated'}\nSHA-256 {h.list_sha256}"] for h in hits]
    return [ctx.p("Watchlist hits (a hit changes no state; weak hits are name-only "
                  "similarities):", ctx.styles.body),
            grid(ctx, ["Strength", "Subject and value", "Listed entry", "Match", "List"],
                 rows, [44, 120, 120, 44, CONTENT_W - 328])]


def findings(ctx: Ctx) -> list[Flowable]:
    """Signals findings: rule and version, explanation, data versions, rows cited."""
    s = ctx.styles
    story: list[Flowable] = [ctx.heading("findings")]
    entries = ctx.content.findings
    if not entries:
        return story + [ctx.p("No sign-in log, endpoint inventory or exhibit scan of this "
                              "case produced a finding.", s.body)]
    story.append(ctx.note(
        "Findings of caseapp's detection rules over imported sign-in logs and endpoint "
        "inventories (each imported file is an exhibit) and over image and text exhibits. "
        "A finding is a lead for the investigator, not a conclusion: accepted findings are "
        "attached to their red-flag item as evidence; dismissed ones are listed with the "
        "reason. Rows are cited by exhibit and physical line (header = line 1)."))
    rows = []
    for f in entries:
        lines = ", ".join(str(n) for n in f.lines[:20])
        more = f" (+{f.line_count - len(f.lines[:20])} more)" if f.line_count > 20 else ""
        cited = (f"{f.exhibit} lines {lines}{more}" if f.exhibit else
                 ", ".join(f.exhibits) or "—")
        status = f.status + (f": {f.decision_note}" if f.decision_note else "")
        rows.append([f"{f.title}\n({f.rule} v{f.version})", f.subject,
                     f"{f.summary}\nScore {f.score:.2f}; red-flag item {f.redflag_item}",
                     cited, status])
    story.append(grid(ctx, ["Rule", "Subject", "Finding", "Rows cited", "Status"], rows,
                      [110, 60, 150, 110, CONTENT_W - 430]))
    story.append(Paragraph("Rules and data", s.h2))
    seen: set[tuple[str, int]] = set()
    for f in entries:
        if (f.rule, f.version) in seen:
            continue
        seen.add((f.rule, f.version))
        story.append(ctx.p(f"{f.title} ({f.rule} v{f.version}): {f.explanation}", s.body))
    data = sorted({d for f in entries for d in f.data})
    story.append(ctx.p("Data sets used: " + ("; ".join(data) or "none"), s.body))
    return story


def export_record(ctx: Ctx) -> list[Flowable]:
    """Software, store, audit-chain head, options used, and how to verify the hashes."""
    s, o, info = ctx.styles, ctx.options, ctx.content.info
    yes_no = {True: "yes", False: "no"}
    head = (f"entry #{info.audit_head_id}\n{split_hash(info.audit_head_hash)}"
            if info.audit_head_id else "empty log")
    components = ", ".join(f"{k} {v}" for k, v in info.components)
    story: list[Flowable] = [ctx.heading("record"), kv_table(ctx, [
        ("Software", f"{info.software}" + (f" ({components})" if components else "")),
        ("Store id", ctx.p(info.store_id, redact=False)),
        ("Audit-chain head at export", ctx.p(head, s.mono, redact=False)),
        ("Generated", f"{ctx.time(info.generated_at)}\n"
                      f"{info.generated_at.isoformat(timespec='seconds')}"),
        ("Exported by (OS user)", info.actor),
        ("Prepared by / for", f"{o.prepared_by or info.actor} / {o.prepared_for or '—'}"),
    ], key_width=48 * mm), Paragraph("Options used", s.h2), kv_table(ctx, [
        ("Classification", o.classification),
        ("Privilege legend", o.privilege_legend or "none"),
        ("Bates numbering", f"prefix {o.bates_prefix}, first number {o.bates_start}"),
        ("Sections", ", ".join(SECTIONS[k] for k in o.sections) or "none"),
        ("Reveal tipster identity", yes_no[o.reveal_tipsters]),
        ("Reveal account / ID numbers", yes_no[o.reveal_accounts]),
        ("Open password (AES-256)", yes_no[o.password is not None]),
        ("Production package", yes_no[o.package_dir is not None]),
        ("Digital signature (PAdES)", o.signed_by or "not signed"),
        ("Time zone of times shown", o.timezone or f"this computer's ({ctx.time(info.generated_at).split(' ', 2)[2]})"),
    ], key_width=48 * mm), Paragraph("How to verify the exhibits", s.h2)]
    story.append(ctx.p(
        "Each exhibit's SHA-256 is listed in the exhibit list and the hash certification. To "
        "check a copy of an exhibit (for example a native file of the production package), "
        "compute its SHA-256 and compare all 64 hexadecimal characters:\n"
        "• Linux: sha256sum FILE   • macOS: shasum -a 256 FILE\n"
        "• Windows PowerShell: Get-FileHash -Algorithm SHA256 FILE\n"
        "In a production package, “sha256sum -c SHA256SUMS” checks this PDF and every native "
        "file at once; manifest.csv maps each exhibit to its Bates pages.\n"
        "This PDF's own SHA-256 cannot be printed inside it: it is recorded in the case's "
        "audit log (the entry after the head shown above), as an “exported-in-pdf” event in "
        "every exhibit's chain of custody and in the case's export history. Running "
        "“caseapp verify” re-hashes every stored exhibit and checks the audit chain.", s.body))
    if info.audit_head_id:
        story.append(Paragraph("How to check the store against this file", s.h2))
        story.append(ctx.p(
            "This case file carries the audit-chain head it was made from, in its document "
            "information (/CaseappAuditHead) and here:\n"
            f"{anchor_line(info.audit_head_id, info.audit_head_hash)}\n"
            "At any later time, “caseapp verify --anchor FILE.pdf” (FILE.pdf being this file) "
            "checks that the store's audit chain still holds that entry with that hash: a "
            "store whose log was cut short or rewritten since this export is reported as "
            "audit-truncated or audit-rewritten.", s.body, redact=False))
    if o.signed_by:
        story.append(ctx.p(
            f"This PDF is digitally signed (PAdES B-B) by {o.signed_by}. Any change to the "
            "file after signing breaks the signature. To check it, open the signature panel "
            "of a PDF reader, or run “pyhanko sign validate --pretty-print FILE.pdf” "
            "(pyhanko-cli); a self-signed caseapp certificate proves integrity, not identity, "
            "and must be trusted explicitly (--trust CERT.pem).", s.body))
    story += [Spacer(1, 2 * mm), ctx.note(
        "Redaction: unless revealed above, bank account and government ID numbers show only "
        "their last four characters and tipster identities read [REDACTED]; those values are "
        "also masked where they appear in notes, tip content and text excerpts. Numbers that "
        "were never recorded as identifiers are not detected in free text. Native files in a "
        "production package are the unredacted originals.")]
    return story
