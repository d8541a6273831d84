"""Generate a synthetic store at issue-7 scale, then build its search index.

    python benchmarks/generate_scale.py --home DIR [--cases 1000 | --scale 10] [--seed 7]

Defaults: 1,000 cases, 5,000 subjects, 100,000 identifiers (75,000 on subjects, 25,000 on tips),
50,000 exhibit records (metadata only: no vault blobs), 10,000 tips, 20,000 notes. Identifiers
reuse a pool of shared "infrastructure" (laptop-farm addresses, phones, mailboxes, payment
accounts, profiles) across cases and tips, some of it in near-match spellings (Gmail dots and
+tags, phone numbers without country code or under another one, addresses with a flat number),
so links exist. Rows go in through SQLAlchemy Core in a few transactions (the session listener
is bypassed), then ``rebuild`` builds the index. The store is opened in passphrase mode
(``CASEAPP_PASSPHRASE``, default "benchmark"). Everything is fictional.

``--scale 10`` is the issue-18 store: 10,000 cases, 50,000 subjects, 1,000,000 identifiers,
500,000 exhibits, 100,000 tips, 200,000 notes (every count is per case, so ``--cases 10000``
is the same). Generate it once into a folder outside the repository and reuse it.
"""

from __future__ import annotations

import argparse
import os
import random
import string
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

WORDS = ["remote", "developer", "contractor", "payroll", "laptop", "shipped", "forwarded", "address", "interview", "video", "camera", "refused", "onboarding", "badge", "github", "commits", "timezone", "vpn", "login", "anomaly", "keyboard", "layout", "korean", "invoice", "payment", "wallet", "crypto", "exchange", "freelance", "platform", "profile", "photo", "reused", "resume", "references", "unreachable", "recruiter", "staffing", "agency", "subcontract", "frontend", "backend", "mobile", "blockchain", "smart", "contract", "deadline", "overtime", "weekend", "access", "token", "credentials", "shared", "desktop", "remote-access", "tool", "anydesk", "teamviewer", "pikvm", "kvm", "switch", "farm", "facilitator", "shipping", "label", "customs", "courier", "reshipper", "identity", "documents", "passport", "driver", "licence", "visa", "sponsorship", "background", "check", "mismatch", "ssn", "stolen", "synthetic", "applicant", "hiring", "manager", "slack", "chat", "telegram", "whatsapp", "signal", "voice", "accent", "camera-off", "bank", "transfer", "payoneer", "wise", "account", "routing", "number", "beneficiary", "cash-out"]
FIRST = ["James", "Maria", "Wei", "Olena", "Dmytro", "Carlos", "Ana", "Sofia", "Liam", "Noah", "Emma", "Chen", "Min-jun", "Ji-woo", "Hiroshi", "Yuki", "Ivan", "Pavel", "Andrés", "José", "Zoë", "Chloé", "Renée", "Ahmed", "Fatima", "Kwame", "Amara", "Lucas", "Mateo", "Elena"]
LAST = ["Smith", "Johnson", "Kovalenko", "Petrenko", "Garcia", "Müller", "Li", "Wang", "Zhang", "Kim", "Park", "Lee", "Choi", "Tanaka", "Ivanov", "Novak", "Dubois", "Rossi", "Silva", "Santos", "Nguyen", "Tran", "Okafor", "Mensah", "Haddad", "Costa", "Lopez"]
HANGUL = ["김철수", "박민준", "이서연", "최지우", "정하늘", "강도윤", "조은비", "윤태양"]
HANZI = ["王伟", "李娜", "张敏", "刘洋", "陈静", "杨磊", "赵丽", "黄强"]
PLACES = ["서울시 강남구", "平壤市", "北京市朝阳区", "丹东市", "Shenyang", "Vladivostok", "Lagos"]
DOMAINS = ["gmail.com", "outlook.com", "proton.me", "yahoo.com", "hotmail.com", "mail.ru",
           "qq.com", "naver.com"]
STREETS = ["Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Lake", "Hill", "Park", "River"]
CITIES = [("Tucson", "AZ", "857"), ("Dallas", "TX", "752"), ("Columbus", "OH", "432"),
          ("Fresno", "CA", "937"), ("Tampa", "FL", "336"), ("Reno", "NV", "895")]
