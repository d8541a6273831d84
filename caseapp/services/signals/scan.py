"""reused-photo and reused-text over the exhibits of every case in the store.

An exhibit belongs to a subject when its case has one subject, or when exactly one subject's
name appears in its title, description or file name. Images (``image/*``, up to 25 MB) are
hashed with imagehash's pHash; text exhibits (``text/*``) are compared on their first
20,000 characters. Findings are recorded for the subjects of the case being scanned.
"""

from __future__ import annotations

import io
from typing import Any

from sqlmodel import Session, col, select

from caseapp.domain.models import Case, Evidence, Subject
from caseapp.domain.signals import reuse
from caseapp.security import audit
from caseapp.security.vault import VaultError
from caseapp.services.cases.cases import get_case_in
from caseapp.services.signals.records import save_findings
from caseapp.services.workspace import Workspace

MAX_IMAGE_BYTES = 25 * 1024 * 1024
_TEXT_BYTES = 200_000


def _owner(evidence: Evidence, subjects: list[Subject]) -> Subject | None:
    if len(subjects) == 1:
        return subjects[0]
    haystack = f"{evidence.title} {evidence.description} {evidence.original_name}".casefold()
    named = [s for s in subjects if s.name and s.name.casefold() in haystack]
    return named[0] if len(named) == 1 else None


def _bytes(ws: Workspace, blob_id: str, limit: int) -> bytes | None:
    out = bytearray()
    try:
        for chunk in ws.vault.iter_plaintext(blob_id):
            out += chunk
            if len(out) > limit:
                break
    except VaultError:
        return None
    return bytes(out)


def _phash(data: bytes) -> int | None:
    import imagehash
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            return int(str(imagehash.phash(image)), 16)
    except (UnidentifiedImageError, OSError, ValueError):
        return None


def _items(ws: Workspace, session: Session) -> tuple[list[reuse.Item], list[reuse.Item]]:
    cases = {c.id: c for c in session.exec(select(Case)).all()}
    subjects: dict[int, list[Subject]] = {}
    for s in session.exec(select(Subject).order_by(col(Subject.id))).all():
        subjects.setdefault(s.case_id, []).append(s)
    photos: list[reuse.Item] = []
    texts: list[reuse.Item] = []
    rows = session.exec(select(Evidence).where(col(Evidence.case_id).is_not(None),
                                               col(Evidence.withdrawn_at).is_(None))).all()
    for ev in rows:
        kind = ev.media_type.split("/", 1)[0]
        if kind not in ("image", "text") or ev.case_id not in cases:
            continue
        owner = _owner(ev, subjects.get(ev.case_id or 0, []))
        if owner is None or owner.id is None:
            continue
        ref = cases[ev.case_id].ref
        label = f"{ref}/{ev.exhibit}"
        if kind == "image" and ev.size <= MAX_IMAGE_BYTES:
            data = _bytes(ws, ev.blob_id, MAX_IMAGE_BYTES)
            value = _phash(data) if data else None
            if value is not None:
                photos.append(reuse.Item(owner.id, owner.name, ref, label, value))
        elif kind == "text" and "csv" not in ev.media_type:
            data = _bytes(ws, ev.blob_id, _TEXT_BYTES)
            if data:
                text = data.decode("utf-8", errors="replace")
                texts.append(reuse.Item(owner.id, owner.name, ref, label,
                                        reuse.normalise_text(text)))
    return photos, texts


def scan_exhibits(ws: Workspace, case_ref: str) -> list[dict[str, Any]]:
    """Run reused-photo and reused-text for one case; returns the findings recorded."""
    with ws.session() as session:
        case = get_case_in(session, case_ref)
        own = {s.id for s in session.exec(select(Subject).where(Subject.case_id == case.id))
               .all() if s.id}
        photos, texts = _items(ws, session)
    findings = (reuse.photo_findings(photos, own_subjects=own)
                + reuse.text_findings(texts, own_subjects=own))
    with ws.transaction() as session:
        case = get_case_in(session, case_ref)
        out = save_findings(session, case, None, None, findings)
        audit.append(session, "signals.exhibits-scanned", "case", case.ref, {
            "case": case.ref, "images": len(photos), "texts": len(texts),
            "findings": len(out)})
    return out
