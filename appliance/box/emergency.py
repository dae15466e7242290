"""Button events become presses: cool-down, armed message, launch; every press is recorded."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from appliance.box import presses
from appliance.box.armed import ArmedMessage, read_armed
from appliance.box.button import BOUNCE_SECONDS, ButtonEvent, Edge
from appliance.box.launcher import (
    LAUNCHER,
    EmergencyLauncher,
    EmergencyRequest,
    LaunchOutcome,
    LaunchResult,
)
from appliance.box.patterns import BoxState
from appliance.box.presses import OUTCOMES
from appliance.box.state import EMERGENCY_CHECK, EmergencyView
from appliance.cloudapi.templates import TEMPLATES
from appliance.core.formats import to_local
from appliance.core.health import ERROR, OK, WARN, Check
from appliance.core.services import cancel_and_wait

if TYPE_CHECKING:
    from appliance.core.context import Appliance

log = logging.getLogger(__name__)

# How long the LED shows the result of a press (sent, cool-down, error) before the health state.
NOTICE_SECONDS = 60.0
# A press turned away by the cool-down says so briefly: a send in progress is the bigger news.
COOLDOWN_NOTICE_SECONDS = 15.0
# Extra time granted to the engine's completion report beyond the emergency's own expiry.
FINISH_GRACE = timedelta(minutes=5)
# At shutdown, how long a press being handled (a launch in progress) may take to complete.
STOP_GRACE = 5.0
TITLE = "Pulsante di emergenza"


def _local_time(iso: str) -> str:
    return to_local(iso).strftime("%H:%M")


class EmergencyController:
    """Owns the button's meaning; runs in the event loop only."""

    def __init__(
        self, appliance: Appliance, *, source: str, address: str, on_change: Callable[[], None]
    ) -> None:
        self._appliance = appliance
        self._db = appliance.db
        self._source = source  # "button", or "virtual button" with the mock pins
        self._address = address  # the pin, e.g. "GPIO17"
        self._on_change = on_change
        emergency = appliance.config.emergency
        self._cooldown = float(emergency.cooldown_seconds)
        self._expiry = timedelta(hours=emergency.expiry_hours)
        self._test_numbers = tuple(emergency.test_numbers)
        self._events: asyncio.Queue[ButtonEvent | None] = asyncio.Queue()
        self._pressed_at: float | None = None
        self._held = False
        self._cooldown_until = 0.0  # time.monotonic()
        self._sending: LaunchResult | None = None
        self._sending_drill = False
        self._notice: EmergencyView | None = None
        self._notice_until = 0.0
        self._consumer: asyncio.Task[None] | None = None
        self._follower: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Resume a cool-down that survived a restart, then start handling events."""
        launch = await presses.last_launch(self._db)
        if launch is not None:
            since = (datetime.now(UTC) - datetime.fromisoformat(launch.at)).total_seconds()
            if 0 <= since < self._cooldown:
                self._cooldown_until = time.monotonic() + self._cooldown - since
        self._consumer = asyncio.create_task(self._consume(), name="box-emergency")

    async def stop(self) -> None:
        """Finish the events already queued (a launch in progress completes), stop following."""
        if self._consumer is not None:
            self._events.put_nowait(None)
            try:
                await asyncio.wait_for(self._consumer, STOP_GRACE)
            except TimeoutError:
                log.error("emergency button: queued events not handled within %g s", STOP_GRACE)
        await cancel_and_wait(self._follower)  # the engine carries on with the emergency
        self._consumer = self._follower = None

    def handle(self, event: ButtonEvent) -> None:
        """Queue a button event; loop only (the button hands events over with call_soon_threadsafe)."""
        self._events.put_nowait(event)

    def view(self) -> EmergencyView:
        """What the LED should say about the button right now (the latest news first)."""
        if self._notice is not None and time.monotonic() < self._notice_until:
            return self._notice
        if self._sending is not None:
            drill = " (prova)" if self._sending_drill else ""
            return EmergencyView(
                BoxState.SENDING,
                f"Invio dell'emergenza in corso a {self._sending.recipients} destinatari{drill}",
                f"Sending the emergency to {self._sending.recipients} recipients",
            )
        return EmergencyView()

    # -- events ----------------------------------------------------------------------------

    async def _consume(self) -> None:
        while (event := await self._events.get()) is not None:
            try:
                await self._on_event(event)
            except Exception:  # noqa: BLE001 - the button must keep working after any failure
                log.exception("emergency button: handling %s failed", event.edge)
                self._show(
                    BoxState.ERROR, "Errore interno del pulsante di emergenza", "internal error"
                )

    async def _on_event(self, event: ButtonEvent) -> None:
        if event.edge is Edge.PRESSED:
            self._pressed_at, self._held = event.at, False
        elif event.edge is Edge.HELD and self._pressed_at is not None and not self._held:
            self._held = True
            await self._counted(event.at - self._pressed_at)
        elif event.edge is Edge.RELEASED and self._pressed_at is not None:
            held, counted = event.at - self._pressed_at, self._held
            self._pressed_at, self._held = None, False
            if counted:
                return
            if held < BOUNCE_SECONDS:
                log.info("emergency button: bounce of %.3f s ignored", held)
                return
            log.info("emergency button: short press of %.2f s ignored", held)
            await self._record(held, counted=False, outcome="short")

    async def _counted(self, held: float) -> None:
        """A long press: send the armed message unless something says no."""
        log.warning("emergency button: long press (%.1f s)", held)
        now = time.monotonic()
        if now < self._cooldown_until:
            minutes = max(1, round((self._cooldown_until - now) / 60))
            await self._record(held, counted=True, outcome="cooldown", detail=f"{minutes} min left")
            self._show(
                BoxState.COOLDOWN,
                f"Pulsante in pausa per altri {minutes} minuti dopo l'ultimo invio: "
                "questa pressione non ha inviato nulla",
                f"Cool-down for {minutes} more minutes: this press sent nothing",
                COOLDOWN_NOTICE_SECONDS,
            )
            return
        armed = await read_armed(self._db)
        launcher: EmergencyLauncher | None = self._appliance.parts.get(LAUNCHER)
        if armed is None:
            refusal = "nothing_armed"
        elif armed.test_mode and not self._test_numbers:
            refusal = "no_test_numbers"
        elif launcher is None:
            refusal = "unavailable"
        else:
            await self._launch(held, armed, launcher)
            return
        await self._record(held, counted=True, outcome=refusal, armed=armed)
        self._show(BoxState.ERROR, *OUTCOMES[refusal])

    async def _launch(self, held: float, armed: ArmedMessage, launcher: EmergencyLauncher) -> None:
        # The cool-down starts before the first await, so no second press can slip in.
        self._cooldown_until = time.monotonic() + self._cooldown
        press_id = await self._record(held, counted=True, outcome="launching", armed=armed)
        pressed_at = datetime.now(UTC)
        request = EmergencyRequest(
            press_id=press_id,
            armed=armed,
            test_numbers=self._test_numbers if armed.test_mode else (),
            pressed_at=pressed_at,
            expires_at=pressed_at + self._expiry,
        )
        try:
            result = await launcher.launch(request)
        except Exception as err:  # noqa: BLE001 - whatever the engine raised, the press is recorded
            log.exception("emergency launch failed")
            self._cooldown_until = 0.0  # nothing went out: a new press may try again
            await self._update(press_id, "failed", str(err), "emergency.press")
            self._show(BoxState.ERROR, f"{OUTCOMES['failed'][0]}: {err}", f"sending failed: {err}")
            return
        self._sending, self._sending_drill = result, armed.test_mode
        self._notice = None  # older news than the send
        self._on_change()
        await self._update(
            press_id,
            "launched",
            f"{result.recipients} recipient(s), reference {result.reference}",
            "emergency.press",
            reference=result.reference,
            recipients=result.recipients,
        )
        self._follower = asyncio.create_task(
            self._follow(press_id, launcher, result, request.expires_at + FINISH_GRACE),
            name="box-emergency-follow",
        )

    async def _follow(
        self,
        press_id: int,
        launcher: EmergencyLauncher,
        result: LaunchResult,
        give_up_at: datetime,
    ) -> None:
        """Wait for the engine to finish the emergency, then record and show how it went."""
        try:
            async with asyncio.timeout((give_up_at - datetime.now(UTC)).total_seconds()):
                outcome: LaunchOutcome = await launcher.wait_finished(result.reference)
        except Exception as err:  # noqa: BLE001 - timeouts and engine errors end the same way
            reason = str(err) or "no completion report before the expiry"
            await self._update(press_id, "failed", reason, "emergency.finished", finished=True)
            self._show(BoxState.ERROR, f"{OUTCOMES['failed'][0]}: {reason}", f"failed: {reason}")
            return
        finally:
            self._sending = None
        counts = f"sent {outcome.sent}, failed {outcome.failed}, expired {outcome.expired}"
        if outcome.sent == 0 and result.recipients > 0:
            self._cooldown_until = 0.0  # nobody received it: a new press may try again
            await self._update(press_id, "failed", counts, "emergency.finished", finished=True)
            self._show(
                BoxState.ERROR,
                f"L'emergenza non è arrivata a nessuno ({counts})",
                f"Nobody received the emergency ({counts})",
            )
            return
        await self._update(press_id, "finished", counts, "emergency.finished", finished=True)
        self._show(
            BoxState.SENT,
            f"Emergenza inviata: {outcome.sent} consegnati al servizio, {outcome.failed} falliti, "
            f"{outcome.expired} scaduti",
            f"Emergency sent ({counts})",
        )

    # -- helpers ---------------------------------------------------------------------------

    def _show(
        self, state: BoxState, reason_it: str, reason_en: str, seconds: float = NOTICE_SECONDS
    ) -> None:
        self._notice = EmergencyView(state, reason_it, reason_en)
        self._notice_until = time.monotonic() + seconds
        self._on_change()

    async def _record(
        self,
        held: float,
        *,
        counted: bool,
        outcome: str,
        detail: str = "",
        armed: ArmedMessage | None = None,
    ) -> int:
        return await presses.record_press(
            self._db,
            source=self._source,
            address=self._address,
            held_seconds=round(held, 2),
            counted=counted,
            outcome=outcome,
            detail=detail,
            armed=armed,
        )

    async def _update(self, press_id: int, outcome: str, detail: str, action: str, **kw) -> None:
        await presses.update_press(
            self._db,
            press_id,
            outcome=outcome,
            detail=detail,
            actor=self._source,
            address=self._address,
            action=action,
            **kw,
        )

    # -- the dashboard line ----------------------------------------------------------------

    async def probe(self) -> Check:
        """The "emergency" line: a press that sent nothing, or whether a press would work now."""
        decisive = await presses.last_decisive(self._db)
        armed = await read_armed(self._db)
        if (
            decisive is not None
            and decisive.outcome in presses.FAILURES
            and datetime.now(UTC) - datetime.fromisoformat(decisive.at) < self._expiry
            and (armed is None or armed.armed_at < decisive.at)
        ):
            return Check(
                EMERGENCY_CHECK,
                ERROR,
                TITLE,
                f"premuto alle {_local_time(decisive.at)}, non inviato",
                f"Il pulsante di emergenza è stato premuto alle {_local_time(decisive.at)} ma "
                f"{OUTCOMES[decisive.outcome][0]}"
                f"{f' ({decisive.detail})' if decisive.detail else ''}. "
                "Avvisare la popolazione in un altro modo e controllare la pagina Emergenza.",
            )
        if armed is None:
            return Check(
                EMERGENCY_CHECK,
                WARN,
                TITLE,
                "nessun messaggio pronto",
                "Premendo il pulsante non verrebbe inviato nulla: preparare il messaggio di "
                "emergenza nella pagina Emergenza.",
            )
        unusable = self._template_problem(armed)
        if unusable:
            return Check(
                EMERGENCY_CHECK,
                WARN,
                TITLE,
                "modello non utilizzabile",
                f"Il modello di emergenza «{armed.template_name}» {unusable}: premendo il "
                "pulsante l'invio non andrebbe a buon fine o costerebbe come marketing. "
                "Scegliere un altro modello nella pagina Emergenza.",
            )
        if self._appliance.parts.get(LAUNCHER) is None:
            return Check(
                EMERGENCY_CHECK,
                WARN,
                TITLE,
                "invio non disponibile",
                "Questa versione non sa ancora inviare l'emergenza: premendo il pulsante non "
                "verrebbe inviato nulla. Avvisare la popolazione in un altro modo.",
            )
        if armed.test_mode:
            missing = "" if self._test_numbers else " Nessun numero di prova è configurato."
            return Check(
                EMERGENCY_CHECK,
                WARN,
                TITLE,
                "modalità prova",
                "Il pulsante invia solo ai numeri di prova del personale ([emergency] "
                f"test_numbers), non alla popolazione.{missing} Togliere la modalità prova "
                "dopo l'esercitazione.",
            )
        value = f"pronto: {armed.template_name} ({armed.language})"
        left = self._cooldown_until - time.monotonic()
        if left > 0:
            value += f", in pausa ancora {max(1, round(left / 60))} min"
        return Check(EMERGENCY_CHECK, OK, TITLE, value)

    def _template_problem(self, armed: ArmedMessage) -> str:
        """Why Meta's latest word on the armed template makes it unfit, or "" (also if unknown)."""
        catalog = self._appliance.parts.get(TEMPLATES)
        known = catalog.get(armed.template_name, armed.language) if catalog else None
        if known is None:
            return ""
        if known["status"] != "APPROVED":
            return f"non è approvato da Meta (stato {known['status'] or 'sconosciuto'})"
        if known["category"] != "UTILITY":
            return f"è stato classificato da Meta come {known['category']}, non più UTILITY"
        if known.get("last_event") == "FLAGGED":
            return "è segnalato da Meta per bassa qualità e potrebbe essere sospeso a breve"
        return ""
