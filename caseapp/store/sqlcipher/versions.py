"""Versions of the embedded database engine, for Help > About and bug reports."""

from __future__ import annotations


def engine_versions() -> dict[str, str]:
    """``{"sqlcipher": ..., "sqlite": ...}`` of the bundled SQLCipher.

    Opens a throw-away in-memory connection; no store file is touched.
    """
    from sqlcipher3 import dbapi2 as sqlcipher

    conn = sqlcipher.connect(":memory:")
    try:
        row = conn.execute("PRAGMA cipher_version").fetchone()
        sqlite = conn.execute("select sqlite_version()").fetchone()
    finally:
        conn.close()
    return {"sqlcipher": str(row[0]) if row else "unknown",
            "sqlite": str(sqlite[0]) if sqlite else "unknown"}
