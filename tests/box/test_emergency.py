"""The emergency button in the running appliance: mock pins, real loop, real SQLite, real audit."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from appliance.box import BOX
from appliance.box.armed import arm, set_test_mode
from appliance.box.drills import save_drill_numbers
from appliance.box.launcher import LAUNCHER, LaunchOutcome, LaunchResult
from appliance.box.patterns import BoxState
from appliance.box.presses import recent_presses
from appliance.cloudapi.client import CLOUDAPI, GraphApiError
from appliance.core.audit import describe, detail
from appliance.core.health import ERROR, WARN, Check
from appliance.lan.i18n import translate
from tests.support.appliance import RunningAppliance, make_config, start_armed
from tests.support.led import wait_for_pattern
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow

HOLD = 0.5
STAFF = ["+393331234567", "+393337654321"]


class FakeLauncher:
    """Stands in for the broadcast engine's emergency lane; records how it was called."""

    def __init__(self, *, fail: str = "") -> None:
        self.requests = []
        self.threads: list[int] = []
        self.fail = fail
        self.finished = asyncio.Event()
        self.outcome = LaunchOutcome(sent=3, failed=0, expired=0)

    async def launch(self, request):
        self.requests.append(request)
        self.threads.append(threading.get_ident())
        if self.fail:
            raise RuntimeError(self.fail)
        return LaunchResult(f"emergency-{len(self.requests)}", 3)

    async def wait_finished(self, reference):
        await self.finished.wait()
        return self.outcome


def start(tmp_path, **emergency) -> RunningAppliance:
    config = make_config(
        tmp_path, gpio={"hold_seconds": HOLD}, emergency={"test_numbers": STAFF, **emergency}
    )
    return RunningAppliance(config).start()


@pytest.fixture
def app(tmp_path) -> Iterator[RunningAppliance]:
    running = start(tmp_path)
    try:
        yield running
    finally:
        running.stop()


def box(app):
    return app.appliance.parts[BOX]


def hold(app, seconds: float) -> None:
    """Press and release from the test thread, as lgpio's callback thread would on the Pi."""
    pin = box(app).button.pin
    pin.drive_low()
    time.sleep(seconds)
    pin.drive_high()


def italian(detail: str) -> str:
    """A stored detail as the Italian audit log shows it."""
    return str(describe(detail))


def presses(app):
    return app.call(recent_presses(app.appliance.db))[::-1]


def audit(app) -> list[tuple[str, str, str]]:
    rows = app.call(
        app.appliance.db.fetchall(
            "SELECT action, target, detail FROM audit_log WHERE action LIKE 'emergency.%' "
            "ORDER BY id"
        )
    )
    return [tuple(row) for row in rows]


def arm_message(app, **kw):
    return app.call(
        arm(
            app.appliance.db,
            template_name="allerta_protezione_civile",
            language="it",
            parameters=["esondazione del torrente", "via Roma"],
            actor="sindaco",
            **kw,
        )
    )


def register(app, launcher: FakeLauncher | None) -> None:
    """Put the fake in place of the broadcast engine's emergency lane (None: no lane at all)."""

    async def put():
        app.appliance.parts.remove(LAUNCHER)
        if launcher is not None:
            app.appliance.parts.provide(LAUNCHER, launcher)

    app.call(put())


def check(app, key: str) -> Check:
    return next(c for c in app.call(app.appliance.health.snapshot()) if c.key == key)


def test_short_presses_and_bounces_send_nothing(app):
    launcher = FakeLauncher()
    register(app, launcher)
    arm_message(app)
    pin = box(app).button.pin
    for _ in range(5):  # contact bounce: a few microsecond blips, ending released
        pin.drive_low()
        pin.drive_high()
    hold(app, 0.15)
    wait_until(lambda: presses(app))
    time.sleep(HOLD + 0.3)
    [press] = presses(app)
    assert (press.outcome, press.counted, press.source) == ("short", False, "virtual button")
    assert press.held_seconds < HOLD
    [row] = [r for r in audit(app) if r[0] == "emergency.press"]
    assert italian(row[2]).startswith("pressione breve, ignorata, tenuto premuto 0,")
    # A bouncy press that is then held down counts once.
    for _ in range(3):
        pin.drive_low()
        pin.drive_high()
    hold(app, HOLD + 0.3)
    wait_until(lambda: launcher.requests)
    time.sleep(0.3)
    assert len(launcher.requests) == 1
    assert [p.counted for p in presses(app)] == [False, True]


