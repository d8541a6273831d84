"""Connecting the app to a team store: the address, its password in the OS keyring, a try.

:class:`TeamAddress` is what the Connect dialog edits (host, port, database, role, TLS mode,
client certificate and key); :meth:`TeamAddress.url` is the store URL the app opens and
remembers - it never holds a password. :func:`save_password` keeps the password in the OS
keyring under service ``caseapp-postgresql`` and user ``ROLE@HOST:PORT`` (where the store
looks for it), never in a file: without a usable keyring it refuses.
:func:`try_address` connects once and says what it found, in words for the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import quote

from caseapp.services.errors import InvalidInput, StoreUnavailable
from caseapp.store.errors import StoreOpenError

#: TLS modes offered (libpq's ``sslmode``): TLS when offered / always / always, verified.
TLS_MODES = ("prefer", "require", "verify-full")


@dataclass(frozen=True)
class TeamAddress:
    """Where a team store is and how to reach it (no password)."""

    host: str
    database: str
    role: str
    port: int = 5432
    tls: str = "prefer"
    cert: str = ""  # client certificate file (PEM), optional
    key: str = ""  # its private key file, optional

    def checked(self) -> TeamAddress:
        """The same, trimmed; raises InvalidInput naming what is missing or wrong."""
        host, database, role = self.host.strip(), self.database.strip(), self.role.strip()
        missing = [n for n, v in (("host", host), ("database", database), ("role name", role))
                   if not v]
        if missing:
            raise InvalidInput(f"Fill in the {', '.join(missing)}.")
        if not 0 < self.port < 65536:
            raise InvalidInput("The port must be between 1 and 65535.")
        if self.tls not in TLS_MODES:
            raise InvalidInput(f"The TLS mode must be one of {', '.join(TLS_MODES)}.")
        if bool(self.cert.strip()) != bool(self.key.strip()):
            raise InvalidInput("A client certificate needs its key file too (and the other "
                               "way round).")
        return TeamAddress(host, database, role, self.port, self.tls, self.cert.strip(),
                           self.key.strip())

    def url(self) -> str:
        """``postgresql://ROLE@HOST:PORT/DB?sslmode=...[&sslcert=...&sslkey=...]``."""
        a = self.checked()
        host = f"[{a.host}]" if ":" in a.host else a.host
        query = f"sslmode={a.tls}"
        if a.cert:
            query += f"&sslcert={quote(a.cert, safe='/')}&sslkey={quote(a.key, safe='/')}"
        return (f"postgresql://{quote(a.role, safe='')}@{host}:{a.port}/"
                f"{quote(a.database, safe='')}?{query}")

    @property
    def keyring_user(self) -> str:
        """The keyring user name of this address's password: ``ROLE@HOST:PORT``, as the store
        names it when it looks the password up."""
        from caseapp.store.postgresql.engine import keyring_user, parse_url

        return keyring_user(parse_url(self.url()))


def address_of(url: str) -> TeamAddress | None:
    """The address of a store URL (to fill the dialog in), or None if it is not one."""
    from caseapp.store.postgresql.engine import is_postgresql_url, parse_url

    if not url or not is_postgresql_url(url):
        return None
    try:
        parsed = parse_url(url)
    except StoreOpenError:
        return None
    query = {k: v for k, v in parsed.query.items() if isinstance(v, str)}
    tls = query.get("sslmode", "prefer")
    return TeamAddress(parsed.host or "localhost", parsed.database or "",
                       parsed.username or "", parsed.port or 5432,
                       tls if tls in TLS_MODES else "prefer", query.get("sslcert", ""),
                       query.get("sslkey", ""))


def save_password(address: TeamAddress, password: str) -> None:
    """Keep ``password`` for this role and server in the OS keyring (never in a file)."""
    import keyring
    from keyring.errors import KeyringError

    from caseapp.security.keys import keyring_usable
    from caseapp.store.postgresql.engine import KEYRING_SERVICE

    if not keyring_usable():
        raise StoreUnavailable("No usable OS keyring on this machine, and caseapp keeps the "
                               "database password nowhere else. Use a client certificate, "
                               "or unlock or install a keyring (Secret Service, KWallet).")
    try:
        keyring.set_password(KEYRING_SERVICE, address.keyring_user, password)
    except KeyringError:
        raise StoreUnavailable("The OS keyring refused to keep the password (is it "
                               "locked?).") from None


def has_saved_password(address: TeamAddress) -> bool:
    """Whether the OS keyring holds a password for this role and server."""
    from caseapp.store.postgresql.engine import keyring_password, parse_url

    try:
        return keyring_password(parse_url(address.url())) is not None
    except (InvalidInput, StoreOpenError):
        return False


_TRANSPORT = {"tls": "over TLS", "local-socket": "over a local socket",
              "plain": "WITHOUT encryption (the server offers no TLS)"}


class Tried(NamedTuple):
    """What :func:`try_address` found: words for the user, and whether the link is private."""

    text: str
    secure: bool  # TLS or a local socket; False: records would cross the network in clear


def try_address(address: TeamAddress, password: str | None = None) -> Tried:
    """Connect once (``password``, else the one in the keyring) and say what was found;
    raises StoreUnavailable with the reason (never the server's own text)."""
    from caseapp.store.postgresql.probe import probe
    from caseapp.store.sqlcipher.engine import HEAD_REVISION

    try:
        found = probe(address.url(), password or None)
    except StoreOpenError as exc:
        raise StoreUnavailable(str(exc)) from None
    a = address.checked()
    text = (f"Connected to {a.database} on {a.host}:{a.port} as {a.role}, "
            f"{_TRANSPORT.get(found.transport, found.transport)}; PostgreSQL "
            f"{found.server_version}. ")
    if found.schema is None:
        text += "The database is empty: caseapp creates its tables when it opens it."
    elif found.schema == HEAD_REVISION:
        text += "It holds a caseapp store"
        text += (" with per-case access (team init)." if found.team_access else
                 " without per-case access (every member sees every case).")
    else:
        text += ("It holds a caseapp store of another version; opening it upgrades it if this "
                 "role may (or says it was written by a newer caseapp).")
    return Tried(text, found.transport != "plain")
