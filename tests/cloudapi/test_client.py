import json

import pytest

from appliance.cloudapi.client import CLOUDAPI, GraphApiError
from appliance.cloudapi.codes import Action
from appliance.cloudapi.deliveries import DELIVERIES
from appliance.cloudapi.events import StatusUpdate, TemplateCategoryUpdate, UserPreferences
from appliance.cloudapi.limits import LimitError
from appliance.cloudapi.messages import ListRow, ListSection, Media
from appliance.cloudapi.templates import TEMPLATES
from tests.support.meta import FIXTURES
from tests.support.settled import settled
from tests.support.waiting import wait_until

# In the fast subset: the unit-level tests and one real appliance per capability.

TO = "393331234567"


def fixture_body(name):
    return json.loads((FIXTURES / "requests" / f"{name}.json").read_text())["body"]


@pytest.fixture
def client(sim_appliance, simulator):
    simulator.control("windows", {"wa_id": TO, "open": True})
    simulator.settings.status_delays = {"sent": 0.01, "delivered": 0.05, "read": 0.1}
    return sim_appliance.appliance.parts[CLOUDAPI]


@pytest.mark.fast
def test_every_send_type_reaches_the_simulator_as_the_fixtures_show(
    sim_appliance, simulator, client
):
    call = sim_appliance.call
    sends = {
        "ok_text": client.send_text(
            TO,
            "Avviso: chiusura di via Roma il 12/10. Dettagli: https://www.comune.example.it/avvisi/12",
            preview_url=True,
        ),
        "ok_image_id": client.send_media(
            TO, Media("image", id="1234567891", caption="Distribuzione mascherine in piazza")
        ),
        "ok_image_link": client.send_media(
            TO, Media("image", link="https://www.comune.example.it/img/avviso.jpg")
        ),
        "ok_audio_voice": client.send_media(TO, Media("audio", id="1234567893", voice=True)),
        "ok_location": client.send_location(
            TO, 45.8323, 9.5134, name="Municipio", address="Via Roma 1, Rota d'Imagna"
        ),
        "ok_buttons": client.send_buttons(
            TO,
            "Acconsenti a ricevere gli avvisi del Comune?",
            [("consent_yes", "Sì, acconsento"), ("consent_no", "No")],
        ),
        "ok_list": client.send_list(
            TO,
            "Scegli un servizio",
            "Servizi",
            [ListSection("Servizi", [ListRow("menu_1", "Previsioni meteo")])],
        ),
        "ok_template_utility": client.send_template(
            TO, "avviso_servizio", body=["Via Roma", "12/10"]
        ),
        "ok_template_marketing": client.send_template(TO, "festa_paese"),
    }
    results = {name: call(coro) for name, coro in sends.items()}
    logged = {entry["wamid"]: entry for entry in simulator.messages(TO)}
    for name, result in results.items():
        entry = logged[result.wamid]
        if name != "ok_list":
            assert entry["body"] == fixture_body(name), name
        assert result.wa_id == TO
    assert results["ok_template_marketing"].endpoint == "marketing_messages"
    assert logged[results["ok_template_marketing"].wamid]["endpoint"] == "marketing_messages"
    assert results["ok_template_utility"].endpoint == "messages"


def test_callback_data_comes_back_in_every_status(sim_appliance, client):
    seen = []

    async def handler(event):
        seen.append(event)

    sim_appliance.appliance.parts[DELIVERIES].subscribe(handler, name="statuses", kinds=["status"])
    result = sim_appliance.call(client.send_text(TO, "ciao", callback_data="outbox:17"))
    wait_until(lambda: len(seen) == 3)
    assert [e.status for e in seen] == ["sent", "delivered", "read"]
    assert all(isinstance(e, StatusUpdate) and e.callback_data == "outbox:17" for e in seen)
    assert all(e.wamid == result.wamid for e in seen)


