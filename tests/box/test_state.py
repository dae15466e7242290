"""decide(): the box state and its reason from the health checks and the emergency button."""

from __future__ import annotations

import pytest

from appliance.box.patterns import BoxState
from appliance.box.state import EmergencyView, decide
from appliance.core.health import ERROR, OK, UNKNOWN, WARN, Check

pytestmark = pytest.mark.fast

FINE = [Check("version", OK, "Versione", "0.1.0"), Check("disk", OK, "Disco", "9 GB liberi")]
TOKEN = Check("cloudapi", ERROR, "Cloud API", "token scaduto", "Il token non è più valido: …")
DISK = Check("disk", WARN, "Disco", "1 GB liberi (5%)", "Il disco è quasi pieno.")
PRESSED_FOR_NOTHING = Check("emergency", ERROR, "Pulsante", "non inviato", "Nessun messaggio.")
SENDING = EmergencyView(BoxState.SENDING, "Invio in corso", "Sending")


def test_all_fine_is_healthy():
    assert decide(FINE, EmergencyView()).state is BoxState.HEALTHY


def test_a_warning_degrades_with_its_explanation_as_reason():
    status = decide([*FINE[:1], DISK], EmergencyView())
    assert status.state is BoxState.DEGRADED
    assert status.reason_it == "Disco: Il disco è quasi pieno."
    assert "disk" in status.reason_en and status.source == "disk"


def test_an_error_wins_over_a_warning_as_the_reason():
    status = decide([DISK, TOKEN], EmergencyView())
    assert (status.state, status.source) == (BoxState.DEGRADED, "cloudapi")


def test_a_probe_that_failed_to_answer_does_not_degrade():
    assert decide([*FINE, Check("x", UNKNOWN, "X", "?")], EmergencyView()).state is BoxState.HEALTHY


def test_the_led_check_is_an_output_not_an_input():
    led = Check("led", ERROR, "Spia", "triplo lampo")
    assert decide([*FINE, led], EmergencyView()).state is BoxState.HEALTHY


def test_a_press_that_sent_nothing_shows_the_error_pattern():
    status = decide([DISK, PRESSED_FOR_NOTHING], EmergencyView())
    assert (status.state, status.source) == (BoxState.ERROR, "emergency")


@pytest.mark.parametrize("state", [BoxState.SENT, BoxState.COOLDOWN, BoxState.ERROR])
def test_the_button_outcome_overrides_health(state):
    status = decide([TOKEN], EmergencyView(state, "motivo", "reason"))
    assert (status.state, status.reason_it, status.reason_en) == (state, "motivo", "reason")


def test_sending_shows_fast_blink_despite_a_warning():
    assert decide([DISK], SENDING).state is BoxState.SENDING


def test_sending_while_the_cloud_api_fails_is_degraded_not_fast_blink():
    status = decide([*FINE, TOKEN], SENDING)
    assert status.state is BoxState.DEGRADED
    assert status.reason_it.startswith("Emergenza in coda") and "token" in status.reason_it


def test_among_warnings_the_buttons_own_is_the_reason():
    nothing_armed = Check("emergency", WARN, "Pulsante", "nessun messaggio pronto", "Preparare…")
    status = decide([DISK, nothing_armed], EmergencyView())
    assert (status.state, status.source) == (BoxState.DEGRADED, "emergency")
    assert decide([nothing_armed, TOKEN], EmergencyView()).source == "cloudapi"