MEDIA = [("text/plain", ".txt"), ("application/pdf", ".pdf"), ("image/png", ".png"),
         ("text/csv", ".csv"), ("message/rfc822", ".eml"), ("image/jpeg", ".jpg")]
CHANNELS = ["reward-programme", "hotline", "email", "web-form", "walk-in", "referral", "internal"]
KINDS = ["email", "phone", "url", "ip", "address", "wallet", "bank", "handle", "device"]
KIND_WEIGHTS = [25, 20, 15, 15, 8, 5, 4, 5, 3]


STOP = ["the", "of", "and", "to", "a", "in", "was", "with", "for", "on", "that", "is", "he", "she", "they", "at", "by", "from", "as", "it", "not", "this", "his", "her", "their", "we", "were", "be", "been", "has", "have", "had", "but", "or", "an", "are"]
SYLLABLES = ["ka", "ri", "mo", "ten", "sal", "vor", "pel", "dun", "mi", "sha", "lo", "ter", "bra", "gin", "tu", "nel", "dos", "fa", "re", "wil", "ran", "cor", "ben", "mar", "tis", "lu", "po", "gre", "han"]


def vocabulary(rng: random.Random, size: int = 4000) -> list[str]:
    """Words in frequency-rank order: function words, then the investigation vocabulary spread
    over ranks ~40-1,500 among filler words (so text follows a Zipf law, as real notes do)."""
    filler = sorted({"".join(rng.choices(SYLLABLES, k=rng.randint(2, 3))) for _ in range(size)})
    rng.shuffle(filler)
    domain = list(WORDS)
    rng.shuffle(domain)
    ranked = list(STOP)
    while domain or filler:
        if domain and (not filler or len(ranked) % 12 == 0):
            ranked.append(domain.pop())
        else:
            ranked.append(filler.pop())
    return ranked


