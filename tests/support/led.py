"""Reading an LED pattern back from a gpiozero mock pin's history."""

from __future__ import annotations

import time

from appliance.box.patterns import PATTERNS, BoxState
from appliance.box.state import TICK_SECONDS


def on_off_pairs(states) -> list[tuple[float, float]]:
    """Complete (on seconds, off seconds) pairs from a MockPin ``states`` history."""
    # Each PinState's timestamp is the time since the previous change: the length of the
    # previous state. The first and the last states have no known length.
    lengths = [(states[i].state, states[i + 1].timestamp) for i in range(len(states) - 1)]
    while lengths and not lengths[0][0]:
        lengths.pop(0)
    return [
        (lengths[i][1], lengths[i + 1][1])
        for i in range(0, len(lengths) - 1, 2)
        if lengths[i][0] and not lengths[i + 1][0]
    ]


def _expected(state: BoxState) -> list[tuple[float, float]]:
    steps = PATTERNS[state].steps
    if PATTERNS[state].per_tick:
        return [(steps[0], TICK_SECONDS - steps[0])]
    return [(steps[i], steps[i + 1]) for i in range(0, len(steps), 2)]


def _distance(observed: list[tuple[float, float]], state: BoxState) -> float:
    """Mean relative mismatch of ``observed`` against the best rotation of ``state``'s cycle."""
    cycle = _expected(state)
    best = float("inf")
    for shift in range(len(cycle)):
        total = 0.0
        for k, (on, off) in enumerate(observed):
            want_on, want_off = cycle[(shift + k) % len(cycle)]
            total += abs(on - want_on) / (want_on + 0.05) + abs(off - want_off) / (want_off + 0.05)
        best = min(best, total / (2 * len(observed)))
    return best


def classify(pairs: list[tuple[float, float]]) -> BoxState | None:
    """The pattern closest to the last full cycle of ``pairs`` (None while too little is seen)."""
    candidates = [s for s in PATTERNS if PATTERNS[s].steps]
    window = max(len(_expected(s)) for s in candidates)  # one full cycle of the longest
    if len(pairs) < window:
        return None
    observed = pairs[-window:]
    state = min(candidates, key=lambda s: _distance(observed, s))
    return state if _distance(observed, state) < 0.35 else None


def wait_for_pattern(pin, state: BoxState, timeout: float = 10.0) -> None:
    """Wait until the pin, sampled from now on, plays ``state``'s pattern (or stays off for OFF)."""
    start = len(pin.states)
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        time.sleep(0.1)
        if state is BoxState.OFF:
            changes = len(pin.states)
            time.sleep(2 * TICK_SECONDS)
            if not pin.state and len(pin.states) == changes:
                return
            continue
        seen = classify(on_off_pairs(list(pin.states[start:])))
        if seen is state:
            return
    raise AssertionError(f"LED did not show {state} within {timeout} s (last seen: {seen})")
