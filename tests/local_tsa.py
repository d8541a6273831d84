"""A throw-away RFC 3161 timestamp authority for tests: pyHanko's DummyTimeStamper, in process
or served over HTTP on 127.0.0.1 (no outside network), with its own self-signed certificate."""

from __future__ import annotations

import contextlib
import threading
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def dummy_tsa() -> tuple[Any, Any]:
    """(DummyTimeStamper, its certificate as asn1crypto) with a fresh RSA key."""
    from asn1crypto import keys as akeys
    from asn1crypto import x509 as ax509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pyhanko.sign.timestamps import DummyTimeStamper
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                           critical=True)
            .sign(key, hashes.SHA256()))
    a_cert = ax509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    a_key = akeys.PrivateKeyInfo.load(key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return DummyTimeStamper(tsa_cert=a_cert, tsa_key=a_key), a_cert


@contextlib.contextmanager
def served_tsa() -> Iterator[tuple[str, Any, list[int]]]:
    """An HTTP TSA on 127.0.0.1: yields (url, its certificate, a list that counts requests)."""
    from asn1crypto import tsp

    stamper, cert = dummy_tsa()
    hits: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's hook
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            response = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            hits.append(len(body))
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(response)))
            self.end_headers()
            self.wfile.write(response)

        def log_message(self, *_args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa", cert, hits
    finally:
        server.shutdown()
        server.server_close()