class Gen:
    """Deterministic random values of every identifier kind and free text."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.n = 0
        self.vocab = vocabulary(random.Random(seed + 99))
        total, self.cum = 0.0, []
        for rank in range(1, len(self.vocab) + 1):  # Zipf, s = 1
            total += 1.0 / rank
            self.cum.append(total)

    def words(self, lo: int, hi: int) -> str:
        out = self.r.choices(self.vocab, cum_weights=self.cum, k=self.r.randint(lo, hi))
        if self.r.random() < 0.15:
            out.insert(self.r.randrange(len(out) + 1), self.r.choice(HANGUL + HANZI + PLACES))
        if self.r.random() < 0.3:
            out.insert(self.r.randrange(len(out) + 1), self.name())
        return " ".join(out)

    def name(self) -> str:
        roll = self.r.random()
        if roll < 0.15:
            return self.r.choice(HANGUL)
        if roll < 0.25:
            return self.r.choice(HANZI)
        return f"{self.r.choice(FIRST)} {self.r.choice(LAST)}"

    def value(self, kind: str) -> str:
        self.n += 1
        r, n = self.r, self.n
        if kind == "email":
            return f"{r.choice(FIRST).lower()}.{r.choice(LAST).lower()}{n}@{r.choice(DOMAINS)}"
        if kind == "phone":
            cc = r.choice(["+1 520", "+1 214", "+82 10", "+86 138", "+44 7700", "+380 67"])
            return f"{cc} {r.randint(200, 999)} {r.randint(1000, 9999)}"
        if kind == "url":
            handle = f"{r.choice(FIRST).lower()}-{r.choice(LAST).lower()}-{n}"
            return r.choice([f"https://www.linkedin.com/in/{handle}", f"https://github.com/{handle}",
                             f"https://www.upwork.com/freelancers/~01{n:012x}"])
        if kind == "ip":
            return f"{r.randint(11, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
        if kind == "address":
            city, state, zip3 = r.choice(CITIES)
            return (f"{r.randint(10, 9999)} {r.choice(STREETS)} Street, {city}, {state} "
                    f"{zip3}{r.randint(10, 99)}")
        if kind == "wallet":
            return "0x" + "".join(r.choices("0123456789abcdef", k=40))
        if kind == "bank":
            return "GB" + f"{r.randint(10, 99)}" + "WEST" + "".join(r.choices(string.digits, k=14))
        if kind == "handle":
            return f"@{r.choice(FIRST).lower()}_{n}"
        return ":".join(f"{r.randint(0, 255):02x}" for _ in range(6))

    def near_variant(self, kind: str, value: str) -> str:
        """A spelling of ``value`` that normalises differently but shares its near key."""
        r = self.r
        if kind == "email" and value.endswith("@gmail.com"):
            local = value.split("@")[0]
            return (local.replace(".", "") if r.random() < 0.5 else local + "+jobs") + "@gmail.com"
        if kind == "email":
            local, domain = value.split("@")
            return f"{local}+work@{domain}"
        if kind == "phone":
            return value.split(" ", 1)[1]  # no country code
        if kind == "address":
            return f"Apt {r.randint(1, 40)}{r.choice('ABC')}, {value}"
        return value.upper() if kind == "wallet" else value


def _owners(rng: random.Random, subjects: int, tips: int) -> list[tuple[str, int]]:
    return [("s", rng.randrange(subjects)) if rng.random() < 0.75 else ("t", rng.randrange(tips))
            for _ in range(rng.randint(2, 7))]


def generate(home: Path, *, cases: int = 1000, seed: int = 7) -> dict[str, Any]:
    """Fill a new store in ``home``; returns counts and timings."""
    import sqlalchemy as sa

    from caseapp.domain.identifiers import normalize
    from caseapp.domain.models import Case, Evidence, Identifier, Note, Subject, Tip
    from caseapp.domain.text import case_ref, dump_list, tip_ref
    from caseapp.services.workspace import open_workspace
    from caseapp.store.sqlcipher import search_index

    os.environ.setdefault("CASEAPP_PASSPHRASE", "benchmark")
    ws = open_workspace(home, lambda _p: os.environ["CASEAPP_PASSPHRASE"], key_mode="passphrase")
    g, rng = Gen(seed), random.Random(seed + 1)
    n_subjects, n_tips, n_idents = cases * 5, cases * 10, cases * 100
    base = datetime(2024, 1, 1, tzinfo=UTC)

    def when() -> datetime:
        return base + timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))

    started = time.perf_counter()
    case_rows = []
    for i in range(cases):
        opened = when()
        case_rows.append({"id": i + 1, "ref": case_ref(opened.year, i + 1), "year": opened.year,
                          "seq": i + 1, "title": f"{g.name()}: {g.words(3, 7)}",
                          "summary": g.words(30, 80), "key_facts": g.words(5, 20),
                          "status": rng.choice(["open", "in-review", "escalated", "closed"]),
                          "priority": rng.choice(["low", "medium", "high", "critical"]),
                          "tags": "[]", "opened_at": opened, "updated_at": opened})
    subject_rows = [{"id": i + 1, "case_id": i // 5 + 1, "name": g.name(),
                     "aliases": dump_list([g.name()] if rng.random() < 0.4 else []),
                     "role_applied": rng.choice(["backend developer", "mobile developer",
                                                 "blockchain engineer", "QA tester"]),
                     "hiring_platform": rng.choice(["Upwork", "LinkedIn", "Toptal", "direct"]),
                     "claimed_location": rng.choice(["Tucson, AZ", "Dallas, TX", "Warsaw", "Kyiv"]),
                     "notes": g.words(0, 25), "created_at": when()} for i in range(n_subjects)]
    tip_rows = []
    for i in range(n_tips):
        received = when()
        named = rng.random() < 0.5
        tip_rows.append({"id": i + 1, "ref": tip_ref(received.year, i + 1), "year": received.year,
                         "seq": i + 1, "received_at": received, "channel": rng.choice(CHANNELS),
                         "programme": rng.choice(["", "RFJ", "Hotline-2025"]), "reference": "",
                         "anonymous": not named,
                         "tipster_name": f"Tipster {g.name()}" if named else None,
                         "tipster_contact": f"tipster{i}@protected.example" if named else None,
                         "relationship": "", "content": g.words(40, 120), "content_key": "",
                         "status": rng.choice(["new", "in-triage", "actionable", "linked",
                                               "closed"]),
                         "kept_separate": "[]", "assignee_note": "",
                         "reward_status": "not-applicable", "created_at": received,
                         "updated_at": received})
    # Shared infrastructure: each pooled value appears under several owners.
    ident_rows: list[dict[str, Any]] = []
    owners_left = {"s": n_idents * 3 // 4, "t": n_idents // 4}

    def add(owner: tuple[str, int], kind: str, raw: str) -> None:
        res = normalize(kind, raw)
        ident_rows.append({"id": len(ident_rows) + 1,
                           "subject_id": owner[1] + 1 if owner[0] == "s" else None,
                           "tip_id": owner[1] + 1 if owner[0] == "t" else None, "kind": kind,
                           "raw": raw, "normalized": res.value if res.ok else raw.strip(),
                           "normalized_ok": res.ok, "normalize_note": res.note or "",
                           "created_at": when()})
        owners_left[owner[0]] -= 1

    while len(ident_rows) < n_idents * 15 // 100:
        kind = rng.choices(["email", "phone", "address", "wallet", "bank", "url", "device"],
                           [25, 25, 20, 10, 8, 7, 5])[0]
        value = g.value(kind)
        for owner in _owners(rng, n_subjects, n_tips):
            near = rng.random() < 0.15
            add(owner, kind, g.near_variant(kind, value) if near else value)
    while len(ident_rows) < n_idents:
        side = "s" if rng.random() * n_idents < owners_left["s"] else "t"
        owner = (side, rng.randrange(n_subjects if side == "s" else n_tips))
        kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
        add(owner, kind, g.value(kind))
    evidence_rows = []
    for i in range(cases * 50):
        media, suffix = rng.choice(MEDIA)
        evidence_rows.append({
            "id": i + 1, "case_id": i // 50 + 1, "number": i % 50 + 1,
            "title": g.words(2, 6), "description": g.words(0, 20),
            "original_name": f"{rng.choice(WORDS)}_{i}{suffix}", "original_path": "",
            "size": rng.randint(1_000, 50_000_000), "media_type": media,
            "sha256": f"{rng.getrandbits(256):064x}", "blob_id": f"{rng.getrandbits(128):032x}",
            "acquired_at": when(), "acquired_by": "analyst", "acquired_from": "", "acquisition_method": "",
            "ingested_at": when(), "ingested_by": "analyst",
            "withdrawn_at": when() if rng.random() < 0.01 else None, "withdrawn_by": "",
            "withdrawn_reason": ""})
    note_rows = []
    for i in range(cases * 20):
        at = when()
        note_rows.append({"id": i + 1, "case_id": i // 20 + 1, "occurred_at": at,
                          "occurred_tz": "UTC", "recorded_at": at, "updated_at": at,
                          "author": "analyst", "text": g.words(20, 80), "version": 1})
    generated = time.perf_counter() - started

    started = time.perf_counter()
    for model, rows in ((Case, case_rows), (Subject, subject_rows), (Tip, tip_rows),
                        (Identifier, ident_rows), (Evidence, evidence_rows), (Note, note_rows)):
        with ws.store.engine.begin() as conn:
            table: sa.Table = model.__table__  # type: ignore[attr-defined]
            for start in range(0, len(rows), 10_000):
                conn.execute(table.insert(), rows[start:start + 10_000])
    inserted = time.perf_counter() - started
    started = time.perf_counter()
    with ws.store.engine.begin() as conn:
        counts = search_index.rebuild(conn)
        # Metadata only: these exhibits have no blobs, so there is no text to extract.
        conn.execute(sa.text("DELETE FROM search_pending"))
    indexed = time.perf_counter() - started
    ws.close()
    return {"cases": cases, "subjects": n_subjects, "tips": n_tips,
            "identifiers": len(ident_rows), "exhibits": len(evidence_rows),
            "notes": len(note_rows), "index": counts, "seconds": {
                "generate": round(generated, 1), "insert": round(inserted, 1),
                "index": round(indexed, 1)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", required=True, type=Path)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--scale", type=int, help="N times the default store (--cases N*1000)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.scale:
        args.cases = args.scale * 1000
    if (args.home / "caseapp.db").exists():
        raise SystemExit(f"{args.home} already holds a store; choose a new folder.")
    print(generate(args.home, cases=args.cases, seed=args.seed))


if __name__ == "__main__":
    main()
