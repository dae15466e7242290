"""The citizen's conversation: one inbound message in, the state moved, the answers out.

State changes are committed before the answers go out (an unsubscribe is on disk before the
citizen reads "done"); the handled message id is committed with them, so a re-run after a crash
does not act twice. Interactive prompts carry a token of the step they belong to: a tap on an
older message is recognised and answered sensibly instead of being taken for the current step.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from appliance.audience import notice
from appliance.audience.store import Audience, Question, label
from appliance.cloudapi import messages
from appliance.cloudapi.events import (
    AudioMessage,
    ButtonReply,
    ContactsMessage,
    DocumentMessage,
    Event,
    ImageMessage,
    ListReply,
    LocationMessage,
    MediaMessage,
    Message,
    QuickReply,
    ReactionMessage,
    TextMessage,
    UserPreferences,
    VideoMessage,
)
from appliance.cloudapi.messages import ListRow, ListSection
from appliance.conversation.commands import (
    NO_WORDS,
    SKIP_WORDS,
    YES_WORDS,
    command_of,
    is_keyword,
    normalise,
)
from appliance.conversation.flood import FloodGuard
from appliance.conversation.texts import Texts

if TYPE_CHECKING:
    from appliance.core.context import Appliance

log = logging.getLogger(__name__)

MENU_OPTIONS = ("1", "2", "3", "4", "5", "6")
MAX_ANSWER = 500
MAX_LIST_OPTIONS = 9  # rows besides "skip" (10 rows at most)
_NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?$")
_TYPE_LABELS = {
    "image": "[immagine]",
    "video": "[video]",
    "document": "[documento]",
    "audio": "[audio]",
    "sticker": "[sticker]",
    "location": "[posizione]",
    "contacts": "[contatto]",
}


@dataclass
class State:
    """Where a citizen is in a flow."""

    flow: str  # subscribe, profile, erase
    step: str  # age, consent, q, confirm
    data: dict[str, Any] = field(default_factory=dict)
    updated_at: float = 0.0

    @property
    def token(self) -> str:
        """The id prefix of this step's buttons."""
        return str(self.data.get("token", ""))


@dataclass
class Turn:
    """One inbound message being handled: the answers to send and the state to keep."""

    row: Any
    message: Message
    language: str
    state: State | None
    outbox: list[tuple[tuple[str, Any], str]] = field(default_factory=list)
    inbox: bool = False
    state_changed: bool = False
    comune: str = ""

    @property
    def sid(self) -> int:
        """The subscriber's row id."""
        return int(self.row["id"])

    def set_state(self, state: State | None) -> None:
        """Move to another step (or none); a new step gets a new button token."""
        if state is not None:
            state.data["token"] = secrets.token_hex(3)
        self.state = state
        self.state_changed = True


