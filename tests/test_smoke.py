import httpx
import pytest

pytestmark = pytest.mark.fast


def test_both_listeners_answer(running):
    assert httpx.get(running.public_url + "/healthz").text == "ok"
    # With no staff account yet the LAN home sends the visitor to the first-run page.
    response = httpx.get(running.lan_url + "/")
    assert response.status_code in (302, 303)
    assert "/setup" in response.headers["location"] or "/login" in response.headers["location"]
