"""PAdES B-B signatures on produced PDFs (pyHanko), with the user's certificate or the store's
own self-signed one.

``--cert FILE.p12``: the user's PKCS#12 file; its password is asked for (or taken from
``CASEAPP_CERT_PASSWORD``) and never stored. ``--sign`` alone: a per-store self-signed
certificate, created on first use and kept inside the encrypted database (``store_meta``), so
its private key never lies on disk in clear. Its subject says it is self-signed by caseapp:
a recipient can check integrity with it, not identity.
"""

from __future__ import annotations

import base64
import io
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from caseapp.domain.models import StoreMeta
from caseapp.security import audit
from caseapp.services.casefile.production import rewrite
from caseapp.services.errors import CaseappError, InvalidInput
from caseapp.services.workspace import Workspace

SELF_SIGNED_KEY = "production_signing_p12"
SELF_SIGNED_LABEL = "caseapp self-signed (per-install; proves integrity, not identity)"


@dataclass(frozen=True)
class SigningIdentity:
    """A loaded signer and how the certification text names it."""

    signer: Any  # pyhanko SimpleSigner
    subject: str
    self_signed: bool
    timestamper: Any = None  # pyhanko TimeStamper (RFC 3161) or None: no timestamp
    tsa: str = ""

    def describe(self) -> str:
        """One line for the certification and the audit entry."""
        kind = "self-signed by this caseapp install" if self.self_signed else "user certificate"
        stamp = f", RFC 3161 timestamp from {self.tsa}" if self.tsa else ""
        return f"{self.subject} ({kind}{stamp})"


def _pyhanko_signers() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DSA deprecation warning raised inside pyHanko
        from pyhanko.sign import signers
    return signers


def _fast(signer: Any) -> Any:
    """The same signer, with its private key parsed once instead of at every signature and
    its signing-certificate attribute encoded once.

    pyHanko's SimpleSigner re-parses (and re-validates) the key for every raw signature, twice
    per PDF (the size estimate and the real one): about 0.1 s each for RSA-3072.
    """
    signers = _pyhanko_signers()
    from asn1crypto import cms
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from pyhanko.sign.attributes import SigningCertificateV2Provider
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    class OnceAttribute:
        """The signing-certificate-v2 attribute, built once per signer and re-read from its
        bytes: as pyHanko builds it, encoding it costs ~20 ms a signature."""

        def __init__(self, owner: Any, provider: Any) -> None:
            self.owner, self.provider = owner, provider

        async def get_attribute(self, dry_run: bool = False) -> Any:
            if self.owner._cert_attr is None:
                built = await self.provider.get_attribute(dry_run=False)
                self.owner._cert_attr = built.dump()
            return cms.CMSAttribute.load(self.owner._cert_attr)

    class CachedKeySigner(signers.SimpleSigner):  # type: ignore[misc, name-defined]
        _key: Any = None
        _cert_attr: bytes | None = None

        def _signed_attr_providers(self, *args: Any, **kwargs: Any) -> Any:
            for provider in super()._signed_attr_providers(*args, **kwargs):
                if isinstance(provider, SigningCertificateV2Provider) and \
                        provider.signing_cert is self.signing_cert:
                    yield OnceAttribute(self, provider)
                else:
                    yield provider

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
            try:
                algo = mechanism.signature_algo
            except ValueError:
                algo = ""
            if algo != "rsassa_pkcs1v15":
                return super().sign_raw(data, digest_algorithm)
            if self._key is None:
                self._key = serialization.load_der_private_key(self.signing_key.dump(),
                                                               password=None)
            return self._key.sign(data, PKCS1v15(),
                                  get_pyca_cryptography_hash(digest_algorithm))

    return CachedKeySigner(signing_cert=signer.signing_cert, signing_key=signer.signing_key,
                           cert_registry=signer.cert_registry)


