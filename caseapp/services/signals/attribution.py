"""Which subject of a case a log row belongs to, by its account, e-mail or host."""

from __future__ import annotations

from sqlmodel import Session, col, select

from caseapp.domain.enums import IdentifierKind
from caseapp.domain.identifiers import normalize
from caseapp.domain.models import Identifier, Subject


def account_key(account: str) -> str:
    """An account as written (UPN, e-mail, ``DOMAIN\\user``) -> the key it is matched by."""
    text = account.strip()
    if "@" in text:
        result = normalize(IdentifierKind.EMAIL, text)
        return result.value if result.ok and result.value else text.lower()
    return text.rsplit("\\", 1)[-1].lower()


class Attribution:
    """Account/e-mail/handle and device identifiers of a case's subjects -> subject id."""

    def __init__(self, session: Session, case_id: int) -> None:
        self.subjects: dict[int, Subject] = {
            s.id: s for s in session.exec(select(Subject).where(Subject.case_id == case_id)
                                          .order_by(col(Subject.id))).all() if s.id}
        self._accounts: dict[str, int] = {}
        self._locals: dict[str, set[int]] = {}
        self._hosts: dict[str, int] = {}
        self.existing: dict[int, set[tuple[str, str]]] = {sid: set() for sid in self.subjects}
        idents = session.exec(select(Identifier).where(
            col(Identifier.subject_id).in_(list(self.subjects) or [-1]))).all()
        for ident in idents:
            sid = ident.subject_id or 0
            self.existing[sid].add((ident.kind, ident.normalized))
            if ident.kind == IdentifierKind.EMAIL.value:
                self._accounts.setdefault(ident.normalized, sid)
                self._accounts.setdefault(ident.raw.strip().lower(), sid)
                self._locals.setdefault(ident.normalized.split("@", 1)[0], set()).add(sid)
            elif ident.kind == IdentifierKind.HANDLE.value:
                self._accounts.setdefault(ident.normalized.lstrip("@").lower(), sid)
            elif ident.kind == IdentifierKind.DEVICE.value:
                self._hosts.setdefault(ident.raw.strip().lower(), sid)
                self._hosts.setdefault(ident.normalized.lower(), sid)
        self._cache: dict[str, int | None] = {}

    def subject_for(self, account: str) -> int | None:
        """The subject holding this account (exact e-mail/handle, else a unique local part)."""
        if account in self._cache:
            return self._cache[account]
        key = account_key(account)
        found = self._accounts.get(key)
        if found is None and "@" not in key:
            owners = self._locals.get(key, set())
            found = next(iter(owners)) if len(owners) == 1 else None
        self._cache[account] = found
        return found

    def subject_for_host(self, host: str) -> int | None:
        return self._hosts.get(host.strip().lower())