def test_long_press_with_nothing_armed_sends_nothing_and_shows_error(app):
    launcher = FakeLauncher()
    register(app, launcher)
    app.call(box(app).virtual_press(HOLD + 0.3))  # the demo's on-screen button, on the loop
    press = wait_until(lambda: presses(app))[0]
    assert (press.outcome, press.counted) == ("nothing_armed", True)
    wait_for_pattern(box(app).led.pin, BoxState.ERROR)
    assert launcher.requests == []
    [row] = audit(app)
    assert row[0] == "emergency.press" and italian(row[2]).startswith(
        "nessun messaggio di emergenza pronto"
    )
    line = check(app, "emergency")
    assert line.status == ERROR and "nessun messaggio di emergenza pronto" in line.explanation
    assert check(app, "led").status == ERROR


def test_armed_press_launches_once_from_the_loop_then_sending_then_sent(app):
    launcher = FakeLauncher()
    register(app, launcher)
    arm_message(app, follow_up="Seguite le indicazioni della Protezione civile.")
    assert check(app, "emergency").value.startswith("pronto: allerta_protezione_civile")
    hold(app, HOLD + 0.3)
    wait_for_pattern(box(app).led.pin, BoxState.SENDING)
    [request] = launcher.requests
    assert launcher.threads == [app._thread.ident]
    assert request.armed.parameters == ("esondazione del torrente", "via Roma")
    assert request.test_numbers == ()  # not a drill: every active subscriber
    assert request.expires_at - request.pressed_at == timedelta(hours=6)
    [press] = presses(app)
    assert (press.outcome, press.reference, press.recipients) == ("launched", "emergency-1", 3)
    assert check(app, "led").explanation.startswith("Invio dell'emergenza in corso a 3")

    app.loop.call_soon_threadsafe(launcher.finished.set)
    wait_for_pattern(box(app).led.pin, BoxState.SENT)
    [press] = presses(app)
    assert press.outcome == "finished"
    assert italian(press.detail) == "consegnati al servizio 3, non riusciti 0, scaduti 0"
    assert press.finished_at
    # Stored as keys and values, worded in the reader's language when shown.
    armed, launched, finished = [(a, italian(d)) for a, _, d in audit(app)]
    assert armed == ("emergency.armed", "lingua it, 2 segnaposto")
    assert launched[0] == "emergency.press" and re.fullmatch(
        r"emergenza in invio \(3 destinatari, riferimento emergency-1\), tenuto premuto \d+,\d s",
        launched[1],
    )
    assert finished == (
        "emergency.finished",
        "emergenza inviata (consegnati al servizio 3, non riusciti 0, scaduti 0)",
    )


def test_second_press_within_cooldown_sends_nothing_and_double_blinks(app):
    launcher = FakeLauncher()
    register(app, launcher)
    arm_message(app)
    hold(app, HOLD + 0.3)
    wait_until(lambda: launcher.requests)
    hold(app, HOLD + 0.3)
    wait_until(lambda: len(presses(app)) == 2)
    wait_for_pattern(box(app).led.pin, BoxState.COOLDOWN)
    assert len(launcher.requests) == 1
    assert presses(app)[1].outcome == "cooldown"
    detail = audit(app)[-1][2]
    assert italian(detail).startswith(
        "pulsante in pausa dopo l'ultimo invio: non è stato inviato nulla "
        "(ancora 10 minuti di pausa), tenuto premuto"
    )
    assert translate(describe(detail), "en").startswith(
        "button cooling down after the last send: nothing was sent (10 more minutes of cool-down), held"
    )
    assert "in pausa ancora 10 min" in check(app, "emergency").value


