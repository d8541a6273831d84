"""Reading the case list straight from the encrypted file, before SQLAlchemy is loaded.

The app's start-up preview uses it while the full store opens; the file is opened read-only.
The open store's case list (:meth:`SqlcipherStore.case_list_reader`) reads through such a
connection too, so its page cache (decrypted pages) is the case list's alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from caseapp.store.case_list import CaseListReader, fetch_case_rows

#: Page cache of a case-list connection, in KiB (negative: SQLite's "KiB" form). 100,000
#: cases fill ~25 MB of table pages; kept decrypted, a reload does not decrypt them again.
READER_CACHE_KIB = 32_768


def _connect(db_path: Path, key: bytes) -> Any:
    """A keyed read-only connection, or None when there is no file or it will not open."""
    from sqlcipher3 import dbapi2 as sqlcipher

    if not db_path.is_file():
        return None
    try:
        conn = sqlcipher.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True,
                                 check_same_thread=False)
    except sqlcipher.Error:
        return None
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute(f"PRAGMA cache_size = -{READER_CACHE_KIB}")
        conn.execute("PRAGMA busy_timeout = 10000")
    except sqlcipher.Error:
        conn.close()
        return None
    return conn


def read_case_list(db_path: Path, key: bytes) -> list[tuple[Any, ...]] | None:
    """The case list rows, or None when they cannot be read this way (no file yet, wrong key,
    or an older schema that the full open will upgrade first)."""
    from sqlcipher3 import dbapi2 as sqlcipher

    conn = _connect(db_path, key)
    if conn is None:
        return None
    try:
        return fetch_case_rows(conn)
    except sqlcipher.Error:
        return None
    finally:
        conn.close()


def open_case_list_reader(db_path: Path, key: bytes) -> CaseListReader | None:
    """A case-list reader on its own read-only connection, or None when the list cannot be
    read this way (no file yet, wrong key, or an older schema the full open upgrades first)."""
    from sqlcipher3 import dbapi2 as sqlcipher

    conn = _connect(db_path, key)
    if conn is None:
        return None
    reader = CaseListReader(conn)
    try:
        reader.rows([0])  # every column the list needs exists (schema current)
    except sqlcipher.Error:
        reader.close()
        return None
    return reader