class Conversation:
    """Subscribed to the inbox: handles messages and WhatsApp's marketing preferences."""

    def __init__(self, appliance: Appliance, audience: Audience) -> None:
        self.appliance = appliance
        self.db = appliance.db
        self.config = appliance.config
        self.audience = audience
        self.texts = Texts(appliance.db)
        conv = self.config.values["conversation"]
        self.flood = FloodGuard(conv["flood_per_minute"])
        self.stale_seconds = conv["stale_flow_hours"] * 3600
        self.auto_answer_seconds = conv["auto_answer_hours"] * 3600
        self.clock: Callable[[], float] = time.time

    async def start(self) -> None:
        """Load staff texts and make sure a privacy notice is published."""
        await self.texts.load()
        await notice.ensure_first_version(self.db)

    async def stop(self) -> None:
        """Forget the flood counters (they only matter within minutes)."""
        self.flood = FloodGuard(self.config.values["conversation"]["flood_per_minute"])

    # -- entry points -----------------------------------------------------------------------

    async def on_event(self, event: Event) -> None:
        """Inbox subscriber for messages and user preferences."""
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
        state = await self._load_state(row["id"])
        turn = Turn(row, message, row["language"], state, comune=await self._comune())
        await self._handle(turn, first=known is None)
        await self._finish(turn)

    # -- the decision -----------------------------------------------------------------------

    async def _handle(self, turn: Turn, *, first: bool) -> None:
        message, now = turn.message, self.clock()
        text = _text_of(message)
        command = command_of(text) if text is not None else None
        key = f"{message.sender.wa_id or message.sender.user_id}"
        urgent = command in ("unsubscribe", "erase", "cancel") or (
            turn.state is not None and turn.state.flow == "erase"
        )
        if not urgent:
            allowed, warn = self.flood.allow(key, now)
            if not allowed:
                if warn:
                    self._say(turn, "flood")
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
            return
        if command is not None:
            await self._command(turn, command)
        elif is_keyword(text, self.config.keyword):
            if turn.state is not None:
                turn.set_state(None)
            await self._menu(turn)
        elif stale:
            self._say(turn, "welcome_back")
            await self._menu(turn)
        elif turn.state is not None:
            await self._step(turn, text=text)
        elif normalise(text).isdigit():
            await self._menu_option(turn, normalise(text))
        elif first:
            if text.strip():
                turn.inbox = True
                await self._auto_answer(turn, force=True)
            await self._menu(turn)
        else:
            turn.inbox = True
            await self._auto_answer(turn)

    async def _non_text(self, turn: Turn, message: Message, *, first: bool, stale: bool) -> None:
        if isinstance(message, ButtonReply | ListReply):
            reply_id = message.reply_id
            if reply_id.startswith("menu:"):
                if turn.state is not None:
                    turn.set_state(None)
                await self._menu_option(turn, reply_id.removeprefix("menu:"))
                return
            token, _, action = reply_id.partition(":")
            if turn.state is not None and token == turn.state.token:
                await self._step(turn, action=action)
                return
            self._say(turn, "old_prompt")
            if turn.state is not None:
                await self._ask(turn)
            else:
                if stale:
                    self._say(turn, "welcome_back")
                await self._menu(turn)
            return
        if turn.state is not None:
            self._say(turn, "expects_answer")
            await self._ask(turn)
            return
        if isinstance(
            message,
            ImageMessage | VideoMessage | DocumentMessage | LocationMessage | ContactsMessage,
        ):
            turn.inbox = True
            await self._auto_answer(turn, force=first)
            if first:
                await self._menu(turn)
            return
        # Stickers, voice notes, types WhatsApp itself cannot show: say what works instead.
        self._say(turn, "media")
        if first:
            await self._menu(turn)

    async def _command(self, turn: Turn, command: str) -> None:
        if command == "unsubscribe":
            await self._unsubscribe(turn)
        elif command == "erase":
            turn.set_state(State("erase", "confirm"))
            await self._ask(turn)
        elif command == "cancel":
            if turn.state is None:
                self._say(turn, "nothing_to_cancel")
            else:
                turn.set_state(None)
                self._say(turn, "cancelled")
        elif command == "help":
            self._say(turn, "help")
        elif command == "menu":
            if turn.state is not None:
                turn.set_state(None)
            await self._menu(turn)
        elif command == "privacy":
            await self._privacy(turn)
        elif command == "profile":
            await self._start_profile(turn)
        elif command == "subscribe":
            await self._start_subscribe(turn)
        elif command == "my_data":
            await self._my_data(turn)
        elif command in ("english", "italian"):
            turn.language = "en" if command == "english" else "it"
            await self.audience.set_language(turn.sid, turn.language)
            self._say(turn, "language_set")

    async def _menu_option(self, turn: Turn, option: str) -> None:
        if option == "0":
            await self._menu(turn)
        elif option == "1":
            await self._feed(turn, "forecast")
        elif option == "2":
            await self._feed(turn, "alerts")
        elif option == "3":
            website = self.texts.get("website_url", turn.language) or self.config.town.website
            self._say(turn, "website", website=website, preview=True)
        elif option == "4":
            await self._start_subscribe(turn)
        elif option == "5":
            await self._privacy(turn)
        elif option == "6":
            await self._unsubscribe(turn)
        else:
            self._say(turn, "invalid_option", number=option[:6])

    # -- flows ------------------------------------------------------------------------------

    async def _start_subscribe(self, turn: Turn) -> None:
        if turn.row["status"] == "active":
            self._say(turn, "already_subscribed")
            return
        current = await notice.current(self.db)
        if current is None:
            self._say(turn, "notice_not_published")
            return
        await self._privacy(turn, version=current.version)
        turn.set_state(State("subscribe", "age", {"notice": current.version}))
        await self._ask(turn)

    async def _start_profile(self, turn: Turn) -> None:
        if turn.row["status"] != "active":
            self._say(turn, "not_subscribed")
            return
        questions = await self.audience.questions()
        if not questions:
            await self._done(turn, "profile_updated")
            return
        turn.set_state(State("profile", "q", {"qs": [q.id for q in questions], "qi": 0}))
        await self._ask(turn)

    async def _step(
        self, turn: Turn, *, text: str | None = None, action: str | None = None
    ) -> None:
        """The current step's answer, typed (``text``) or tapped (``action``)."""
        state = turn.state
        assert state is not None
        word = normalise(text) if text is not None else ""
        yes = action in ("yes",) or word in YES_WORDS
        no = action in ("no",) or word in NO_WORDS
        if state.step == "age":
            if yes:
                turn.set_state(State("subscribe", "consent", {"notice": state.data["notice"]}))
                await self._ask(turn)
            elif no:
                turn.set_state(None)
                self._say(turn, "age_refused")
            else:
                self._say(turn, "expects_answer")
                await self._ask(turn)
        elif state.step == "consent":
            version = int(state.data["notice"])
            if yes:
                await self.audience.activate(
                    turn.row, notice_version=version, wamid=turn.message.wamid, topic_keys=None
                )
                questions = await self.audience.questions()
                if not questions:
                    await self._done(turn, "subscribed")
                    return
                self._say(turn, "questions_intro", count=str(len(questions)))
                turn.set_state(State("subscribe", "q", {"qs": [q.id for q in questions], "qi": 0}))
                await self._ask(turn)
            elif no:
                await self.audience.refuse(turn.row, version, turn.message.wamid)
                turn.set_state(None)
                self._say(turn, "consent_refused")
            else:
                self._say(turn, "expects_answer")
                await self._ask(turn)
        elif state.step == "confirm":
            if yes:
                await self.audience.erase(turn.row, "citizen", "chat")
                turn.set_state(None)
                turn.row = None  # nothing more is stored about this person
                self._say(turn, "erased")
            elif no:
                turn.set_state(None)
                self._say(turn, "erase_kept")
            else:
                await self._ask(turn)
        elif state.step == "q":
            await self._answer(turn, text, action)

    async def _answer(self, turn: Turn, text: str | None, action: str | None) -> None:
        state = turn.state
        assert state is not None
        question = await self._question(state)
        if question is None:
            await self._next_question(turn)
            return
        word = normalise(text) if text is not None else ""
        if action == "skip" or word in SKIP_WORDS:
            await self._next_question(turn)
            return
        value = _parse_answer(question, text, action)
        if value is None:
            self._say(turn, "invalid_answer")
            await self._ask(turn, renew=False)
            return
        await self.audience.save_answer(turn.sid, question, value)
        await self._next_question(turn)

    async def _next_question(self, turn: Turn) -> None:
        state = turn.state
        assert state is not None
        data = dict(state.data, qi=int(state.data["qi"]) + 1)
        if data["qi"] >= len(data["qs"]):
            await self._done(turn, "subscribed" if state.flow == "subscribe" else "profile_updated")
            return
        turn.set_state(State(state.flow, "q", data))
        await self._ask(turn)

    async def _done(self, turn: Turn, key: str) -> None:
        turn.set_state(None)
        topics = await self.audience.subscriber_topics(turn.sid)
        names = [(t["name_en"] if turn.language == "en" else "") or t["name_it"] for t in topics]
        self._say(turn, key, topics=", ".join(names) or "—")

    async def _question(self, state: State) -> Question | None:
        ids = state.data.get("qs") or []
        index = int(state.data.get("qi", 0))
        if index >= len(ids):
            return None
        wanted = ids[index]
        return next((q for q in await self.audience.questions() if q.id == wanted), None)

    async def _ask(self, turn: Turn, *, renew: bool = True) -> None:
        """Send the current step's question (with buttons bound to this step)."""
        state = turn.state
        assert state is not None
        if renew and not turn.state_changed:
            turn.set_state(state)  # a repeated prompt invalidates the buttons of the old one
        tok, lang = state.token, turn.language
        if state.step == "age":
            self._buttons(
                turn, "age_question", [(f"{tok}:yes", "age_yes"), (f"{tok}:no", "age_no")]
            )
        elif state.step == "consent":
            self._buttons(
                turn,
                "consent_question",
                [(f"{tok}:yes", "consent_yes"), (f"{tok}:no", "consent_no")],
                version=str(state.data["notice"]),
            )
        elif state.step == "confirm":
            self._buttons(
                turn, "erase_question", [(f"{tok}:yes", "erase_yes"), (f"{tok}:no", "erase_no")]
            )
        elif state.step == "q":
            question = await self._question(state)
            if question is None:
                await self._next_question(turn)
                return
            prompt = question.prompt(lang)
            if question.kind in ("single", "multiple", "topics"):
                numbered = "\n".join(
                    f"{i} {label(o, lang)}" for i, o in enumerate(question.options, 1)
                )
                prompt = f"{prompt}\n{numbered}"
            if question.kind == "single" and 0 < len(question.options) <= MAX_LIST_OPTIONS:
                rows = [
                    ListRow(f"{tok}:opt:{i}", label(o, lang)[:24])
                    for i, o in enumerate(question.options, 1)
                ]
                rows.append(ListRow(f"{tok}:skip", self.texts.get("skip_label", lang)))
                body = f"{prompt}\n\n{self.texts.get('hint_single', lang)}"
                self._send(
                    turn,
                    messages.list_message(
                        body[:4096],
                        self.texts.get("choose_button", lang),
                        [ListSection(self.texts.get("choose_button", lang)[:24], rows)],
                    ),
                    body,
                )
            else:
                hint = {"single": "hint_single", "number": "hint_number", "text": "hint_text"}.get(
                    question.kind, "hint_multiple"
                )
                self._send(turn, messages.text(f"{prompt}\n\n{self.texts.get(hint, lang)}"[:4096]))

    # -- single actions ---------------------------------------------------------------------

    async def _menu(self, turn: Turn) -> None:
        lang = turn.language
        rows = [ListRow(f"menu:{n}", self.texts.get(f"menu_{n}", lang)) for n in MENU_OPTIONS]
        body = self.texts.get("welcome", lang, comune=turn.comune)
        self._send(
            turn,
            messages.list_message(
                body,
                self.texts.get("menu_button", lang),
                [ListSection(self.texts.get("menu_section", lang), rows)],
            ),
            body,
        )

    async def _feed(self, turn: Turn, part: str) -> None:
        feed = self.appliance.parts.get(part)
        if feed is None:
            self._say(turn, "not_available")
            return
        try:
            answer = await feed.text(turn.language)
        except Exception:  # noqa: BLE001 - a broken feed must not break the conversation
            log.exception("feed %s failed to answer", part)
            self._say(turn, "not_available")
            return
        self._send(turn, messages.text(answer[:4096], preview_url=True))

    async def _privacy(self, turn: Turn, version: int | None = None) -> None:
        lang = turn.language
        current = await notice.current(self.db) if version is None else None
        if version is None and current is None:
            self._say(turn, "notice_not_published")
            return
        number = version if version is not None else current.version  # type: ignore[union-attr]
        summary = self.texts.get("privacy_summary", lang, comune=turn.comune)
        base = self.config.server.public_url.rstrip("/")
        if base:
            link = f"{base}/privacy/{number}" + ("?lang=en" if lang == "en" else "")
            body = f"{summary}\n\n" + self.texts.get(
                "privacy_link", lang, version=str(number), link=link
            )
        else:
            full = await notice.version(self.db, number) or await notice.current(self.db)
            assert full is not None  # a version was published: the caller checked
            body = f"{summary}\n\n" + await notice.fill(full.text(lang), self.db, self.config, lang)
        self._send(turn, messages.text(body[:4096], preview_url=bool(base)))

    async def _unsubscribe(self, turn: Turn) -> None:
        if turn.state is not None:
            turn.set_state(None)
        if turn.row["status"] != "active":
            self._say(turn, "not_subscribed")
            return
        await self.audience.unsubscribe(turn.row, "citizen", "chat")
        self._say(turn, "unsubscribed")

    async def _my_data(self, turn: Turn) -> None:
        lang = turn.language
        data = await self.audience.export(turn.sid)
        sub = data["subscriber"]
        questions = {q.key: q for q in await self.audience.questions(active_only=False)}
        answers = "; ".join(
            f"{questions[k].prompt(lang) if k in questions else k} {_answer_text(questions.get(k), v, lang)}"
            for k, v in data["answers"].items()
        )
        consents = "; ".join(
            f"{c['kind']} {c['at'][:16].replace('T', ' ')}"
            + (f" (v{c['notice_version']})" if c["notice_version"] else "")
            for c in data["consents"]
        )
        self._say(
            turn,
            "my_data",
            number=sub["wa_id"] or "—",
            name=sub["profile_name"] or "—",
            status=sub["status"],
            language=sub["language"],
            since=(sub["subscribed_at"] or "—")[:10],
            topics=", ".join(data["topics"]) or "—",
            answers=answers or "—",
            consents=consents or "—",
            messages=str(len(data["messages"])),
        )

    async def _auto_answer(self, turn: Turn, *, force: bool = False) -> None:
        """The polite automatic answer to free text, at most once per period per citizen."""
        last = turn.row["auto_answer_at"]
        now = self.clock()
        if not force and last is not None and now - last < self.auto_answer_seconds:
            return
        office = await self.db.fetchval(
            "SELECT value FROM settings WHERE key = 'town_data.office_hours'"
        )
        hours = self.texts.get("office_hours", turn.language, office_hours=office) if office else ""
        self._say(turn, "auto_answer", hours=hours)
        await self.db.execute(
            "UPDATE subscribers SET auto_answer_at = ? WHERE id = ?", (now, turn.sid)
        )

    async def _comune(self) -> str:
        name = await self.db.fetchval(
            "SELECT value FROM settings WHERE key = 'town_data.display_name'"
        )
        return name or f"Comune di {self.config.town.name}"

    # -- output -----------------------------------------------------------------------------

    def _say(self, turn: Turn, key: str, *, preview: bool = False, **values: str) -> None:
        values.setdefault("comune", turn.comune)
        body = self.texts.get(key, turn.language, **values)
        self._send(turn, messages.text(body[:4096], preview_url=preview))

    def _buttons(self, turn: Turn, key: str, choices: list[tuple[str, str]], **values: str) -> None:
        lang = turn.language
        body = self.texts.get(key, lang, comune=turn.comune, **values)
        buttons = [(bid, self.texts.get(title, lang)) for bid, title in choices]
        self._send(turn, messages.buttons(body[:1024], buttons), body)

    def _send(self, turn: Turn, message: tuple[str, Any], summary: str = "") -> None:
        kind, content = message
        turn.outbox.append(
            (message, summary or (content.get("body", "") if kind == "text" else kind))
        )

    async def _finish(self, turn: Turn) -> None:
        """Commit state, chat lines and the handled message id; then send the answers."""
        message, now = turn.message, self.clock()
        recipient = message.sender.wa_id or message.sender.user_id
        assert recipient is not None
        row = turn.row
        if row is not None:
            sid = int(row["id"])
            state = turn.state
            text = _text_of(message)
            line = text if text is not None else _label_of(message)

            async def job(conn: Any) -> None:
                if turn.state_changed:
                    if state is None:
                        await conn.execute(
                            "DELETE FROM conversation_state WHERE subscriber_id = ?", (sid,)
                        )
                    else:
                        await conn.execute(
                            "INSERT INTO conversation_state (subscriber_id, flow, step, data,"
                            " updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (subscriber_id) DO"
                            " UPDATE SET flow = excluded.flow, step = excluded.step,"
                            " data = excluded.data, updated_at = excluded.updated_at",
                            (sid, state.flow, state.step, json.dumps(state.data), now),
                        )
                await conn.execute(
                    "UPDATE subscribers SET last_wamid = ? WHERE id = ?", (message.wamid, sid)
                )
                await conn.execute(
                    "INSERT INTO chat_messages (subscriber_id, direction, at, wamid, type, text,"
                    " inbox) VALUES (?, 'in', ?, ?, ?, ?, ?)",
                    (sid, now, message.wamid, message.type, line, int(turn.inbox)),
                )
                await conn.executemany(
                    "INSERT INTO chat_messages (subscriber_id, direction, at, type, text, handled)"
                    " VALUES (?, 'out', ?, ?, ?, 1)",
                    [(sid, now, m[0], summary) for m, summary in turn.outbox],
                )

            await self.db.write(job)
        replies = self.appliance.parts["replies"]
        for built, _ in turn.outbox:
            await replies.send(recipient, built)

    async def _load_state(self, sid: int) -> State | None:
        row = await self.db.fetchone(
            "SELECT flow, step, data, updated_at FROM conversation_state WHERE subscriber_id = ?",
            (sid,),
        )
        if row is None:
            return None
        return State(row["flow"], row["step"], json.loads(row["data"]), row["updated_at"])


