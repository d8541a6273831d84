"""caseapp's signer overrides a pyHanko internal (``SimpleSigner._signed_attr_providers``) to
encode the signing-certificate-v2 attribute once. If pyHanko stops calling it, renames the
provider or changes what the attribute holds, these tests fail instead of the override going
quietly unused or signing something else."""

from __future__ import annotations

import hashlib
import io
import warnings

import pytest

from caseapp.services.casefile import signing


@pytest.fixture(scope="module")
def identity(tmp_path_factory: pytest.TempPathFactory) -> signing.SigningIdentity:
    p12 = tmp_path_factory.mktemp("p12") / "me.p12"
    p12.write_bytes(signing.make_self_signed_p12("Override Test"))
    return signing.load_p12(p12, None)


def _pdf() -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.drawString(72, 720, "signed")
    canvas.save()
    return buffer.getvalue()


def _signed(identity: signing.SigningIdentity) -> bytes:
    out = io.BytesIO()
    signing.sign_into(_pdf(), out, identity, reason="test")
    return out.getvalue()


def _embedded(data: bytes):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pyhanko.pdf_utils.reader import PdfFileReader
    return PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures[0]


def test_override_is_called_and_signatures_validate(identity: signing.SigningIdentity) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko_certvalidator import ValidationContext

    signer = identity.signer
    assert type(signer).__name__ == "CachedKeySigner"
    assert signer._cert_attr is None
    first = _signed(identity)
    # pyHanko still asks the override for its providers and got the cached attribute
    assert signer._cert_attr is not None
    cached = signer._cert_attr
    second = _signed(identity)
    assert signer._cert_attr is cached  # built once, reused
    cert = signer.signing_cert
    for data in (first, second):
        sig = _embedded(data)
        status = validate_pdf_signature(sig, ValidationContext(trust_roots=[cert]))
        assert status.intact and status.valid and status.trusted
        attrs = {a["type"].native: a for a in sig.signer_info["signed_attrs"]}
        assert "signing_certificate_v2" in attrs
        assert attrs["signing_certificate_v2"].dump() == cached
        (ess,) = attrs["signing_certificate_v2"]["values"].native
        hashed = ess["certs"][0]
        algo = hashed["hash_algorithm"]["algorithm"]
        assert hashed["cert_hash"] == hashlib.new(algo, cert.dump()).digest()


def test_cached_attribute_is_what_pyhanko_would_build(identity: signing.SigningIdentity,
                                                      ) -> None:
    import asyncio

    from pyhanko.sign.attributes import SigningCertificateV2Provider

    signer = identity.signer
    if signer._cert_attr is None:
        _signed(identity)
    fresh = asyncio.run(SigningCertificateV2Provider(signer.signing_cert)
                        .get_attribute(dry_run=False))
    assert fresh is not None and fresh.dump() == signer._cert_attr


def test_a_changed_byte_breaks_the_signature(identity: signing.SigningIdentity) -> None:
    """Control: the validation above can fail."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko_certvalidator import ValidationContext

    data = bytearray(_signed(identity))
    at = data.index(b"ReportLab")  # in the signed range (the Info dictionary)
    data[at] = ord("r")
    status = validate_pdf_signature(_embedded(bytes(data)),
                                    ValidationContext(trust_roots=[identity.signer.signing_cert]))
    assert not status.intact