def test_cooldown_survives_a_restart(tmp_path):
    launcher = FakeLauncher()
    first = start(tmp_path)
    try:
        register(first, launcher)
        arm_message(first)
        hold(first, HOLD + 0.3)
        wait_until(lambda: launcher.requests)
    finally:
        first.stop()
    second = start(tmp_path)
    try:
        register(second, launcher)
        hold(second, HOLD + 0.3)
        wait_until(lambda: len(presses(second)) == 2)
        assert presses(second)[1].outcome == "cooldown"
        assert len(launcher.requests) == 1
    finally:
        second.stop()


def test_without_a_launcher_a_press_does_not_pretend_success(app):
    register(app, None)  # a build without the broadcast engine
    arm_message(app)
    line = check(app, "emergency")
    assert (line.status, line.value) == (WARN, "invio non disponibile")
    hold(app, HOLD + 0.3)
    press = wait_until(lambda: presses(app))[0]
    assert press.outcome == "unavailable"
    wait_for_pattern(box(app).led.pin, BoxState.ERROR)
    assert italian(audit(app)[-1][2]).startswith(
        "l'invio di emergenza non è disponibile in questa versione"
    )
    line = check(app, "emergency")
    assert line.status == ERROR and "non è disponibile in questa versione" in line.explanation
    led = check(app, "led")
    assert led.status == ERROR and "non è disponibile in questa versione" in led.explanation


def test_a_failed_launch_is_recorded_and_may_be_retried(app):
    launcher = FakeLauncher(fail="emergency lane is full")
    register(app, launcher)
    arm_message(app)
    hold(app, HOLD + 0.3)
    wait_until(lambda: presses(app) and presses(app)[0].outcome == "failed")
    wait_for_pattern(box(app).led.pin, BoxState.ERROR)
    assert "emergency lane is full" in check(app, "emergency").explanation
    launcher.fail = ""
    hold(app, HOLD + 0.3)  # no cool-down: nothing went out the first time
    wait_until(lambda: len(launcher.requests) == 2 and presses(app)[-1].outcome == "launched")


def test_a_drill_goes_to_the_staff_numbers_only(app):
    launcher = FakeLauncher()
    register(app, launcher)
    arm_message(app)
    app.call(set_test_mode(app.appliance.db, True, actor="sindaco"))
    line = check(app, "emergency")
    assert (line.status, line.value) == (WARN, "modalità prova")
    hold(app, HOLD + 0.3)
    wait_until(lambda: launcher.requests)
    assert launcher.requests[0].test_numbers == tuple(STAFF)
    assert presses(app)[0].test_mode is True


def test_a_drill_without_staff_numbers_sends_nothing(tmp_path):
    app = start(tmp_path, test_numbers=[])
    try:
        launcher = FakeLauncher()
        register(app, launcher)
        arm_message(app, test_mode=True)
        hold(app, HOLD + 0.3)
        press = wait_until(lambda: presses(app))[0]
        assert press.outcome == "no_test_numbers" and launcher.requests == []
        # Numbers saved on the page count from the next press, without a restart.
        change = detail("test_number_added", number="+393470000001")
        saved = save_drill_numbers(app.appliance.db, ["+393470000001"], change, "sindaco", "")
        app.call(saved)
        hold(app, HOLD + 0.3)
        wait_until(lambda: launcher.requests)
        assert launcher.requests[0].test_numbers == ("+393470000001",)
    finally:
        app.stop()


def test_shutdown_during_a_hold_closes_everything(tmp_path):
    app = start(tmp_path)
    the_box = box(app)
    button_pin, led_pin = the_box.button.pin, the_box.led.pin
    button_pin.drive_low()
    time.sleep(HOLD / 3)
    app.stop()  # raises if a service failed to stop or a task was left behind
    assert the_box.button is None
    assert led_pin.state is False
    assert not [t for t in threading.enumerate() if t.name == "box-led"]
    assert the_box.factory.pins == {}  # every pin released
    # The autouse verify_cleanup fixture also fails the test if gpiozero's hold thread survived.