def make_self_signed_p12(common_name: str, *, days: int = 3650) -> bytes:
    """A new RSA-3072 self-signed certificate and key as an unencrypted PKCS#12 blob."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "caseapp (self-signed)")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True, crl_sign=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    return pkcs12.serialize_key_and_certificates(
        b"caseapp", key, cert, None, serialization.NoEncryption())


def _subject(signer: Any) -> str:
    return str(signer.signing_cert.subject.human_friendly)


def load_p12(path: Path, password: str | None) -> SigningIdentity:
    """The signer in a PKCS#12 file. Raises InvalidInput for a wrong password or file."""
    signers = _pyhanko_signers()
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InvalidInput(f"The certificate {Path(path).name} cannot be read: "
                           f"{exc.strerror or exc}") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            signer = signers.SimpleSigner.load_pkcs12_data(
                data, other_certs=(), passphrase=password.encode("utf-8") if password else None)
    except ValueError:
        signer = None
    if signer is None:
        raise InvalidInput(f"{Path(path).name} could not be opened: wrong password, or not a "
                           "PKCS#12 file with a key and a certificate.")
    return SigningIdentity(_fast(signer), _subject(signer), self_signed=False)


def self_signed(ws: Workspace) -> SigningIdentity:
    """The store's own self-signed signer, created (and audited) on first use."""
    signers = _pyhanko_signers()
    with ws.session() as session:
        row = session.get(StoreMeta, SELF_SIGNED_KEY)
        blob = base64.b64decode(row.value) if row else None
    if blob is None:
        blob = make_self_signed_p12(f"caseapp store {ws.store_id[:8]} (self-signed)")
        with ws.transaction() as session:
            existing = session.get(StoreMeta, SELF_SIGNED_KEY)
            if existing is None:
                session.add(StoreMeta(key=SELF_SIGNED_KEY, value=base64.b64encode(blob).decode()))
                audit.append(session, "signing.certificate-created", "store", ws.store_id,
                             {"kind": "self-signed"})
            else:  # another process made one first: use that
                blob = base64.b64decode(existing.value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        signer = signers.SimpleSigner.load_pkcs12_data(blob, other_certs=())
    return SigningIdentity(_fast(signer), _subject(signer), self_signed=True)


def with_tsa(identity: SigningIdentity, url: str) -> SigningIdentity:
    """The identity with an RFC 3161 timestamp from the TSA at ``url`` (a network call per
    signature; off unless the user configures one)."""
    from dataclasses import replace

    if not url.startswith(("http://", "https://")):
        raise InvalidInput("A timestamp authority is an http:// or https:// URL.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pyhanko.sign.timestamps import HTTPTimeStamper
    return replace(identity, timestamper=HTTPTimeStamper(url, https=url.startswith("https")),
                   tsa=url)


#: Room for a signature container without a timestamp: RSA up to 4096 bits, the signer's
#: certificate chain as loaded (measured per identity) and the signed attributes.
_CONTAINER_SLACK = 4096


def _reserve(identity: SigningIdentity) -> int | None:
    """Bytes to reserve for the signature, so pyHanko skips its trial signature (about a
    third of the signing time); None (let pyHanko measure) with a timestamp, whose size
    depends on the authority."""
    if identity.timestamper is not None:
        return None
    signer = identity.signer
    certs = [signer.signing_cert, *list(signer.cert_registry or ())]
    return _CONTAINER_SLACK + sum(len(c.dump()) for c in certs)


def sign_into(data: bytes, out: BinaryIO, identity: SigningIdentity, *, reason: str) -> None:
    """Write the PDF ``data`` signed (PAdES B-B, an incremental update) to ``out``, from
    memory: a rendition is signed as it is written, never read back from disk."""
    signers = _pyhanko_signers()
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigSeedSubFilter

    meta = signers.PdfSignatureMetadata(field_name="CaseappSignature", md_algorithm="sha256",
                                        subfilter=SigSeedSubFilter.PADES, reason=reason,
                                        name=identity.subject)
    try:
        signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data), strict=False), meta,
                         signer=identity.signer, timestamper=identity.timestamper,
                         output=out, bytes_reserved=_reserve(identity))
    except Exception as exc:
        if identity.timestamper is None:
            raise
        raise CaseappError(f"The timestamp authority {identity.tsa} did not give a "
                           f"timestamp ({type(exc).__name__}); nothing was "
                           "written.") from None


def sign_pdf(path: Path, identity: SigningIdentity, *, reason: str) -> None:
    """Sign ``path`` in place (PAdES B-B, an incremental update), via a temp file."""
    data = path.read_bytes()
    rewrite(path, lambda out: sign_into(data, out, identity, reason=reason), suffix=".sig")