def _text_of(message: Message) -> str | None:
    """What the citizen typed (a template quick reply counts as typed text)."""
    if isinstance(message, TextMessage):
        return message.body
    if isinstance(message, QuickReply):
        return message.payload or message.text
    return None


def _label_of(message: Message) -> str:
    label_ = _TYPE_LABELS.get(message.type, f"[{message.type}]")
    if isinstance(message, AudioMessage) and message.voice:
        label_ = "[messaggio vocale]"
    caption = getattr(message, "caption", "") if isinstance(message, MediaMessage) else ""
    if isinstance(message, LocationMessage):
        caption = f"{message.latitude},{message.longitude} {message.name} {message.address}".strip()
    if isinstance(message, ButtonReply | ListReply):
        return f"[{message.title}]"
    return f"{label_} {caption}".strip()


def _parse_answer(question: Question, text: str | None, action: str | None) -> Any | None:
    """The stored value of an answer, or None when it is not a valid one."""
    options = question.options
    if action is not None:
        if action.startswith("opt:") and action[4:].isdigit():
            index = int(action[4:])
            if 1 <= index <= len(options):
                return (
                    options[index - 1][0] if question.kind == "single" else [options[index - 1][0]]
                )
        return None
    if text is None:
        return None
    word = normalise(text)
    if question.kind == "single":
        if word.isdigit() and 1 <= int(word) <= len(options):
            return options[int(word) - 1][0]
        for option in options:
            if word in (normalise(option[1]), normalise(option[2]), normalise(option[0])):
                return option[0]
        return None
    if question.kind in ("multiple", "topics"):
        numbers = [p for p in re.split(r"[\s,;]+", text.strip()) if p]
        if not numbers or not all(p.isdigit() and 1 <= int(p) <= len(options) for p in numbers):
            return None
        return list(dict.fromkeys(options[int(p) - 1][0] for p in numbers))
    if question.kind == "number":
        raw = text.strip().replace(" ", "")
        if not _NUMBER.match(raw):
            return None
        number = float(raw.replace(",", "."))
        return int(number) if number.is_integer() else number
    cleaned = text.strip()
    return cleaned[:MAX_ANSWER] if cleaned else None


def _answer_text(question: Question | None, value: Any, language: str) -> str:
    """An answer in words."""
    if question is None or question.kind in ("number", "text"):
        return str(value)
    names = {o[0]: label(o, language) for o in question.options}
    values = value if isinstance(value, list) else [value]
    return ", ".join(names.get(v, str(v)) for v in values)
