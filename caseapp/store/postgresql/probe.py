"""Trying a team store's address before using it (the app's Connect dialog): :func:`probe`.

One short connection with the URL's settings (TLS mode, client certificate) and a password
given for the try (or the one in the OS keyring), then closed; nothing is created or changed.
A failure is :class:`ProbeFailed` with a :attr:`~ProbeFailed.kind` and a message of our own:
libpq's text (which may name files, addresses and server settings) is only used to tell the
kind, never shown.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from caseapp.store.errors import StoreOpenError
from caseapp.store.postgresql.engine import keyring_password, parse_url, safe_location


class ProbeResult(NamedTuple):
    """What a successful try found."""

    transport: str  # "tls", "local-socket" or "plain"
    server_version: str  # e.g. "16.4"
    schema: str | None  # the caseapp schema revision; None: an empty database (made at open)
    team_access: bool  # ``team init`` has been run (per-case access enforced by the server)


class ProbeFailed(StoreOpenError):
    """The store could not be reached or used; ``kind`` says why."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        #: "unreachable", "auth", "no-password", "no-database", "tls-required",
        #: "tls-unverified", "certificate" or "other".
        self.kind = kind


def _kind(exc: BaseException) -> str:
    state = str(getattr(exc, "sqlstate", "") or "")
    if state.startswith("28"):
        return "auth"
    if state == "3D000":
        return "no-database"
    text = str(exc).lower()  # libpq's words, only to tell the kind apart
    if "no password supplied" in text or "password is required" in text:
        return "no-password"
    if "password authentication failed" in text or "authentication failed" in text:
        return "auth"
    if "does not support ssl" in text or "ssl was required" in text:
        return "tls-required"
    if "certificate verify failed" in text or "root certificate" in text or \
            "does not match host name" in text or "server certificate for" in text:
        return "tls-unverified"
    if "certificate" in text or "private key" in text or "sslcert" in text or \
            "sslkey" in text:
        return "certificate"
    return "unreachable" if state == "" or state.startswith("08") else "other"


def _message(kind: str, where: str, server: str) -> str:
    return {
        "unreachable": f"Could not reach {server}: the server is down, the host or port is "
                       "wrong, or a firewall is in the way.",
        "auth": f"{server} refused {where.split('@', 1)[0]!r}: the role does not exist or the "
                "password is wrong.",
        "no-password": f"{server} wants a password for {where.split('@', 1)[0]!r}; type it "
                       "(it is kept in the OS keyring).",
        "no-database": f"{server} has no database {where.rsplit('/', 1)[1]!r}; ask the "
                       "administrator to create it.",
        "tls-required": f"{server} does not offer TLS, and this connection requires it. Ask "
                        "the administrator to turn on ssl, or choose 'prefer'.",
        "tls-unverified": f"The certificate of {server} could not be verified (verify-full "
                          "checks it against the CA certificate and the host name).",
        "certificate": "The client certificate or its key could not be used: check both "
                       "paths, and that the key belongs to the certificate.",
        "other": f"{server} could not be used for this store.",
    }[kind]


def _one(conn: Any, sql: str) -> Any:
    row = conn.execute(sql).fetchone()
    return row[0] if row else None


def probe(url: str, password: str | None = None) -> ProbeResult:
    """Connect once to the team store ``url`` and look around; raises ProbeFailed (or
    StoreOpenError for a malformed URL)."""
    import psycopg

    parsed = parse_url(url)
    where = safe_location(parsed)
    server = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    params: dict[str, Any] = {k: v for k, v in parsed.query.items() if isinstance(v, str)}
    params.setdefault("sslmode", "prefer")
    secret = password if password else keyring_password(parsed)
    try:
        conn = psycopg.connect(host=parsed.host or "localhost", port=parsed.port or 5432,
                               dbname=parsed.database, user=parsed.username or None,
                               password=secret, connect_timeout=10,
                               application_name="caseapp", **params)
    except psycopg.Error as exc:
        kind = _kind(exc)
        raise ProbeFailed(kind, _message(kind, where, server)) from None
    try:
        with conn:
            pgconn = conn.pgconn
            transport = ("tls" if pgconn.ssl_in_use else
                         "local-socket" if (pgconn.host or b"").startswith(b"/") else "plain")
            version = str(_one(conn, "SHOW server_version"))
            schema = None
            if _one(conn, "SELECT to_regclass('alembic_version')::text"):
                row = _one(conn, "SELECT max(version_num) FROM alembic_version")
                schema = str(row) if row else None
            team = bool(_one(conn, "SELECT count(*) FROM pg_roles WHERE rolname = "
                                   "'caseapp_member'"))
    except psycopg.Error:
        raise ProbeFailed("other", _message("other", where, server)) from None
    return ProbeResult(transport, version.split(" ", 1)[0], schema, team)
