"""Discovery: cross-case links and full-text search."""
