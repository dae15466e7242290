"""The simulator takes and refuses what Meta does: named parameters, case, buttons, nulls."""

import httpx
import pytest

from appliance.cloudapi import messages
from appliance.cloudapi.messages import TemplateButton
from tests.support.graph import AUTH, approve_buttons_template, code, open_window, post

pytestmark = pytest.mark.fast

TO = "393331234567"


def send(sim, kind_content):
    return post(sim, messages.envelope(TO, *kind_content))


def test_named_and_positional_parameters_are_checked_against_the_template(simulator):
    simulator.control("templates", {"name": "saluto", "text": "Ciao {{nome}}, via {{via}}"})
    good = messages.template("saluto", body={"nome": "Anna", "via": "Roma"})
    assert send(simulator, good).status_code == 200
    wrong = messages.template("saluto", body={"nome": "Anna", "strada": "Roma"})
    assert code(send(simulator, wrong)) == 132000
    assert code(send(simulator, messages.template("saluto", body=["Anna", "Roma"]))) == 132000
    named_on_positional = messages.template("avviso_servizio", body={"1": "Via Roma", "2": "12/10"})
    assert code(send(simulator, named_on_positional)) == 132012


def test_the_template_list_says_each_parameter_format(simulator):
    simulator.control("templates", {"name": "saluto", "text": "Ciao {{nome}}"})
    url = f"{simulator.url}/v25.0/100000000000001/message_templates"
    listed = {t["name"]: t for t in httpx.get(url, headers=AUTH).json()["data"]}
    assert listed["saluto"]["parameter_format"] == "NAMED"
    assert listed["avviso_servizio"]["parameter_format"] == "POSITIONAL"


def test_a_paused_template_is_132015(simulator):
    simulator.control("templates/status", {"name": "avviso_servizio", "status": "PAUSED"})
    paused = messages.template("avviso_servizio", body=["Via Roma", "12/10"])
    assert code(send(simulator, paused)) == 132015


def test_upper_case_components_and_button_parameters_are_accepted(simulator):
    approve_buttons_template(simulator)
    kind, content = messages.template(
        "avviso_pulsanti",
        body=["festa"],
        buttons=[TemplateButton(0, payload="leggi:7"), TemplateButton(1, url_variable="42")],
    )
    for component in content["components"]:
        component["type"] = component["type"].upper()  # as pywa sends them
    assert send(simulator, (kind, content)).status_code == 200
    body = simulator.messages()[-1]["body"]["template"]["components"]
    assert body[1] == {
        "type": "BUTTON",
        "sub_type": "quick_reply",
        "index": "0",
        "parameters": [{"type": "payload", "payload": "leggi:7"}],
    }


def test_cta_url_messages_null_addresses_and_numeric_coordinates(simulator):
    open_window(simulator)
    cta = {
        "type": "cta_url",
        "body": {"text": "Il programma della festa"},
        "action": {
            "name": "cta_url",
            "parameters": {"display_text": "Apri", "url": "https://comune.example.it"},
        },
    }
    assert send(simulator, ("interactive", cta)).status_code == 200
    kind, pin = messages.location(45.74, 7.41, name="Piazza")
    assert isinstance(pin["latitude"], float)
    assert send(simulator, (kind, {**pin, "address": None})).status_code == 200