def test_led_reason_comes_from_the_real_health_checks(app):
    # Out of the box nothing is armed (and backups are not configured): real warnings, and
    # the button's own is the reason the LED line gives.
    wait_for_pattern(box(app).led.pin, BoxState.DEGRADED)
    first = check(app, "led")
    assert first.status == WARN and first.explanation.startswith("Pulsante di emergenza:")

    async def broken() -> Check:
        return Check("feed", ERROR, "Fonte prova", "ferma", "La fonte non risponde.")

    async def add():
        app.appliance.health.add("feed", broken)

    app.call(add())
    wait_until(lambda: check(app, "led").explanation == "Fonte prova: La fonte non risponde.", 10)


def test_an_expired_token_degrades_the_led_with_the_cloud_api_reason(sim_appliance, simulator):
    client = sim_appliance.appliance.parts[CLOUDAPI]
    simulator.control("settings", {"token_expired": True})
    with pytest.raises(GraphApiError):
        sim_appliance.call(client.phone_number_info())
    wait_for_pattern(box(sim_appliance).led.pin, BoxState.DEGRADED)
    wait_until(lambda: check(sim_appliance, "led").explanation.startswith("API WhatsApp: Meta"))
    simulator.control("settings", {"token_expired": False})
    sim_appliance.call(client.phone_number_info())
    # The error is gone; a warning (nothing armed) is the reason again.
    wait_until(lambda: check(sim_appliance, "led").explanation.startswith("Pulsante di"))


def test_a_press_during_a_cloud_api_outage_is_degraded_not_fast_blink(sim_appliance, simulator):
    launcher = FakeLauncher()
    register(sim_appliance, launcher)
    arm_message(sim_appliance)
    client = sim_appliance.appliance.parts[CLOUDAPI]
    simulator.control("settings", {"token_expired": True})
    with pytest.raises(GraphApiError):
        sim_appliance.call(client.phone_number_info())
    hold(sim_appliance, sim_appliance.config.gpio.hold_seconds + 0.3)
    wait_until(lambda: launcher.requests)
    wait_for_pattern(box(sim_appliance).led.pin, BoxState.DEGRADED)
    led = check(sim_appliance, "led")
    assert led.explanation.startswith("Emergenza in coda ma l'invio è fermo. API WhatsApp:")
    simulator.control("settings", {"token_expired": False})
    sim_appliance.call(client.phone_number_info())
    wait_for_pattern(box(sim_appliance).led.pin, BoxState.SENDING)


def test_a_paused_armed_template_degrades_the_led_and_says_why(sim_appliance, simulator):
    register(sim_appliance, FakeLauncher())
    sim_appliance.call(sim_appliance.appliance.parts[CLOUDAPI].list_templates())
    sim_appliance.call(
        arm(sim_appliance.appliance.db, template_name="emergenza", language="it", actor="sindaco")
    )
    assert check(sim_appliance, "emergency").value == "pronto: emergenza (it)"
    simulator.control("templates/status", {"name": "emergenza", "status": "PAUSED"})
    wait_until(lambda: check(sim_appliance, "emergency").value == "modello non utilizzabile")
    assert "stato PAUSED" in check(sim_appliance, "emergency").explanation
    wait_until(lambda: "stato PAUSED" in check(sim_appliance, "led").explanation)
    wait_for_pattern(box(sim_appliance).led.pin, BoxState.DEGRADED)
    simulator.control("templates/status", {"name": "emergenza", "status": "APPROVED"})
    wait_until(lambda: check(sim_appliance, "emergency").value == "pronto: emergenza (it)")
    simulator.control("templates/category", {"name": "emergenza", "new_category": "MARKETING"})
    wait_until(lambda: "come MARKETING" in check(sim_appliance, "emergency").explanation)


