import httpx
import pytest

pytestmark = pytest.mark.fast


def test_both_listeners_answer(running):
    assert httpx.get(running.public_url + "/healthz").text == "ok"
    assert httpx.get(running.lan_url + "/").status_code == 200
