"""The interface the broadcast engine implements so that a counted press sends the emergency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from appliance.box.armed import ArmedMessage
from appliance.core.parts import PartKey

# Provided by the broadcast engine; absent, the box records presses but cannot send.
LAUNCHER: PartKey[EmergencyLauncher] = PartKey("emergency")


@dataclass(frozen=True)
class EmergencyRequest:
    """One counted press: what to send, to whom, and until when it is still worth sending."""

    press_id: int  # emergency_presses.id
    armed: ArmedMessage
    # Drills: send only to these staff numbers; empty means every active subscriber.
    test_numbers: tuple[str, ...]
    pressed_at: datetime  # UTC
    expires_at: datetime  # UTC; nothing may go out after it


@dataclass(frozen=True)
class LaunchResult:
    """The emergency is queued on the emergency lane."""

    reference: str  # the broadcast's id, shown in the audit log and the Emergency page
    recipients: int


@dataclass(frozen=True)
class LaunchOutcome:
    """How the emergency ended: every recipient sent, failed or expired."""

    sent: int
    failed: int
    expired: int


class EmergencyLauncher(Protocol):
    """The emergency lane of the broadcast engine, as the box sees it."""

    async def launch(self, request: EmergencyRequest) -> LaunchResult:
        """Queue the emergency ahead of everything else; return once it is durably queued."""
        ...

    async def wait_finished(self, reference: str) -> LaunchOutcome:
        """Return when every recipient of the emergency is sent, failed or expired."""
        ...
