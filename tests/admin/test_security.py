"""CSRF checks, the client allow-list, response headers and the Secure flag over real TLS."""

import datetime
import ipaddress
import ssl

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from appliance.lan.security import client_allowed, parse_networks
from tests.support.appliance import RunningAppliance, make_config
from tests.support.db import rows
from tests.support.staff import PASSWORD, add_user, login

pytestmark = pytest.mark.fast

NEW_USER = {"username": "mallory", "password": "a-long-password", "role": "admin"}


def _create_user(http: httpx.Client, username: str = "mallory", **headers: str) -> httpx.Response:
    return http.post("/settings/users", data={**NEW_USER, "username": username}, headers=headers)


@pytest.fixture(scope="module")
def with_boss(shared_running):
    """The module's appliance with the admin "boss" (each case logs in on its own)."""
    add_user(shared_running, "boss")
    return shared_running


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Origin": "SAME", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "SAME", "Sec-Fetch-Site": "same-site"},
        {"Origin": "", "Referer": "http://evil.example/page"},
        {"Origin": ""},
    ],
    ids=["other-origin", "null-origin", "cross-site", "same-site", "other-referer", "no-headers"],
)
def test_cross_origin_posts_with_a_session_are_refused(with_boss, headers):
    running = with_boss
    http = login(running, "boss")
    own = running.lan_url
    sent = {k: (own if v == "SAME" else v) for k, v in headers.items() if v}
    if "Origin" not in sent:
        del http.headers["Origin"]
    response = _create_user(http, **sent)
    assert response.status_code == 403
    assert rows(running, "SELECT COUNT(*) FROM users WHERE username = 'mallory'") == [(0,)]


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "SAME"},
        {"Origin": "SAME", "Sec-Fetch-Site": "same-origin"},
        {"Referer": "SAME/x"},
    ],
    ids=["origin", "fetch-metadata", "referer-only"],
)
def test_same_origin_posts_pass(with_boss, headers, request):
    running = with_boss
    http = login(running, "boss")
    del http.headers["Origin"]
    sent = {k: v.replace("SAME", running.lan_url) for k, v in headers.items()}
    username = f"nuovo-{request.node.callspec.id}"  # one new account per case
    assert _create_user(http, username, **sent).status_code == 303
    assert rows(running, "SELECT COUNT(*) FROM users WHERE username = ?", (username,)) == [(1,)]


def test_login_form_itself_is_csrf_checked(running):
    add_user(running, "anna")
    response = httpx.post(
        running.lan_url + "/login",
        data={"username": "anna", "password": PASSWORD},
        headers={"Origin": "http://evil.example"},
    )
    assert response.status_code == 403


def test_bearer_api_requests_need_no_origin(running):
    # There is no unsafe API route yet; a bearer POST reaches routing (405), not the CSRF check.
    from appliance.lan.tokens import create_token

    token = running.call(create_token(running.appliance.db, "site", "admin", "test"))
    response = httpx.post(
        running.lan_url + "/api/v1/health",
        headers={"Authorization": f"Bearer {token}", "Origin": "http://evil.example"},
    )
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_security_headers_on_pages(running):
    response = httpx.get(running.lan_url + "/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_allow_list_matches_ranges_and_mapped_ipv4():
    nets = parse_networks(["192.168.1.0/24", "fd00::/8"])
    assert client_allowed("192.168.1.20", nets)
    assert client_allowed("::ffff:192.168.1.20", nets)
    assert client_allowed("fd12::1", nets)
    assert not client_allowed("192.168.2.1", nets)
    assert not client_allowed("not-an-ip", nets)
    assert client_allowed("10.0.0.1", [])


def test_clients_outside_the_allow_list_are_refused(tmp_path):
    config = make_config(tmp_path, server={"allowed_networks": ["192.0.2.0/24"]})
    running = RunningAppliance(config).start()
    try:
        assert httpx.get(running.lan_url + "/login").status_code == 403
        assert httpx.get(running.lan_url + "/static/app.css").status_code == 403
        assert httpx.get(running.lan_url + "/api/v1/health").status_code == 403
        assert httpx.get(running.public_url + "/healthz").status_code == 200
    finally:
        running.stop()


def _self_signed(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    certfile, keyfile = tmp_path / "lan.crt", tmp_path / "lan.key"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return certfile


def test_cookies_are_secure_over_real_tls(tmp_path):
    certfile = _self_signed(tmp_path)
    config = make_config(
        tmp_path,
        server={"tls_certfile": str(certfile), "tls_keyfile": str(tmp_path / "lan.key")},
    )
    running = RunningAppliance(config).start()
    try:
        assert running.lan_url.startswith("https://")
        add_user(running, "anna")
        with httpx.Client(
            base_url=running.lan_url, verify=ssl.create_default_context(cafile=certfile)
        ) as http:
            response = http.post(
                "/login",
                data={"username": "anna", "password": PASSWORD},
                headers={"Origin": running.lan_url},
            )
            assert response.status_code == 303
            assert "Secure" in response.headers["set-cookie"]
            assert http.get("/").status_code == 200
    finally:
        running.stop()
