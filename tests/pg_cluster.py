"""A throw-away PostgreSQL cluster for the team-mode tests: real server, loopback port only.

PostgreSQL refuses to run as root, and CI runs as root: the cluster is then initialised and
run as ``nobody`` (through ``runuser``), in a temp folder that user owns. It listens on
127.0.0.1 and a free port only (its Unix socket sits in the same temp folder), every wait is
bounded, and :meth:`PgCluster.stop` shuts it down and removes the folder.

The superuser ``caseapp_admin`` authenticates with a password over TCP (scram-sha-256), so the
app's keyring path is exercised exactly as against a real server.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

ADMIN = "caseapp_admin"
ADMIN_PASSWORD = "throwaway-test-password"  # a test cluster's, on loopback, deleted at teardown
_WAIT_S = 60


def find_bindir() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian layout), else one on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name
                   .isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgCluster:
    """One running cluster; :meth:`dsn` names a database on it."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="caseapp-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self._user = "nobody" if os.geteuid() == 0 else None
        self._started = False

    def _run(self, *args: str, timeout: float = _WAIT_S) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self._user:
            cmd = ["runuser", "-u", self._user, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False,
                              cwd=self.root)

    def start(self) -> None:
        """initdb, then start on 127.0.0.1:port; raises RuntimeError with the server's log."""
        pwfile = self.root / "pw"
        pwfile.write_text(ADMIN_PASSWORD + "\n", encoding="utf-8")
        if self._user:
            os.chmod(self.root, 0o755)
            shutil.chown(self.root, self._user)
            shutil.chown(pwfile, self._user)
        pwfile.chmod(0o600)
        done = self._run("initdb", "-D", str(self.data), "-U", ADMIN, "--pwfile", str(pwfile),
                         "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                         "--locale=C.UTF-8", "--no-sync")
        pwfile.unlink()
        if done.returncode != 0:
            raise RuntimeError("initdb failed: " + done.stderr[-2000:])
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        done = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"),
                         "-o", options, "-w", "-t", str(_WAIT_S), "start", timeout=_WAIT_S + 10)
        if done.returncode != 0:
            log = (self.root / "log").read_text(errors="replace")[-2000:] \
                if (self.root / "log").exists() else ""
            raise RuntimeError("pg_ctl start failed: " + done.stderr[-1000:] + log)
        self._started = True

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL as the superuser over the cluster's own socket; returns stdout."""
        done = subprocess.run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(self.root), "-p",
             str(self.port), "-U", ADMIN, "-d", database, "-At", "-c", sql],
            capture_output=True, text=True, timeout=_WAIT_S, check=False)
        if done.returncode != 0:
            raise RuntimeError("psql failed: " + done.stderr[-1000:])
        return done.stdout

    def dsn(self, database: str, user: str = ADMIN) -> str:
        """The ``postgresql://`` URL of ``database`` on this cluster (no password in it)."""
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def restart(self) -> None:
        """Stop (fast: sessions are cut) and start again, as a server restart would."""
        # -l: the new server must not hold on to this process's pipes
        done = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-m",
                         "fast", "-w", "-t", str(_WAIT_S), "restart", timeout=_WAIT_S + 10)
        if done.returncode != 0:
            raise RuntimeError("pg_ctl restart failed: " + done.stderr[-1000:])

    def set_tls(self, on: bool) -> None:
        """Offer TLS (a fresh self-signed certificate) or stop offering it; takes effect for
        new connections (configuration reload, no restart)."""
        if on:
            cert, key = self.root / "server.crt", self.root / "server.key"
            if not cert.exists():
                _self_signed(cert, key)
                if self._user:
                    shutil.chown(cert, self._user)
                    shutil.chown(key, self._user)
            self.psql(f"ALTER SYSTEM SET ssl_cert_file = '{cert}'")
            self.psql(f"ALTER SYSTEM SET ssl_key_file = '{key}'")
            self.psql("ALTER SYSTEM SET ssl = on")
        else:
            self.psql("ALTER SYSTEM RESET ssl")
        self.psql("SELECT pg_reload_conf()")

    def stop(self) -> None:
        """Shut the server down (bounded) and remove its folder."""
        if self._started:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t",
                          str(_WAIT_S), "stop", timeout=_WAIT_S + 10)
            self._started = False
        shutil.rmtree(self.root, ignore_errors=True)


def _self_signed(cert: Path, key: Path) -> None:
    """A throw-away self-signed certificate for 127.0.0.1 (cryptography)."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(private.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - dt.timedelta(minutes=5))
                   .not_valid_after(now + dt.timedelta(days=1)).sign(private, hashes.SHA256()))
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(private.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    key.chmod(0o600)
