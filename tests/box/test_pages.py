"""The Emergency page over real HTTP: roles, same-origin forms, validation, escaping, demo button."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing

import pytest

from appliance.box.armed import read_armed
from appliance.box.presses import recent_presses
from appliance.cloudapi.templates import TEMPLATES as CATALOG
from tests.support.appliance import RunningAppliance, make_config
from tests.support.db import rows
from tests.support.staff import add_user, client, login

pytestmark = pytest.mark.slow

TEMPLATES = [
    {
        "name": "emergenza",
        "language": "it",
        "id": "1",
        "category": "UTILITY",
        "status": "APPROVED",
        "components": [{"type": "BODY", "text": "Comunicazione urgente del Comune: {{1}}"}],
    },
    {
        "name": "festa_paese",
        "language": "it",
        "id": "2",
        "category": "MARKETING",
        "status": "APPROVED",
        "components": [{"type": "BODY", "text": "Vi aspettiamo alla festa!"}],
    },
]
HOSTILE = '<script>window.__x=1</script>"><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Iterator[RunningAppliance]:
    running = RunningAppliance(make_config(tmp_path_factory.mktemp("emergency")))
    running.start()
    try:
        catalog = running.appliance.parts[CATALOG]
        running.call(catalog.replace_from_api(TEMPLATES, "100"))
        for role in ("admin", "operator", "editor", "viewer"):
            add_user(running, role, role)
        yield running
    finally:
        running.stop()


@pytest.fixture(autouse=True)
def nothing_armed(app):
    yield
    app.call(app.appliance.db.execute("DELETE FROM emergency_armed"))


def armed(app):
    return app.call(read_armed(app.appliance.db))


def arm_form(**changes) -> dict[str, str]:
    return {"template": "emergenza|it", "parameters": "frana sulla provinciale", **changes}


def test_every_role_sees_the_page_but_only_admins_get_the_forms(app):
    for role in ("viewer", "editor", "operator"):
        with closing(login(app, role)) as http:
            page = http.get("/emergency")
            assert page.status_code == 200
            assert "Nessun messaggio pronto" in page.text
            assert 'action="/emergency/arm"' not in page.text
            assert "Solo un amministratore" in page.text
    with closing(login(app, "admin")) as http:
        page = http.get("/emergency").text
        assert 'action="/emergency/arm"' in page
        # Only usable templates are offered: approved and UTILITY.
        assert 'value="emergenza|it"' in page and "festa_paese" not in page
        assert "la prima riga sostituisce {{1}}" in page


def test_forced_posts_of_lower_roles_are_refused(app):
    for role in ("viewer", "operator"):
        with closing(login(app, role)) as http:
            for path, data in (
                ("/emergency/arm", arm_form()),
                ("/emergency/test-mode", {"enabled": "on"}),
                ("/emergency/disarm", {}),
                ("/emergency/templates", {}),
                ("/emergency/virtual-press", {"press": "long"}),
            ):
                assert http.post(path, data=data).status_code == 403, (role, path)
    assert armed(app) is None


def test_admin_arms_switches_test_mode_and_disarms_with_audit(app):
    with closing(login(app, "admin")) as http:
        answer = http.post("/emergency/arm", data=arm_form(follow_up="Evitate la SP14."))
        assert answer.status_code == 303
        message = armed(app)
        assert message.template_name == "emergenza" and message.parameters == (
            "frana sulla provinciale",
        )
        assert message.follow_up == "Evitate la SP14." and message.armed_by == "admin"
        page = http.get("/emergency").text
        assert "Messaggio di emergenza pronto" in page and "frana sulla provinciale" in page
        assert http.post("/emergency/test-mode", data={"enabled": "on"}).status_code == 303
        assert armed(app).test_mode
        assert "Modalità prova senza numeri di prova" in http.get("/emergency").text
        assert http.post("/emergency/disarm").status_code == 303
    assert armed(app) is None
    actions = [r[0] for r in rows(app, "SELECT action FROM audit_log WHERE actor = 'admin'")]
    assert actions[-3:] == ["emergency.armed", "emergency.test_mode", "emergency.disarmed"]


def test_arm_form_errors_are_explained_and_nothing_is_armed(app):
    with closing(login(app, "admin")) as http:
        wrong_count = http.post("/emergency/arm", data=arm_form(parameters="uno\ndue"))
        assert wrong_count.status_code == 400
        assert "Il modello ha 1 segnaposto" in wrong_count.text
        assert 'aria-invalid="true"' in wrong_count.text
        marketing = http.post("/emergency/arm", data=arm_form(template="festa_paese|it"))
        assert marketing.status_code == 400 and "categoria UTILITY" in marketing.text
        unknown = http.post("/emergency/arm", data=arm_form(template="../../etc|it"))
        assert unknown.status_code == 400
    assert armed(app) is None


def test_cross_origin_posts_are_refused(app):
    # A refusal is answered before the body is read, so the server may close the connection
    # (as HTTP allows): each attempt comes on a connection of its own, as a browser's would.
    refused = [
        {"Origin": "http://evil.example", "Connection": "close"},
        {"Origin": app.lan_url, "Sec-Fetch-Site": "cross-site", "Connection": "close"},
    ]
    with closing(login(app, "admin")) as http:
        for headers in refused:
            assert http.post("/emergency/arm", data=arm_form(), headers=headers).status_code == 403
    assert armed(app) is None


def test_hostile_parameters_are_shown_as_text(app):
    with closing(login(app, "admin")) as http:
        assert http.post("/emergency/arm", data=arm_form(parameters=HOSTILE)).status_code == 303
        page = http.get("/emergency").text
    assert HOSTILE not in page
    assert "&lt;script&gt;window.__x=1&lt;/script&gt;" in page


def test_the_virtual_button_exists_in_demo_mode_only(app):
    with closing(login(app, "admin")) as http:
        assert "Pulsante virtuale" not in http.get("/emergency").text
        assert http.post("/emergency/virtual-press", data={"press": "long"}).status_code == 404
    assert app.call(recent_presses(app.appliance.db)) == []


def test_pages_need_a_session(app):
    with client(app) as http:
        assert http.get("/emergency").status_code == 303
        assert http.post("/emergency/arm", data=arm_form()).status_code == 303
    assert armed(app) is None


def test_the_catalog_translates_the_page(app):
    with closing(login(app, "viewer")) as http:
        http.post("/language", data={"language": "en", "next": "/emergency"})
        page = http.get("/emergency").text
    assert "Device light" in page and "Nothing armed" in page
    assert "Spia del dispositivo" not in page


def test_admins_add_and_remove_test_numbers_on_the_page_validated_and_audited(app):
    def post(http, **form):
        return http.post("/emergency/test-numbers", data=form)

    with closing(login(app, "admin")) as http:
        page = http.get("/emergency").text
        assert "Elenco dal file di configurazione" in page and "Nuovo numero di prova" in page
        bad = post(http, number="12ab")
        assert bad.status_code == 400
        assert "«12ab» non sembra un numero italiano" in bad.text
        assert 'aria-invalid="true"' in bad.text
        assert 'value="12ab"' in bad.text and ">None<" not in bad.text  # the arm form untouched
        assert post(http, number="333 123 4567").status_code == 303
        page = http.get("/emergency").text
        assert "+393331234567" in page and "Elenco salvato in questa pagina" in page
        again = post(http, number="+39 333 1234567")
        assert again.status_code == 400 and "è già tra i numeri di prova" in again.text
        for n in range(9):
            assert post(http, number=f"+39 347 000 00{n:02d}").status_code == 303
        full = http.get("/emergency").text
        assert "Raggiunto il massimo di 10 numeri di prova" in full
        assert 'id="f-number"' not in full
        assert post(http, number="+39 347 111 1111").status_code == 400
        assert post(http, action="remove", number="+393331234567").status_code == 303
        page = http.get("/emergency").text
        assert "+393331234567" not in page and 'id="f-number"' in page
        http.post("/emergency/arm", data=arm_form(test_mode="on"))
        page = http.get("/emergency").text
        assert "attiva: invio solo ai 9 numeri di prova del personale" in page
        http.post("/language", data={"language": "en", "next": "/emergency"})
        english = http.get("/emergency").text
        assert "on: sent only to the 9 staff test numbers" in english
        assert "List saved on this page" in english
    with closing(login(app, "operator")) as http:
        assert post(http, number="+393331234567").status_code == 403
    details = rows(
        app, "SELECT detail FROM audit_log WHERE action = 'emergency.test_numbers' ORDER BY id"
    )
    assert len(details) == 11 and "test_number_removed" in details[-1][0]
    app.call(app.appliance.db.execute("DELETE FROM settings WHERE key = 'emergency.test_numbers'"))
