"""These service tests run on both stores: SQLCipher and PostgreSQL (:mod:`store_backends`)."""

from store_backends import ws_on_both_stores  # noqa: F401
