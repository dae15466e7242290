"""Waiting on observable state: poll a condition until it holds, fail saying what was awaited."""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from typing import Any


def wait_until(
    condition: Callable[[], Any], timeout: float = 30, *, what: str = "", interval: float = 0.05
) -> Any:
    """Poll ``condition()`` until it returns something truthy (returned); fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what or _described(condition)}")
        time.sleep(interval)


def _described(condition: Callable[[], Any]) -> str:
    """The condition's own source line when no ``what`` was given (a lambda names itself badly)."""
    try:
        return " ".join(inspect.getsource(condition).split())
    except (OSError, TypeError):
        return repr(condition)