def test_duplicated_and_reordered_status_webhooks(sim_appliance, simulator, client):
    simulator.settings.duplicate_statuses = True
    simulator.settings.reorder_statuses = True
    seen = []

    async def handler(event):
        seen.append(event.status)

    deliveries = sim_appliance.appliance.parts[DELIVERIES]
    deliveries.subscribe(handler, name="statuses", kinds=["status"])
    result = sim_appliance.call(client.send_text(TO, "ciao"))
    # Not a count of deliveries: statuses that fall due together share one POST (under load).
    wait_until(
        lambda: (
            simulator.simulator.webhooks.pending == 0 and len(seen) == 3 and settled(sim_appliance)
        ),
        what="every status webhook sent and handled",
    )
    assert seen == ["read", "delivered", "sent"]
    assert sim_appliance.call(deliveries.status_of(result.wamid))["status"] == "read"


def test_undeliverable_number_fails_by_webhook_with_131026(sim_appliance, simulator, client):
    simulator.settings.undeliverable = ["393339999999"]
    result = sim_appliance.call(client.send_template("393339999999", "festa_paese"))
    deliveries = sim_appliance.appliance.parts[DELIVERIES]
    status = wait_until(lambda: sim_appliance.call(deliveries.status_of(result.wamid)))
    assert (status["status"], status["error_code"]) == ("failed", 131026)


@pytest.mark.parametrize(
    ("setup", "code", "action"),
    [
        (
            {"windows": {"wa_id": TO, "open": False}, "settings": {"window_sync": True}},
            131047,
            Action.NEEDS_TEMPLATE,
        ),
        ({"settings": {"token_expired": True}}, 190, Action.OPERATOR_ALERT),
        ({"settings": {"pair_burst": 0}}, 131056, Action.RETRY_RECIPIENT),
        ({"faults": {"fail_status": 503, "fail_count": 1}}, 2, Action.RETRY),
    ],
)
def test_graph_errors_are_classified(sim_appliance, simulator, client, setup, code, action):
    for path, payload in setup.items():
        simulator.control(path, payload)
    with pytest.raises(GraphApiError) as caught:
        sim_appliance.call(client.send_text(TO, "ciao"))
    assert (caught.value.graph_code, caught.value.action) == (code, action)


@pytest.mark.fast
def test_unknown_template_is_permanent(sim_appliance, client):
    with pytest.raises(GraphApiError) as caught:
        sim_appliance.call(client.send_template(TO, "non_esiste"))
    assert (caught.value.graph_code, caught.value.action) == (132001, Action.PERMANENT)


def test_network_failures_and_timeouts_are_retryable(sim_appliance, simulator, client):
    simulator.control("faults", {"refuse_seconds": 1.0})
    wait_until(lambda: not simulator.listening(), 5, what="the simulator to refuse connections")
    with pytest.raises(GraphApiError) as refused:
        sim_appliance.call(client.send_text(TO, "ciao"))
    assert refused.value.graph_code is None and refused.value.action is Action.RETRY
    wait_until(simulator.listening, 5, what="the simulator to listen again")
    assert sim_appliance.call(client.send_text(TO, "di nuovo")).wamid


@pytest.mark.fast
def test_limits_are_checked_before_anything_leaves(sim_appliance, simulator, client):
    with pytest.raises(LimitError):
        sim_appliance.call(client.send_text(TO, "a" * 4097))
    with pytest.raises(LimitError):
        sim_appliance.call(
            client.send_buttons(TO, "?", [("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")])
        )
    with pytest.raises(LimitError):
        sim_appliance.call(client.upload_media(b"GIF89a", "image/gif", "a.gif"))
    assert simulator.messages() == []


def test_token_expiry_shows_on_the_health_probe(sim_appliance, simulator, client):
    def probe():
        return {c.key: c for c in sim_appliance.call(sim_appliance.appliance.health.snapshot())}[
            "cloudapi"
        ]

    # Unknown until the first call, unless the broadcast engine already asked for the tier.
    assert probe().status in ("unknown", "ok")
    assert sim_appliance.call(client.phone_number_info())["id"] == "200000000000002"
    assert probe().status == "ok"
    simulator.control("settings", {"token_expired": True})
    with pytest.raises(GraphApiError):
        sim_appliance.call(client.phone_number_info())
    assert probe().status == "error"
    simulator.control("settings", {"token_expired": False})
    sim_appliance.call(client.phone_number_info())
    assert probe().status == "ok"


