"""The citizen's conversation: one inbound message in, routed to its flow, the answers out.

The routing is two tables (commands valid anywhere, numbered menu options) plus the flow a
citizen is in. The turn's new state, its chat lines, the handled message id and the answers are
committed in one write: a failed or interrupted write leaves the message unhandled and nothing
queued, so the webhook deliveries' retry answers it then, once. Changes a flow makes to a person (an
unsubscribe, an erasure) are committed before that write, so they are on disk before the citizen
reads "done". Interactive prompts carry a token of the step they belong to: a tap on an older
message is recognised and answered sensibly instead of being taken for the current step.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from appliance.audience import notice
from appliance.campaigns.replies import REPLIES
from appliance.cloudapi.events import (
    ButtonReply,
    ContactsMessage,
    DocumentMessage,
    Event,
    ImageMessage,
    ListReply,
    LocationMessage,
    Message,
    QuickReply,
    ReactionMessage,
    UserPreferences,
    VideoMessage,
)
from appliance.conversation.commands import command_of, is_keyword, normalise, text_of
from appliance.conversation.flood import FloodGuard
from appliance.conversation.flows.auto_answer import AutoAnswer
from appliance.conversation.flows.base import Deps, SteppedFlow
from appliance.conversation.flows.erasure import ErasureFlow
from appliance.conversation.flows.language import Language
from appliance.conversation.flows.menu import Menu
from appliance.conversation.flows.my_data import MyData
from appliance.conversation.flows.privacy import Privacy
from appliance.conversation.flows.profile import ProfileFlow
from appliance.conversation.flows.questions import QuestionSteps
from appliance.conversation.flows.subscribe import SubscribeFlow
from appliance.conversation.flows.unsubscribe import Unsubscribe
from appliance.conversation.state import StateStore
from appliance.conversation.texts import Texts
from appliance.conversation.turn import Turn
from appliance.core.errors import BadRequest
from appliance.core.parts import PartKey

if TYPE_CHECKING:
    from appliance.audience.store import Audience
    from appliance.core.context import Appliance

CONVERSATION: PartKey[Conversation] = PartKey("conversation")

log = logging.getLogger(__name__)

Action = Callable[[Turn], Awaitable[None]]
URGENT = ("unsubscribe", "erase", "cancel")  # never slowed down by the flood guard


class Conversation:
    """Subscribed to the webhook deliveries: handles messages and WhatsApp's marketing preferences."""

    def __init__(self, appliance: Appliance, audience: Audience) -> None:
        self.appliance = appliance
        self.db = appliance.db
        self.config = appliance.config
        self.audience = audience
        self.texts = Texts(appliance.db)
        self.store = StateStore(appliance.db)
        conv = self.config.conversation
        self.flood = FloodGuard(conv.flood_per_minute)
        self.stale_seconds = conv.stale_flow_hours * 3600
        self.clock: Callable[[], float] = time.time
        self.deps = deps = Deps(appliance, audience, self.texts)
        questions = QuestionSteps(deps)
        privacy = Privacy(deps)
        self.menu = Menu(deps, privacy)
        self.auto_answer = AutoAnswer(deps, conv.auto_answer_hours * 3600, lambda: self.clock())
        unsubscribe = Unsubscribe(deps)
        self.subscribe = SubscribeFlow(deps, privacy, questions)
        self.flows: dict[str, SteppedFlow] = {
            flow.name: flow
            for flow in (
                self.subscribe,
                ProfileFlow(questions),
                ErasureFlow(deps),
            )
        }
        self.commands: dict[str, Action] = {
            "unsubscribe": unsubscribe.start,
            "erase": self.flows["erase"].start,
            "cancel": self._cancel,
            "help": self._help,
            "menu": self._show_menu,
            "privacy": privacy.start,
            "profile": self.flows["profile"].start,
            "subscribe": self.flows["subscribe"].start,
            "my_data": MyData(deps).start,
            "english": Language(deps, "en").start,
            "italian": Language(deps, "it").start,
        }
        self.options: dict[str, Action] = {
            "0": self.menu.show,
            "1": self.menu.forecast,
            "2": self.menu.alerts,
            "3": self.menu.website,
            "4": self.flows["subscribe"].start,
            "5": privacy.start,
            "6": unsubscribe.start,
        }

    async def start(self) -> None:
        """Load staff texts and make sure a privacy notice is published."""
        await self.texts.load()
        await notice.ensure_first_version(self.db)

    async def stop(self) -> None:
        """Forget the flood counters (they only matter within minutes)."""
        self.flood = FloodGuard(self.config.conversation.flood_per_minute)

    # -- entry points -----------------------------------------------------------------------

    async def on_event(self, event: Event) -> None:
        """Webhook subscriber for messages and user preferences."""
        if isinstance(event, UserPreferences):
            if event.category == "marketing_messages" and event.value in ("stop", "resume"):
                await self.audience.set_marketing_opt_out(
                    event.identity.wa_id, event.identity.user_id, event.value == "stop"
                )
            return
        if isinstance(event, Message):
            await self.on_message(event)

    async def on_message(self, message: Message) -> None:
        """Handle one citizen message (at most once, even after a crash and a re-run)."""
        who = message.sender
        if not (who.wa_id or who.user_id):
            return
        known = await self.audience.find(who.wa_id, who.user_id)
        if known is not None and known["last_wamid"] == message.wamid:
            return
        row = await self.audience.ensure(who, float(message.timestamp or self.clock()))
        comune = await self.deps.town_setting("display_name")
        turn = Turn(
            row,
            message,
            row["language"],
            await self.store.load(row["id"]),
            self.texts,
            comune or f"Comune di {self.config.town.name}",
        )
        await self._handle(turn, first=known is None)
        await self._finish(turn)

    # -- the routing ------------------------------------------------------------------------

    async def _handle(self, turn: Turn, *, first: bool) -> None:
        message, now = turn.message, self.clock()
        text = text_of(message)
        command = command_of(text) if text is not None else None
        key = f"{message.sender.wa_id or message.sender.user_id}"
        urgent = command in URGENT or (turn.state is not None and turn.state.flow == "erase")
        if not urgent:
            allowed, warn = self.flood.allow(key, now)
            if not allowed:
                if warn:
                    turn.say("flood")
                # Free text still reaches staff; repeated menu numbers and commands do not.
                turn.inbox = bool(
                    text
                    and text.strip()
                    and command is None
                    and turn.state is None
                    and not normalise(text).isdigit()
                    and not is_keyword(text, self.config.keyword)
                )
                return
        if isinstance(message, ReactionMessage) or (
            isinstance(message, QuickReply) and command is None
        ):
            return  # template buttons ("Leggi"…) belong to the broadcast engine
        stale = turn.state is not None and now - turn.state.updated_at > self.stale_seconds
        if stale:
            turn.set_state(None)
        if text is None:
            await self._non_text(turn, message, first=first, stale=stale)
        elif command is not None:
            await self.commands[command](turn)
        elif is_keyword(text, self.config.keyword):
            await self._show_menu(turn)
        elif stale:
            await self.menu.show(turn, turn.text("welcome_back"))
        elif turn.state is not None:
            await self._answer(turn, text, None)
        elif normalise(text).isdigit():
            await self._option(turn, normalise(text))
        elif first:
            turn.inbox = bool(text.strip())
            lead = await self.auto_answer.text(turn, force=True) if turn.inbox else ""
            await self.menu.show(turn, lead)
        else:
            turn.inbox = True
            await self.auto_answer.start(turn)

    async def _non_text(self, turn: Turn, message: Message, *, first: bool, stale: bool) -> None:
        if isinstance(message, ButtonReply | ListReply):
            reply_id = message.reply_id
            if reply_id.startswith("menu:"):
                if turn.state is not None:
                    turn.set_state(None)
                await self._option(turn, reply_id.removeprefix("menu:"))
                return
            token, _, action = reply_id.partition(":")
            if turn.state is not None and token == turn.state.token:
                await self._answer(turn, None, action)
                return
            if turn.state is not None:
                turn.say("old_prompt")
                await self._ask(turn)
            else:
                lead = [turn.text("old_prompt")] + ([turn.text("welcome_back")] if stale else [])
                await self.menu.show(turn, "\n".join(lead))
            return
        if turn.state is not None:
            turn.say("expects_answer")
            await self._ask(turn)
            return
        if isinstance(
            message,
            ImageMessage | VideoMessage | DocumentMessage | LocationMessage | ContactsMessage,
        ):
            turn.inbox = True
            if first:
                await self.menu.show(turn, await self.auto_answer.text(turn, force=True))
            else:
                await self.auto_answer.start(turn)
            return
        # Stickers, voice notes, types WhatsApp itself cannot show: say what works instead.
        if first:
            await self.menu.show(turn, turn.text("media"))
        else:
            turn.say("media")

    async def _option(self, turn: Turn, option: str) -> None:
        option, _, shown = option.partition(":")
        if option == "4" and shown.isdigit():  # the menu row, tapped on the notice it showed
            await self.subscribe.start(turn, seen_version=int(shown))
            return
        action = self.options.get(option)
        if action is None:
            turn.say("invalid_option", number=option[:6])
        else:
            await action(turn)

    async def _answer(self, turn: Turn, text: str | None, action: str | None) -> None:
        flow = await self._flow(turn)
        if flow is not None:
            await flow.answer(turn, text, action)

    async def _ask(self, turn: Turn) -> None:
        flow = await self._flow(turn)
        if flow is not None:
            await flow.ask(turn)

    async def _flow(self, turn: Turn) -> SteppedFlow | None:
        """The flow the citizen is in; a step of a flow this version no longer has: the menu."""
        assert turn.state is not None
        flow = self.flows.get(turn.state.flow)
        if flow is None:
            turn.set_state(None)
            await self.menu.show(turn)
        return flow

    async def _cancel(self, turn: Turn) -> None:
        if turn.state is None:
            turn.say("nothing_to_cancel")
        else:
            turn.set_state(None)
            turn.say("cancelled")

    async def _help(self, turn: Turn) -> None:
        turn.say("help")

    async def _show_menu(self, turn: Turn) -> None:
        if turn.state is not None:
            turn.set_state(None)
        await self.menu.show(turn)

    # -- the one write ----------------------------------------------------------------------

    async def _finish(self, turn: Turn) -> None:
        """Commit state, chat lines, the handled message id and the answers in one transaction."""
        message, now = turn.message, self.clock()
        recipient = message.sender.wa_id or message.sender.user_id
        assert recipient is not None
        replies = self.appliance.parts[REPLIES]
        answers: list[tuple[Any, str]] = []
        for built, summary in turn.outbox:
            try:
                answers.append((replies.checked(recipient, built), summary))
            except BadRequest:
                log.exception("a bot answer breaks the Cloud API's limits: not sent")
        handled = turn.row is not None  # None once erased: nothing more is stored

        async def job(conn: Any) -> None:
            if handled:
                await self.store.save_in(conn, turn, answers, now)
                await self.audience.handled_in(
                    conn, turn.sid, message.wamid, auto_answer_at=turn.auto_answered_at
                )
            for checked, _ in answers:
                await replies.queue_in(conn, recipient, checked)

        await self.db.write(job)
        replies.wake()
