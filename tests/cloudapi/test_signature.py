import json

import pytest

from appliance.cloudapi.signature import sign, signature_matches
from tests.support.meta import FIXTURES

pytestmark = pytest.mark.fast

VECTORS = json.loads((FIXTURES / "signature_vectors.json").read_text())
SECRET = VECTORS["app_secret"]


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=lambda v: v["name"])
def test_meta_vectors_verify_over_raw_bytes(vector):
    body = vector["raw_body_utf8"].encode()
    assert sign(body, SECRET) == vector["x_hub_signature_256"]
    assert signature_matches(body, vector["x_hub_signature_256"], SECRET)


def test_escaped_unicode_fails_once_reserialised():
    vector = next(v for v in VECTORS["vectors"] if v["name"] == "escaped_unicode_text")
    body = vector["raw_body_utf8"].encode()
    assert b"\\u00e8" in body
    reserialised = json.dumps(json.loads(body), ensure_ascii=False, separators=(",", ":")).encode()
    assert reserialised != body
    assert not signature_matches(reserialised, vector["x_hub_signature_256"], SECRET)


@pytest.mark.parametrize(
    "header",
    [
        VECTORS["bad_signature_example"],
        "",
        "sha1=abc",
        "sha256=",
        "sha256=zz",
        "sha256=" + "é" * 64,
    ],
)
def test_wrong_signatures_fail(header):
    body = VECTORS["vectors"][0]["raw_body_utf8"].encode()
    assert not signature_matches(body, header, SECRET)


def test_wrong_secret_or_empty_secret_fails():
    vector = VECTORS["vectors"][0]
    body = vector["raw_body_utf8"].encode()
    assert not signature_matches(body, vector["x_hub_signature_256"], "other-secret")
    assert not signature_matches(body, vector["x_hub_signature_256"], "")
    assert not signature_matches(body[:-1], vector["x_hub_signature_256"], SECRET)
