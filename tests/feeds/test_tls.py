"""A server that sends only its leaf certificate: the chain is completed, never unverified."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from appliance.feeds.failures import explain
from appliance.feeds.fetch import FeedError, Fetcher
from appliance.feeds.tls import INTERMEDIATES, feed_context
from tests.support.fakefeeds import FakeFeeds
from tests.support.realfeeds import real

pytestmark = pytest.mark.fast


def _cert(subject: str, key, issuer_name: x509.Name, issuer_key, *, ca: bool):
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        usage = dict(key_cert_sign=True, crl_sign=True, digital_signature=False)
    else:
        usage = dict(key_cert_sign=False, crl_sign=False, digital_signature=True)
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]),
            critical=False,
        )
    builder = builder.add_extension(
        x509.KeyUsage(
            content_commitment=False,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            encipher_only=False,
            decipher_only=False,
            **usage,
        ),
        critical=True,
    )
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def chain(tmp_path_factory) -> dict[str, Path]:
    """A test root, an intermediate it signs, and a leaf for 127.0.0.1 the intermediate signs."""
    folder = tmp_path_factory.mktemp("pki")
    root_key, mid_key, leaf_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Root CA")])
    root = _cert("Test Root CA", root_key, root_name, root_key, ca=True)
    mid = _cert("Test Intermediate CA", mid_key, root.subject, root_key, ca=True)
    leaf = _cert("127.0.0.1", leaf_key, mid.subject, mid_key, ca=False)
    (folder / "intermediates").mkdir()
    (folder / "none").mkdir()
    files = {
        "root": folder / "root.pem",
        "intermediates": folder / "intermediates",
        "none": folder / "none",
        "leaf": folder / "leaf.pem",
        "key": folder / "leaf.key",
    }
    files["root"].write_bytes(_pem(root))
    (files["intermediates"] / "test-intermediate.pem").write_bytes(_pem(mid))
    files["leaf"].write_bytes(_pem(leaf))  # the leaf alone, as the broken server sends it
    files["key"].write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return files


@pytest.fixture
def leaf_only_server(chain):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain["leaf"], chain["key"])
    server = FakeFeeds(tls=context).start()
    server.reply("/lista-zone", b"<List/>")
    try:
        yield server
    finally:
        server.stop()


async def _get(url: str, tls: ssl.SSLContext) -> bytes | None:
    fetcher = Fetcher(tls=tls)
    await fetcher.start()
    try:
        return await fetcher.get(f"{url}/lista-zone", deadline=5)
    finally:
        await fetcher.close()


async def test_the_shipped_intermediate_completes_the_chain(chain, leaf_only_server):
    tls = feed_context(roots=chain["root"], intermediates=chain["intermediates"])
    assert tls.verify_mode == ssl.CERT_REQUIRED and tls.check_hostname
    assert await _get(leaf_only_server.url, tls) == b"<List/>"


async def test_without_the_intermediate_the_leaf_alone_is_refused(chain, leaf_only_server):
    tls = feed_context(roots=chain["root"], intermediates=chain["none"])
    with pytest.raises(FeedError) as caught:
        await _get(leaf_only_server.url, tls)
    assert explain(caught.value).startswith("certificato del server non verificabile")


async def test_an_intermediate_is_no_root_of_trust(chain, leaf_only_server):
    # The system store does not know the test root: the intermediate alone must not suffice.
    tls = feed_context(intermediates=chain["intermediates"])
    with pytest.raises(FeedError, match="CERTIFICATE_VERIFY_FAILED"):
        await _get(leaf_only_server.url, tls)


def test_the_actalis_intermediate_ships_with_the_package():
    [shipped] = sorted(INTERMEDIATES.glob("*.pem"))
    assert shipped.read_bytes() == real("certs/actalis-organization-validated-server-ca-g3.pem")
    cert = x509.load_pem_x509_certificate(shipped.read_bytes())
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert "Actalis Authentication Root CA" in cert.issuer.rfc4514_string()
    # Loading it keeps the system's roots and verification on.
    assert feed_context().verify_mode == ssl.CERT_REQUIRED
