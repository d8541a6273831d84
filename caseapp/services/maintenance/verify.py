"""Verify a store: re-hash every exhibit, walk the audit chain, check the vault folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import col, select

from caseapp.domain.models import Case, Evidence
from caseapp.domain.progress import Cancel, Progress
from caseapp.security import audit
from caseapp.security.vault import BlobCorrupt, BlobMissing
from caseapp.services.workspace import Workspace


@dataclass
class VerifyReport:
    ok: bool
    blobs_checked: int
    audit_entries: int
    problems: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "blobs_checked": self.blobs_checked,
                "audit_entries": self.audit_entries, "problems": self.problems}


def verify_store(ws: Workspace, progress: Progress | None = None,
                 cancel: Cancel | None = None) -> VerifyReport:
    """Re-hash every blob and walk the audit chain; records the run in the audit log."""
    problems: list[dict[str, str]] = []
    with ws.session() as session:
        rows = session.exec(select(Evidence, Case.ref).outerjoin(Case, Evidence.case_id == Case.id)
                            .order_by(col(Evidence.id))).all()
        entries, chain_problems = audit.verify_chain(session)
    checked = 0
    for index, (evidence, case_ref) in enumerate(rows):
        if cancel and cancel():
            break
        where = f"{case_ref}/{evidence.exhibit}" if case_ref else f"tip-attachment/{evidence.id}"
        try:
            sha, size = ws.vault.verify(evidence.blob_id)
            if sha != evidence.sha256 or size != evidence.size:
                problems.append({"kind": "hash-mismatch", "where": where,
                                 "detail": f"recorded {evidence.sha256}, vault has {sha}"})
        except BlobMissing as exc:
            problems.append({"kind": "blob-missing", "where": where, "detail": str(exc)})
        except BlobCorrupt as exc:
            problems.append({"kind": "blob-corrupt", "where": where, "detail": str(exc)})
        checked += 1
        if progress:
            progress(index + 1, len(rows))
    for problem in chain_problems:
        problems.append({"kind": "audit-broken", "where": f"audit#{problem.entry_id}",
                         "detail": problem.detail})
    report = VerifyReport(not problems, checked, entries, problems)
    with ws.transaction() as session:
        audit.append(session, "store.verified", "store", ws.store_id,
                     {"ok": report.ok, "blobs_checked": checked, "problems": len(problems)})
    return report
