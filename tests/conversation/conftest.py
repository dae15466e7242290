"""Fixtures: the simulator and an appliance wired to it, for conversation tests."""

from __future__ import annotations

import itertools

import pytest

from tests.conversation.citizen import Citizen, conversation_config, start_appliance
from tests.e2e.conftest import (  # noqa: F401 - the browser fixtures of the shell's tests
    axe,
    browser_type_launch_args,
)

_numbers = itertools.count(393330000001)


@pytest.fixture
def bot(tmp_path, simulator):
    """The running appliance talking to the simulator."""
    app = start_appliance(conversation_config(tmp_path, simulator), simulator)
    try:
        yield app
    finally:
        app.stop()


@pytest.fixture
def citizen(simulator, bot):
    """A new citizen writing to ``bot``."""
    return Citizen(simulator, str(next(_numbers)))


@pytest.fixture
def new_citizen(simulator, bot):
    """A factory of further citizens."""
    return lambda name="Luca Bianchi": Citizen(simulator, str(next(_numbers)), name)
