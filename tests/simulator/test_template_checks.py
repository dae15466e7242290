"""The simulator checks a template's header and buttons as Meta does, with Meta's codes and words."""

import json

import httpx
import pytest

from appliance.cloudapi import messages
from appliance.cloudapi.client import CLOUDAPI, GraphApiError
from appliance.cloudapi.codes import Action
from appliance.cloudapi.messages import Media, TemplateButton
from tests.support.graph import AUTH, BASE, approve_buttons_template
from tests.support.meta import FIXTURES

pytestmark = pytest.mark.fast

CASES = sorted((FIXTURES / "templates").glob("*.json"))
TO = "393331234567"


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_the_simulator_answers_each_template_case_as_meta(simulator, path):
    case = json.loads(path.read_text())
    simulator.control("templates", {**case["template"], "status": "APPROVED"})
    simulator.control("windows", {"wa_id": TO, "open": True})
    body = messages.envelope(TO, "template", case["request"])
    answer = httpx.post(f"{simulator.url}{BASE}/messages", json=body, headers=AUTH)
    expect = case["expect"]
    assert answer.status_code == expect["status"], answer.text
    if expect["status"] == 200:
        assert simulator.messages()[-1]["body"] == body
        return
    error = answer.json()["error"]
    assert (error["code"], error["message"]) == (expect["code"], expect["message"])
    assert error["error_data"]["details"] == expect["details"]
    assert simulator.messages() == []


def test_ordinanza_is_stored_with_the_document_header_meta_accepted_for_it(simulator):
    listed = httpx.get(f"{simulator.url}/v25.0/100000000000001/message_templates", headers=AUTH)
    ordinanza = next(t for t in listed.json()["data"] if t["name"] == "ordinanza")
    assert {"type": "HEADER", "format": "DOCUMENT"} in ordinanza["components"]
    assert "shape" not in ordinanza


def test_the_appliance_sends_header_and_buttons_and_hears_meta_refuse_a_missing_one(
    sim_appliance, simulator
):
    approve_buttons_template(simulator)
    client = sim_appliance.appliance.parts[CLOUDAPI]
    buttons = [TemplateButton(0, payload="leggi:7"), TemplateButton(1, url_variable="2026-12")]
    sent = sim_appliance.call(
        client.send(TO, messages.template("avviso_pulsanti", body=["festa"], buttons=buttons))
    )
    assert sent.wamid.startswith("wamid.")
    with pytest.raises(GraphApiError) as refused:
        sim_appliance.call(client.send(TO, messages.template("avviso_pulsanti", body=["festa"])))
    assert refused.value.graph_code == 131008
    assert "Button at index 1 of type Url" in refused.value.details
    assert refused.value.action is Action.PERMANENT  # fix the request: never retried
    with pytest.raises(GraphApiError) as headless:
        sim_appliance.call(client.send_template(TO, "ordinanza", body=["n. 12/2026"]))
    assert headless.value.graph_code == 132012
    document = Media("document", id="1234567890", filename="ordinanza_12.pdf")
    accepted = sim_appliance.call(
        client.send_template(TO, "ordinanza", body=["n. 12/2026"], header=document)
    )
    assert accepted.wamid.startswith("wamid.")
    assert [m["template"] for m in simulator.messages()] == ["avviso_pulsanti", "ordinanza"]
