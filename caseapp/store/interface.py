"""The store interface: everything the services need from a database, and nothing more.

A store gives ORM sessions over the tables of :mod:`caseapp.domain.models` (SQLModel), which
every service uses for ordinary reads and writes, plus the few operations whose SQL is specific
to one database engine:

- full-text search and its index (:class:`SearchIndex`);
- the identifier occurrences behind cross-case links (:meth:`Store.occurrences`);
- the case list for 10,000+ rows, as plain tuples (:meth:`Store.case_rows`), and optionally a
  page-at-a-time reader for 100,000+ rows (:class:`CaseListReader`, see below);
- a consistent copy of the database for backups (:meth:`Store.copy_database`).

The embedded single-user store is :class:`caseapp.store.sqlcipher.store.SqlcipherStore`; a second
implementation (PostgreSQL for teams) is a new package beside it implementing these two
protocols, chosen in :func:`caseapp.store.open_store`. Nothing outside ``caseapp/store`` imports
a database driver or touches an engine; a test checks that.

Transactions: :meth:`Store.session` is for reading; :meth:`Store.write_session` is for a unit of
work that writes (it takes the database's write lock before its first statement, so whatever it
reads to allocate - next reference, audit chain head - cannot change under it).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

if TYPE_CHECKING:
    from sqlmodel import Session

    from caseapp.domain.search_query import ParsedQuery


class SearchRow(NamedTuple):
    """One search hit as the index holds it; ``score``: smaller is better (0 without terms)."""

    doc_id: int
    doc_type: str
    entity_id: int
    ref: str
    label: str | None
    title: str
    body: str | None
    indexed_title: str | None
    score: float


class PendingExhibit(NamedTuple):
    """A text-like exhibit whose content still has to be decrypted and indexed."""

    evidence_id: int
    blob_id: str
    media_type: str
    name: str


class Occurrence(NamedTuple):
    """Another record holding (exactly or nearly) an identifier of the queried owner.

    ``kind``/``normalized`` is the seed (the owner's identifier); ``other_normalized`` what the
    other record holds. Subject and case columns are set for a subject's identifier, tip
    columns for a tip's.
    """

    kind: str
    normalized: str
    identifier_id: int
    raw: str
    other_normalized: str
    created_at: Any
    subject_id: int | None
    subject_name: str | None
    case_id: int | None
    case_ref: str | None
    case_title: str | None
    tip_id: int | None
    tip_ref: str | None
    tip_received_at: Any


class Snapshot(NamedTuple):
    """What a database copy holds that its backup needs: the exhibit blobs it refers to and
    the audit chain head it ends at (read from the copy itself)."""

    blob_ids: list[str]
    audit_head_id: int
    audit_head_hash: str


class OccurrenceSeed(NamedTuple):
    """Whose identifiers to look for: a case's, a tip's, or one value (with its near key)."""

    owner: str  # "case" | "tip" | "value"
    owner_id: int = 0
    kind: str = ""
    normalized: str = ""
    near_key: str | None = None


class SearchIndex(Protocol):
    """The full-text index over cases, notes, subjects, identifiers, exhibits and tips."""

    def ensure_current(self) -> bool:
        """Rebuild if stale (another index version, rows loaded around the ORM); cheap after
        the first call. Returns True when a rebuild ran."""
        ...

    def query(self, parsed: ParsedQuery, limit: int) -> list[SearchRow]:
        """The best ``limit`` rows for a parsed query; raises QueryFailed."""
        ...

    def file_texts(self, doc_ids: Sequence[int]) -> dict[int, str]:
        """Indexed exhibit text of these index rows."""
        ...

    def has_pending(self) -> bool:
        """Whether any exhibit still waits for its text to be indexed."""
        ...

    def pending_exhibits(self, limit: int) -> list[PendingExhibit]:
        """Up to ``limit`` exhibits waiting for their text."""
        ...

    def set_file_texts(self, texts: Sequence[tuple[int, str]]) -> None:
        """Store extracted text for these evidence ids (one transaction)."""
        ...

    def rebuild(self) -> dict[str, int]:
        """Rebuild every index row and near key; rows per doc type plus ``near_keys``."""
        ...


class CaseListReader(Protocol):
    """The case list a page at a time (100,000+ cases): ids in order, filter texts, full rows
    only for the ids on screen. Used from one thread (the UI's) on a connection of its own.

    Optional: a store may offer it as ``case_list_reader()`` (not part of :class:`Store`, so
    a store without it stays complete); the services then build the same from
    :meth:`Store.case_rows`. :class:`caseapp.store.case_list.CaseListReader` is the SQLite one.
    """

    def data_version(self) -> int:
        """A number that changes when the case data may have changed since the last call."""
        ...

    def order(self, key: str, descending: bool, status: str | None = None) -> list[int]:
        """Case ids sorted by ``key`` ("ref", "title", "status", "priority", "subjects",
        "exhibits", "updated"; ties by id, both reversed when descending), optionally only
        the cases with ``status``."""
        ...

    def texts(self, after: int = 0, limit: int = -1) -> dict[int, str]:
        """id -> "ref title status priority" of every case (not case-folded); with ``limit``
        > 0 only that many, the lowest ids above ``after``."""
        ...

    def rows(self, ids: list[int]) -> list[tuple[Any, ...]]:
        """Rows of these ids, columns as :meth:`Store.case_rows` (any order)."""
        ...

    def id_of(self, ref: str) -> int | None:
        """The id of the case ``ref``, or None."""
        ...

    def close(self) -> None:
        """Release the reader's connection."""
        ...


class Changes(NamedTuple):
    """What other clients committed since the last look: the ids of the cases whose data
    changed, and whether anything else (tips, watchlists, too many cases to name, changes
    missed while disconnected) did. Ids only: the receiver re-reads what it may see."""

    case_ids: frozenset[int] = frozenset()
    store_wide: bool = False

    def __bool__(self) -> bool:
        return self.store_wide or bool(self.case_ids)


class ChangeListener(Protocol):
    """Committed changes of other clients, as they happen (a team store's LISTEN/NOTIFY).

    Optional: a store may offer it as ``change_listener()`` (not part of :class:`Store`);
    the local SQLCipher store does not (one app per data home; see the README). Used from one
    thread of its own, on a connection of its own. A dropped connection raises
    StoreConnectionLost from :meth:`wait`; the next call reconnects (raising again while the
    server is away) and then reports a store-wide change, since what happened meanwhile was
    not heard. Own writes may be reported too.
    """

    def start(self) -> None:
        """Connect and start listening; raises StoreConnectionLost."""
        ...

    def wait(self, timeout: float) -> Changes:
        """Changes committed since the last call, waiting up to ``timeout`` seconds for the
        first (empty when none came)."""
        ...

    def stop(self) -> None:
        """Stop listening and close the connection (idempotent)."""
        ...


class Store(Protocol):
    """One open database."""

    #: Which implementation this is ("sqlcipher"); for messages and diagnostics only.
    kind: str

    @property
    def search(self) -> SearchIndex:
        """The store's full-text index."""
        ...

    def session(self) -> Session:
        """A new ORM session for reading; objects stay usable after commit."""
        ...

    def write_session(self) -> Session:
        """A new ORM session whose transaction takes the write lock first."""
        ...

    def occurrences(self, seed: OccurrenceSeed) -> tuple[list[Occurrence], list[Occurrence]]:
        """(exact, near) occurrences of the seed's identifiers in other records."""
        ...

    def case_rows(self) -> list[tuple[Any, ...]]:
        """The case list (:data:`caseapp.store.case_list.CASE_LIST_SQL` columns)."""
        ...

    def copy_database(self, dest: Path) -> Snapshot:
        """Write a consistent copy of the database (still encrypted) to the file ``dest``."""
        ...

    def dispose(self) -> None:
        """Close every connection."""
        ...
