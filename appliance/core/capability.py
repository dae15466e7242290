"""Capabilities and their declared order: what each needs set up (and started) before it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from appliance.core.context import Appliance


class WiringError(Exception):
    """The capabilities are listed in an order that breaks what one of them declares."""


@dataclass(frozen=True)
class Capability:
    """One capability's setup; its services start in setup order, after those of ``requires``."""

    name: str
    setup: Callable[[Appliance], None]
    # Set up before this one: it reads their parts or needs their services running.
    requires: tuple[str, ...] = ()
    # Set up after this one when installed: they read what this one changes (demo: the config).
    before: tuple[str, ...] = ()


def check_order(capabilities: Sequence[Capability]) -> None:
    """Raise WiringError naming both capabilities when the order breaks a declaration."""
    position = {c.name: i for i, c in enumerate(capabilities)}
    for i, capability in enumerate(capabilities):
        for needed in capability.requires:
            if needed not in position:
                raise WiringError(f"{capability.name} requires {needed}, which is not set up")
            if position[needed] > i:
                raise WiringError(
                    f"{capability.name} requires {needed} to be set up before it,"
                    f" but {needed} comes after {capability.name}"
                )
        for later in capability.before:
            if position.get(later, len(capabilities)) < i:
                raise WiringError(
                    f"{capability.name} must be set up before {later}, but {later} comes first"
                )


def setup_all(appliance: Appliance, capabilities: Sequence[Capability]) -> None:
    """Check the order, then set up each capability in it."""
    check_order(capabilities)
    for capability in capabilities:
        capability.setup(appliance)
