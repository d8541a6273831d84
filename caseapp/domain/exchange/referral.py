"""Referral packs drafted from a case: an FBI IC3 complaint worksheet and a Rewards for
Justice tip brief. Pure composition: :class:`ShareContent` in, labelled fields out; the
text and PDF renderings only lay these out. Each field is ready to paste into the form;
what the case does not hold is left as ``[to complete: …]``. caseapp sends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from caseapp.domain.exchange.content import ShareContent, find_kind
from caseapp.domain.exchange.tlp import TLP

TODO = "[to complete: {}]"
SENDS_NOTHING = ("Prepared by caseapp from the case record. caseapp sends nothing: copy "
                 "each field into the form yourself.")


@dataclass(frozen=True)
class Field:
    label: str
    value: str


@dataclass(frozen=True)
class Section:
    heading: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Referral:
    title: str
    preamble: tuple[str, ...]
    sections: tuple[Section, ...]


def _todo(what: str) -> str:
    return TODO.format(what)


def _join(values: list[str], what: str) -> str:
    return "; ".join(values) if values else _todo(what)


def _description(content: ShareContent, *, limit: int = 12) -> str:
    lines = [content.summary.strip() or content.title]
    confirmed = [f for f in content.findings if f.state == "confirmed"]
    suspected = [f for f in content.findings if f.state == "suspected"]
    if confirmed:
        lines.append("Confirmed: " + "; ".join(
            f"{f.label}" + (f" ({f.note})" if f.note else "") for f in confirmed[:limit]) + ".")
    if suspected:
        lines.append("Suspected: " + "; ".join(f.label for f in suspected[:limit]) + ".")
    if content.timeline:
        lines.append("Timeline: " + " ".join(
            f"{e.at:%Y-%m-%d}: {e.text}" for e in content.timeline[:limit]))
    return "\n".join(lines)


def _evidence(content: ShareContent) -> str:
    if not content.exhibits:
        return "No exhibits are recorded on the case."
    holders = sorted({e.acquired_by for e in content.exhibits if e.acquired_by})
    items = "; ".join(f"{e.exhibit} {e.title} ({e.media_type}, SHA-256 {e.sha256[:16]}…)"
                      for e in content.exhibits)
    return (f"{len(content.exhibits)} exhibit(s), held in the investigating organisation's "
            f"case store ({content.case_ref}); acquired by {', '.join(holders) or 'the team'}:"
            f" {items}")


def _marking(tlp: TLP, content: ShareContent) -> tuple[str, ...]:
    return (f"{tlp.label} · {content.case_ref} · prepared {content.generated_at:%Y-%m-%d} "
            f"by {content.actor}", SENDS_NOTHING, *(f"Redacted: {r}" for r in
                                                   content.redactions))


def ic3_worksheet(content: ShareContent, tlp: TLP, *, victim: str = "",
                  contact: str = "") -> Referral:
    """The fields of an IC3 complaint (victim, financial transactions, subjects,
    description, other information), filled from the case."""
    victim_section = Section("Victim information (the business)", (
        Field("Business name", victim or _todo("your organisation's legal name")),
        Field("Contact for this complaint", contact or _todo("name, phone, e-mail")),
        Field("Business address", _todo("street, city, state, ZIP, country"))))
    payments = find_kind(content, "bank")
    wallets = find_kind(content, "wallet")
    money = Section("Financial transactions", (
        Field("Transaction type", "Wages/contractor payments to a fraudulently hired worker"
              if payments or wallets else _todo("type")),
        Field("Recipient bank account(s)", _join(payments, "account paid")),
        Field("Recipient cryptocurrency address(es)", _join(wallets, "wallet addresses")),
        Field("Amounts and dates", _todo("each payment: date, amount, currency, method "
                                         "(from payroll records)"))))
    subjects = []
    for s in content.subjects:
        def kinds(*k: str, s=s) -> list[str]:
            return [i.value for i in s.identifiers if i.kind in k]
        subjects.append(Section(f"Subject information: {s.name}", (
            Field("Name", s.name),
            Field("Aliases / other names", "; ".join(s.aliases) or "none recorded"),
            Field("Role applied for / platform", "; ".join(p for p in (s.role, s.platform)
                                                           if p) or "not recorded"),
            Field("Address", _join(kinds("address") or ([s.location] if s.location else []),
                                   "address")),
            Field("Phone number(s)", _join(kinds("phone"), "phone")),
            Field("E-mail address(es)", _join(kinds("email"), "e-mail")),
            Field("Website(s) / profiles", _join(kinds("url", "handle"), "websites")),
            Field("IP address(es)", _join(kinds("ip"), "IP addresses")))))
    other = Section("Description of the incident and other information", (
        Field("Description", _description(content)),
        Field("Related cases and tips", "; ".join(sorted({
            f"{link.kind} {link.ref} (shares {link.via_kind})" for link in content.links}))
            or "none"),
        Field("Evidence available", _evidence(content))))
    return Referral(f"IC3 complaint worksheet — {content.case_ref}", _marking(tlp, content),
                    (victim_section, money, *subjects, other))


def rfj_brief(content: ShareContent, tlp: TLP, *, contact: str = "") -> Referral:
    """A one-page Rewards for Justice tip brief: who, identifiers and wallets, what
    happened, what evidence exists and who holds it."""
    who = "; ".join(f"{s.name}" + (f" (also {', '.join(s.aliases)})" if s.aliases else "")
                    + (f", {s.role}" if s.role else "") for s in content.subjects)
    idents = []
    for s in content.subjects:
        for i in s.identifiers:
            idents.append(f"{i.kind}: {i.value}")
    brief = Section("Tip brief", (
        Field("Who", who or _todo("the people involved")),
        Field("Identifiers", "; ".join(idents) or "none recorded"),
        Field("Wallets", _join(find_kind(content, "wallet"), "wallet addresses, if any")),
        Field("What happened", _description(content, limit=6)),
        Field("Evidence and who holds it", _evidence(content)),
        Field("Contact", contact or _todo("how the programme can reach you"))))
    return Referral(f"Rewards for Justice tip brief — {content.case_ref}",
                    _marking(tlp, content), (brief,))


def as_text(referral: Referral) -> str:
    """Plain text: each field on its own paragraph, ready to copy."""
    out = [referral.title, "=" * len(referral.title), *referral.preamble, ""]
    for section in referral.sections:
        out += [section.heading, "-" * len(section.heading)]
        for f in section.fields:
            out += [f"{f.label}:", f.value, ""]
    return "\n".join(out).rstrip() + "\n"
