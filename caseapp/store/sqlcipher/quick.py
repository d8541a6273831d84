"""Reading the case list straight from the encrypted file, before SQLAlchemy is loaded.

The app's start-up preview uses it while the full store opens; the file is opened read-only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from caseapp.store.case_list import fetch_case_rows


def read_case_list(db_path: Path, key: bytes) -> list[tuple[Any, ...]] | None:
    """The case list rows, or None when they cannot be read this way (no file yet, wrong key,
    or an older schema that the full open will upgrade first)."""
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
        return fetch_case_rows(conn)
    except sqlcipher.Error:
        return None
    finally:
        conn.close()
