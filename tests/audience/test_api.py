"""The subscribers part of the REST core (DESIGN.md section 5)."""

from __future__ import annotations

import pytest

from tests.support.staff import api
from tests.support.subscribers import add_subscriber

pytestmark = pytest.mark.fast


def test_list_and_show_subscribers_as_documented(running):
    add_subscriber(running, "393331110001")
    add_subscriber(running, "393331110002", active=False)
    client = api(running)
    active = client.get("/subscribers", params={"status": "active"}).json()
    assert active["has_more"] is False
    [one] = active["subscribers"]
    assert set(one) == {
        "wa_id",
        "user_id",
        "status",
        "language",
        "topics",
        "answers",
        "subscribed_at",
    }
    assert one["wa_id"] == "393331110001" and one["status"] == "active"
    assert one["topics"] == ["allerte", "notizie", "eventi"] and one["answers"] == {}
    assert len(client.get("/subscribers").json()["subscribers"]) == 2
    assert client.get("/subscribers/393331110001").json() == one
    assert client.get("/subscribers/+393331110001").json() == one


def test_errors_are_stable(running):
    client = api(running)
    missing = client.get("/subscribers/393339999999")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    bad = client.get("/subscribers", params={"status": "happy"})
    assert bad.status_code == 400
    assert client.get("/subscribers", headers={"Authorization": ""}).status_code == 401


def test_routes_are_in_the_openapi_document(running):
    document = api(running).get("/openapi.json").json()
    assert document["paths"]["/api/v1/subscribers"]["get"]["x-required-role"] == "viewer"
    assert "/api/v1/subscribers/{id}" in document["paths"]