def armed_with_real_lane(tmp_path, simulator, *, drill: bool) -> RunningAppliance:
    """An appliance on the simulator, templates synced, the `emergenza` template armed."""
    config = make_config(
        tmp_path,
        whatsapp={"api_base_url": simulator.url},
        gpio={"hold_seconds": HOLD},
        emergency={"test_numbers": STAFF},
    )
    return start_armed(
        config, simulator, parameters=["frana sulla provinciale"], drill=drill, actor="sindaco"
    )


def staff_got_the_emergency(simulator) -> None:
    """Both staff numbers received the emergency template."""
    sent = wait_until(lambda: len(simulator.messages()) == 2 and simulator.messages(), 60)
    assert {m["to"] for m in sent} == {n.lstrip("+") for n in STAFF}
    assert all(m["body"]["template"]["name"] == "emergenza" for m in sent)


def test_a_drill_goes_through_the_real_emergency_lane_to_the_simulator(tmp_path, simulator):
    app = armed_with_real_lane(tmp_path, simulator, drill=True)
    try:
        hold(app, HOLD + 0.3)
        staff_got_the_emergency(simulator)
        wait_for_pattern(box(app).led.pin, BoxState.SENT, timeout=20)
        [press] = presses(app)
        assert press.outcome == "finished"
        assert italian(press.detail).startswith("consegnati al servizio 2,")
    finally:
        app.stop()


def test_a_press_during_a_running_campaign_overtakes_it(tmp_path, simulator):
    """The button's emergency reaches citizens while a campaign is still sending."""
    import httpx

    from appliance.lan.tokens import create_token

    simulator.settings.tier = 0  # a verified business: no daily limit in the way here
    people = 800
    app = armed_with_real_lane(tmp_path, simulator, drill=False)
    try:
        rows = [(f"39333{n:07d}",) for n in range(1, people + 1)]
        app.call(
            app.appliance.db.executemany(
                "INSERT INTO subscribers (wa_id, status, subscribed_at)"
                " VALUES (?, 'active', '2026-01-01')",
                rows,
            )
        )
        token = app.call(create_token(app.appliance.db, "test", "operator", "test"))
        with httpx.Client(
            base_url=app.lan_url + "/api/v1", headers={"Authorization": f"Bearer {token}"}
        ) as api:
            body = {
                "name": "Avviso",
                "template": {
                    "name": "avviso_servizio",
                    "language": "it",
                    "parameters": ["Via Roma", "12/10"],
                },
            }
            campaign = api.post("/campaigns", json=body).json()["id"]
            assert api.post(f"/campaigns/{campaign}/send").json()["status"] == "sending"

        def names():
            return [m["body"]["template"]["name"] for m in simulator.messages()]

        wait_until(lambda: names().count("avviso_servizio") >= 20)
        hold(app, HOLD + 0.3)
        wait_until(lambda: "emergenza" in names(), timeout=30)
        sent = names()
        first = sent.index("emergenza")
        # The campaign had not finished when the emergency went out, and it goes on after it.
        assert sent[:first].count("avviso_servizio") < people
        wait_until(lambda: names().count("emergenza") == people, timeout=60)
        wait_until(lambda: names().count("avviso_servizio") == people, timeout=60)
    finally:
        app.stop()


def test_a_press_during_an_outage_is_sent_when_the_api_returns(tmp_path, simulator):
    """Through the real emergency lane: queued while Meta answers 503, sent once it recovers."""
    app = armed_with_real_lane(tmp_path, simulator, drill=True)
    try:
        simulator.control("faults", {"fail_status": 503, "fail_count": -1})
        hold(app, HOLD + 0.3)
        wait_until(lambda: presses(app) and presses(app)[0].outcome != "", timeout=20)
        time.sleep(2)  # the outage lasts: nothing may be accepted meanwhile
        assert simulator.messages() == []
        simulator.control("faults", method="DELETE")
        staff_got_the_emergency(simulator)
    finally:
        app.stop()
