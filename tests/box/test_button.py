"""The button's hand-off: gpiozero threads to the event loop, and closing mid-hold."""

from __future__ import annotations

import asyncio
import threading

import pytest

from appliance.box.button import Edge, EmergencyButton

# In the fast subset: the unit-level tests and one real appliance per capability.

BUTTON_PIN = 17


def recorder():
    events: list[tuple[Edge, int]] = []
    return events, lambda event: events.append((event.edge, threading.get_ident()))


@pytest.mark.fast
async def test_edges_and_the_hold_arrive_in_order_on_the_loop_thread(mock_pins):
    events, on_event = recorder()
    loop = asyncio.get_running_loop()
    button = EmergencyButton(BUTTON_PIN, hold_seconds=0.5, loop=loop, on_event=on_event)
    pin = mock_pins.pin(BUTTON_PIN)
    # Driven from another thread, as lgpio's callback thread does on the Pi.
    await asyncio.to_thread(pin.drive_low)
    await asyncio.sleep(0.8)
    await asyncio.to_thread(pin.drive_high)
    await asyncio.sleep(0.05)
    await asyncio.to_thread(button.close)
    assert [edge for edge, _ in events] == [Edge.PRESSED, Edge.HELD, Edge.RELEASED]
    assert {thread for _, thread in events} == {threading.get_ident()}


@pytest.mark.fast
async def test_a_short_press_never_becomes_a_hold(mock_pins):
    events, on_event = recorder()
    button = EmergencyButton(
        BUTTON_PIN, hold_seconds=0.5, loop=asyncio.get_running_loop(), on_event=on_event
    )
    pin = mock_pins.pin(BUTTON_PIN)
    pin.drive_low()
    await asyncio.sleep(0.2)
    pin.drive_high()
    await asyncio.sleep(0.6)
    await asyncio.to_thread(button.close)
    assert [edge for edge, _ in events] == [Edge.PRESSED, Edge.RELEASED]


async def test_closing_during_a_hold_is_quiet_and_leaves_no_thread(mock_pins):
    events, on_event = recorder()
    before = set(threading.enumerate())
    button = EmergencyButton(
        BUTTON_PIN, hold_seconds=1.0, loop=asyncio.get_running_loop(), on_event=on_event
    )
    mock_pins.pin(BUTTON_PIN).drive_low()
    await asyncio.sleep(0.3)
    await asyncio.to_thread(button.close)
    await asyncio.sleep(1.0)  # past the hold time: the hold must not fire after the close
    assert [edge for edge, _ in events] == [Edge.PRESSED]
    # gpiozero's hold thread is gone (the loop's executor threads are the loop's own).
    started = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    assert not [t for t in started if not t.name.startswith("asyncio_")]