@pytest.mark.fast
def test_media_upload_download_mark_read(sim_appliance, client):
    media_id = sim_appliance.call(client.upload_media(b"%PDF-1.4 x", "application/pdf", "o.pdf"))
    assert sim_appliance.call(client.download_media(media_id)) == (b"%PDF-1.4 x", "application/pdf")
    result = sim_appliance.call(
        client.send_media(TO, Media("document", id=media_id, filename="o.pdf"))
    )
    assert result.wamid
    sim_appliance.call(client.mark_read("wamid.IN1"))


@pytest.mark.fast
def test_templates_sync_create_and_category_webhook_moves_the_route(
    sim_appliance, simulator, client
):
    call = sim_appliance.call
    templates = call(client.list_templates())
    assert {"avviso_servizio", "festa_paese"} <= {t["name"] for t in templates}
    catalog = sim_appliance.appliance.parts[TEMPLATES]
    assert catalog.endpoint("avviso_servizio", "it") == "messages"
    seen = []

    async def handler(event):
        seen.append(event)

    sim_appliance.appliance.parts[DELIVERIES].subscribe(
        handler, name="t", kinds=["template_category", "template_status", "user_preferences"]
    )
    simulator.control(
        "templates/category",
        {"name": "avviso_servizio", "new_category": "MARKETING", "phase": "impending"},
    )
    wait_until(lambda: seen)
    assert isinstance(seen[0], TemplateCategoryUpdate) and not seen[0].completed
    assert catalog.endpoint("avviso_servizio", "it") == "messages"  # impending: notice only
    simulator.control(
        "templates/category", {"name": "avviso_servizio", "new_category": "MARKETING"}
    )
    wait_until(lambda: len(seen) == 2)
    assert catalog.endpoint("avviso_servizio", "it") == "marketing_messages"
    result = call(client.send_template(TO, "avviso_servizio", body=["Via Roma", "12/10"]))
    assert result.endpoint == "marketing_messages"
    created = call(
        client.create_template(
            "chiusura_scuole", "it", "utility", [{"type": "BODY", "text": "Scuole chiuse il {{1}}"}]
        )
    )
    assert created["status"] == "PENDING"
    wait_until(
        lambda: (
            catalog.get("chiusura_scuole", "it")
            and catalog.get("chiusura_scuole", "it")["status"] == "APPROVED"
        )
    )
    simulator.control("user_preferences", {"wa_id": TO, "value": "stop"})
    wait_until(lambda: any(isinstance(e, UserPreferences) for e in seen))


@pytest.mark.fast
@pytest.mark.parametrize(
    ("spec", "kind"),
    [
        ({"type": "text", "text": "Rota"}, "TextMessage"),
        (
            {
                "type": "interactive",
                "interactive": {
                    "type": "button_reply",
                    "button_reply": {"id": "consent_yes", "title": "Sì"},
                },
            },
            "ButtonReply",
        ),
        (
            {"type": "image", "image": {"id": "55", "mime_type": "image/jpeg", "sha256": "x"}},
            "ImageMessage",
        ),
        ({"type": "location", "location": {"latitude": 45.8, "longitude": 9.5}}, "LocationMessage"),
    ],
)
def test_simulated_citizens_write_to_the_appliance(sim_appliance, simulator, spec, kind):
    seen = []

    async def handler(event):
        seen.append(event)

    sim_appliance.appliance.parts[DELIVERIES].subscribe(handler, name="m", kinds=["message"])
    answer = simulator.control(
        "inbound", {"from": "393330000077", "name": "Niccolò", "user_id": "IT.77", **spec}
    )
    assert answer["webhook_status"] == 200
    wait_until(lambda: seen)
    assert type(seen[0]).__name__ == kind
    assert (seen[0].sender.wa_id, seen[0].sender.user_id, seen[0].sender.name) == (
        "393330000077",
        "IT.77",
        "Niccolò",
    )


@pytest.mark.fast
def test_an_unreachable_meta_costs_one_template_refresh_a_minute_not_one_per_send(
    sim_appliance, simulator, client
):
    refreshes = []
    original = client.list_templates

    async def counting():
        refreshes.append(1)
        return await original()

    client.list_templates = counting
    simulator.control("faults", {"fail_status": 503, "fail_count": -1})
    for _ in range(3):
        with pytest.raises(GraphApiError):
            sim_appliance.call(client.send_template(TO, "creato_su_meta"))
    assert len(refreshes) == 1
