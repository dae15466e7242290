import json

import httpx
import pytest

from tests.support.appliance import TEST_CREDENTIALS
from tests.support.meta import FIXTURES

pytestmark = pytest.mark.fast

REQUESTS = sorted((FIXTURES / "requests").glob("*.json"))
AUTH = {"Authorization": f"Bearer {TEST_CREDENTIALS['access_token']}"}


@pytest.mark.parametrize("path", REQUESTS, ids=lambda p: p.stem)
def test_simulator_answers_every_request_fixture_as_documented(simulator, path):
    data = json.loads(path.read_text())
    simulator.control("windows", {"wa_id": "393331234567", "open": True})
    response = httpx.request(
        data["method"], simulator.url + data["path"], json=data["body"], headers=AUTH
    )
    assert response.status_code == data["expect"]["status"], response.text
    answer = response.json()
    if response.status_code == 200:
        assert answer["messages"][0]["id"].startswith("wamid.")
        assert answer["contacts"][0]["wa_id"] == "393331234567"
        (logged,) = simulator.messages()
        assert logged["body"] == data["body"]
        assert logged["endpoint"] == data["path"].rsplit("/", 1)[1]
    else:
        error = answer["error"]
        assert error["code"] in data["expect"]["error_code_in"]
        assert error["type"] == "OAuthException"
        assert error["message"].startswith(f"(#{error['code']})")
        assert error["error_data"]["details"]
        assert error["fbtrace_id"]
        assert simulator.messages() == []
