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
from appliance.box.drills import read_drill_numbers
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
from appliance.core import audit
from appliance.core.formats import to_local
from appliance.core.health import ERROR, OK, WARN, Check
from appliance.core.services import cancel_and_wait
from appliance.core.text import N_, N_plural, Text

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
TITLE = N_("Pulsante di emergenza")


def _failed(reason: object) -> Text:
    """The failure outcome in words, then the engine's own (not translated)."""
    return Text("{outcome}: {reason}", {"outcome": Text(OUTCOMES["failed"][0]), "reason": reason})


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
            await self._record(
                held,
                counted=True,
                outcome="cooldown",
                detail=audit.detail("cooldown_left", n=minutes),
            )
            self._show(
                BoxState.COOLDOWN,
                N_plural(
                    "Pulsante in pausa per un altro minuto dopo l'ultimo invio: questa "
                    "pressione non ha inviato nulla",
                    "Pulsante in pausa per altri {n} minuti dopo l'ultimo invio: questa "
                    "pressione non ha inviato nulla",
                    minutes,
                ),
                f"Cool-down for {minutes} more minutes: this press sent nothing",
                COOLDOWN_NOTICE_SECONDS,
            )
            return
        armed = await read_armed(self._db)
        launcher: EmergencyLauncher | None = self._appliance.parts.get(LAUNCHER)
        # Read at each press: numbers saved on the page a moment ago already count.
        numbers = await self._drill_numbers() if armed and armed.test_mode else ()
        if armed is None:
            refusal = "nothing_armed"
        elif armed.test_mode and not numbers:
            refusal = "no_test_numbers"
        elif launcher is None:
            refusal = "unavailable"
        else:
            await self._launch(held, armed, launcher, numbers)
            return
        await self._record(held, counted=True, outcome=refusal, armed=armed)
        self._show(BoxState.ERROR, *OUTCOMES[refusal])

    async def _launch(
        self,
        held: float,
        armed: ArmedMessage,
        launcher: EmergencyLauncher,
        test_numbers: tuple[str, ...],
    ) -> None:
        # The cool-down starts before the first await, so no second press can slip in.
        self._cooldown_until = time.monotonic() + self._cooldown
        press_id = await self._record(held, counted=True, outcome="launching", armed=armed)
        pressed_at = datetime.now(UTC)
        request = EmergencyRequest(
            press_id=press_id,
            armed=armed,
            test_numbers=test_numbers,
            pressed_at=pressed_at,
            expires_at=pressed_at + self._expiry,
        )
        try:
            result = await launcher.launch(request)
        except Exception as err:  # noqa: BLE001 - whatever the engine raised, the press is recorded
            log.exception("emergency launch failed")
            self._cooldown_until = 0.0  # nothing went out: a new press may try again
            await self._update(press_id, "failed", str(err), "emergency.press")
            self._show(BoxState.ERROR, _failed(err), f"sending failed: {err}")
            return
        self._sending, self._sending_drill = result, armed.test_mode
        self._notice = None  # older news than the send
        self._on_change()
        await self._update(
            press_id,
            "launched",
            audit.detail("launched", n=result.recipients, reference=result.reference),
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
            stored = str(err) or audit.detail("no_report")
            await self._update(press_id, "failed", stored, "emergency.finished", finished=True)
            reason = audit.describe(stored)
            self._show(BoxState.ERROR, _failed(reason), f"failed: {reason}")
            return
        finally:
            self._sending = None
        counts = f"sent {outcome.sent}, failed {outcome.failed}, expired {outcome.expired}"
        stored = audit.detail(
            "delivery", sent=outcome.sent, failed=outcome.failed, expired=outcome.expired
        )
        if outcome.sent == 0 and result.recipients > 0:
            self._cooldown_until = 0.0  # nobody received it: a new press may try again
            await self._update(press_id, "failed", stored, "emergency.finished", finished=True)
            self._show(
                BoxState.ERROR,
                N_(
                    "L'emergenza non è arrivata a nessuno (inviati {sent}, falliti {failed}, "
                    "scaduti {expired})",
                    sent=outcome.sent,
                    failed=outcome.failed,
                    expired=outcome.expired,
                ),
                f"Nobody received the emergency ({counts})",
            )
            return
        await self._update(press_id, "finished", stored, "emergency.finished", finished=True)
        self._show(
            BoxState.SENT,
            N_(
                "Emergenza inviata: {sent} consegnati al servizio, {failed} falliti, "
                "{expired} scaduti",
                sent=outcome.sent,
                failed=outcome.failed,
                expired=outcome.expired,
            ),
            f"Emergency sent ({counts})",
        )

    # -- helpers ---------------------------------------------------------------------------

    async def _drill_numbers(self) -> tuple[str, ...]:
        return (await read_drill_numbers(self._db, self._appliance.config)).numbers

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
                N_("premuto alle {time}, non inviato", time=_local_time(decisive.at)),
                N_(
                    "Il pulsante di emergenza è stato premuto alle {time} ma {outcome}{detail}. "
                    "Avvisare la popolazione in un altro modo e controllare la pagina Emergenza.",
                    time=_local_time(decisive.at),
                    outcome=Text(OUTCOMES[decisive.outcome][0]),
                    detail=Text.join("", (" (", audit.describe(decisive.detail), ")"))
                    if decisive.detail
                    else "",
                ),
            )
        if armed is None:
            return Check(
                EMERGENCY_CHECK,
                WARN,
                TITLE,
                N_("nessun messaggio pronto"),
                N_(
                    "Premendo il pulsante non verrebbe inviato nulla: preparare il messaggio di "
                    "emergenza nella pagina Emergenza."
                ),
            )
        unusable = self._template_problem(armed)
        if unusable:
            return Check(
                EMERGENCY_CHECK,
                WARN,
                TITLE,
                N_("modello non utilizzabile"),
                N_(
                    "Il modello di emergenza «{name}» {problem}: premendo il pulsante l'invio "
                    "non andrebbe a buon fine o costerebbe come marketing. Scegliere un altro "
                    "modello nella pagina Emergenza.",
                    name=armed.template_name,
                    problem=unusable,
                ),
            )
        if self._appliance.parts.get(LAUNCHER) is None:
            return Check(
                EMERGENCY_CHECK,
                WARN,
                TITLE,
                N_("invio non disponibile"),
                N_(
                    "Questa versione non sa ancora inviare l'emergenza: premendo il pulsante non "
                    "verrebbe inviato nulla. Avvisare la popolazione in un altro modo."
                ),
            )
        if armed.test_mode:
            missing = (
                ""
                if await self._drill_numbers()
                else N_(" Nessun numero di prova: aggiungerli nella pagina Emergenza.")
            )
            return Check(
                EMERGENCY_CHECK,
                WARN,
                TITLE,
                N_("modalità prova"),
                N_(
                    "Il pulsante invia solo ai numeri di prova del personale (elencati nella "
                    "pagina Emergenza), non alla popolazione.{missing} Togliere la modalità "
                    "prova dopo l'esercitazione.",
                    missing=missing,
                ),
            )
        value = N_("pronto: {name} ({language})", name=armed.template_name, language=armed.language)
        left = self._cooldown_until - time.monotonic()
        if left > 0:
            value = N_("{ready}, in pausa ancora {n} min", ready=value, n=max(1, round(left / 60)))
        return Check(EMERGENCY_CHECK, OK, TITLE, value)

    def _template_problem(self, armed: ArmedMessage) -> Text | str:
        """Why Meta's latest word on the armed template makes it unfit, or "" (also if unknown)."""
        catalog = self._appliance.parts.get(TEMPLATES)
        known = catalog.get(armed.template_name, armed.language) if catalog else None
        if known is None:
            return ""
        if known["status"] != "APPROVED":
            state = known["status"] or N_("sconosciuto")
            return N_("non è approvato da Meta (stato {state})", state=state)
        if known["category"] != "UTILITY":
            return N_(
                "è stato classificato da Meta come {category}, non più UTILITY",
                category=known["category"],
            )
        if known.get("last_event") == "FLAGGED":
            return N_("è segnalato da Meta per bassa qualità e potrebbe essere sospeso a breve")
        return ""
