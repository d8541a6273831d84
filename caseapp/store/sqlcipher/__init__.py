"""The embedded store: SQLCipher (encrypted SQLite) with FTS5."""
