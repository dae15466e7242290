"""The status LED on a mock pin: each pattern as defined, the watchdog, and off at close."""

from __future__ import annotations

import contextlib
import threading
import time

import pytest

from appliance.box.led import StatusLed
from appliance.box.patterns import PATTERNS, BoxState
from appliance.box.state import TICK_SECONDS
from tests.support.led import classify, wait_for_pattern

LED_PIN = 27


@contextlib.contextmanager
def ticking(led: StatusLed):
    """Stand-in for the event loop: tick the LED once a second until the block ends."""
    stop = threading.Event()

    def run():
        while not stop.is_set():
            led.tick()
            stop.wait(TICK_SECONDS)

    thread = threading.Thread(target=run, name="test-ticker")
    thread.start()
    try:
        yield stop
    finally:
        stop.set()
        thread.join()


@pytest.fixture
def led(mock_pins):
    led = StatusLed(LED_PIN, watchdog_seconds=1.5)
    led.start()
    yield led
    led.close()


@pytest.mark.slow
@pytest.mark.parametrize("state", [s for s in BoxState if s is not BoxState.OFF])
def test_each_pattern_plays_as_defined(led, mock_pins, state):
    pin = mock_pins.pin(LED_PIN)
    with ticking(led):
        led.show(state)
        wait_for_pattern(pin, state)
        assert led.showing is state


@pytest.mark.fast
def test_classifier_tells_the_patterns_apart():
    # The helper the other LED tests rely on must not confuse two patterns with each other.
    for state, pattern in PATTERNS.items():
        if not pattern.steps:
            continue
        steps = pattern.steps if not pattern.per_tick else (0.08, TICK_SECONDS - 0.08)
        pairs = [(steps[i], steps[i + 1]) for i in range(0, len(steps), 2)] * 4
        assert classify(pairs) is state


@pytest.mark.fast
def test_close_turns_the_led_off_even_mid_flash(mock_pins):
    led = StatusLed(LED_PIN)
    led.start()
    pin = mock_pins.pin(LED_PIN)
    with ticking(led):
        led.show(BoxState.SENDING)
        deadline = time.monotonic() + 2
        while not pin.state and time.monotonic() < deadline:
            time.sleep(0.005)
        assert pin.state, "the fast blink never lit the LED"
        led.close()
    assert pin.state is False
    assert not [t for t in threading.enumerate() if t.name == "box-led"]


@pytest.mark.fast
def test_heartbeat_is_driven_by_ticks_only(led, mock_pins):
    pin = mock_pins.pin(LED_PIN)
    led.show(BoxState.HEALTHY)
    time.sleep(0.1)  # let the LED thread take up the new pattern before the first tick
    start = len(pin.states)
    for _ in range(3):
        led.tick()
        time.sleep(0.3)
    # Three ticks, three short flashes: the loop, not a timer, makes the heartbeat.
    history = pin.states[start:]
    flashes = [history[i + 1].timestamp for i in range(len(history) - 1) if history[i].state]
    assert len(flashes) == 3
    assert all(on < 0.2 for on in flashes)
    assert pin.state is False


@pytest.mark.fast
def test_on_phases_are_short_so_a_killed_process_rarely_leaves_the_led_on():
    # The pin keeps its level when the process dies; the heartbeat, the state the box spends
    # nearly all its life in, must be lit under a tenth of the time.
    heartbeat = PATTERNS[BoxState.HEALTHY]
    assert heartbeat.per_tick and sum(heartbeat.steps) / TICK_SECONDS <= 0.1
