"""The profile questions, one per message, shared by the subscription and PROFILO."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from appliance.audience.store import Question, label
from appliance.cloudapi import messages
from appliance.cloudapi.messages import ListRow, ListSection
from appliance.conversation.commands import SKIP_WORDS, normalise
from appliance.conversation.turn import State

if TYPE_CHECKING:
    from appliance.conversation.flows.base import Deps
    from appliance.conversation.turn import Turn

MAX_ANSWER = 500
MAX_LIST_OPTIONS = 9  # rows besides "skip" (10 rows at most)
_NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?$")
QUESTION_STEP = "q"


class QuestionSteps:
    """Asks the active questions in order; each answer is saved through the audience API."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def begin(self, turn: Turn, flow: str, done_key: str, intro: str = "") -> None:
        """Ask the first question of ``flow`` (``intro`` in the same message), or finish at once."""
        questions = await self.deps.audience.questions()
        if not questions:
            await self.done(turn, done_key)
            return
        turn.set_state(State(flow, QUESTION_STEP, {"qs": [q.id for q in questions], "qi": 0}))
        await self.ask(turn, lead=turn.text(intro, count=str(len(questions))) if intro else "")

    async def answer(self, turn: Turn, text: str | None, action: str | None) -> None:
        """Save a valid answer (or a skip) and go on; an invalid one is asked again."""
        state = turn.state
        assert state is not None
        question = await self._question(state)
        if question is None:
            await self._next(turn)
            return
        word = normalise(text) if text is not None else ""
        if action == "skip" or word in SKIP_WORDS:
            await self._next(turn)
            return
        value = parse_answer(question, text, action)
        if value is None:
            turn.say("invalid_answer")
            await self.ask(turn, renew=False)
            return
        await self.deps.audience.save_answer(turn.sid, question, value)
        await self._next(turn)

    async def ask(self, turn: Turn, *, renew: bool = True, lead: str = "") -> None:
        """Send the current question (after ``lead``): a list for a short single choice."""
        state = turn.state
        assert state is not None
        if renew:
            turn.renew()
        question = await self._question(state)
        if question is None:
            await self._next(turn)
            return
        tok, lang, texts = state.token, turn.language, self.deps.texts
        prompt = question.prompt(lang)
        if question.purpose(lang):  # the citizen reads what the answer is for (GDPR art. 5)
            prompt = f"{prompt}\n{turn.text('question_purpose', purpose=question.purpose(lang))}"
        prompt = f"{lead}\n\n{prompt}" if lead else prompt
        if question.kind in ("single", "multiple", "topics"):
            numbered = "\n".join(f"{i} {label(o, lang)}" for i, o in enumerate(question.options, 1))
            prompt = f"{prompt}\n{numbered}"
        if state.flow != "subscribe":  # PROFILO: say what the citizen answered so far
            current = await self._current(turn, question)
            if current:
                answer = answer_text(question, current, lang)
                prompt = f"{prompt}\n\n{turn.text('current_answer', answer=answer)}"
        if question.kind == "single" and 0 < len(question.options) <= MAX_LIST_OPTIONS:
            rows = [
                ListRow(f"{tok}:opt:{i}", label(o, lang)[:24])
                for i, o in enumerate(question.options, 1)
            ]
            rows.append(ListRow(f"{tok}:skip", texts.get("skip_label", lang)))
            body = f"{prompt}\n\n{texts.get('hint_single', lang)}"
            button = texts.get("choose_button", lang)
            turn.send(
                messages.list_message(body[:4096], button, [ListSection(button[:24], rows)]), body
            )
            return
        hint = {"single": "hint_single", "number": "hint_number", "text": "hint_text"}.get(
            question.kind, "hint_multiple"
        )
        turn.send(messages.text(f"{prompt}\n\n{texts.get(hint, lang)}"[:4096]))

    async def done(self, turn: Turn, key: str) -> None:
        """End the flow and say which topics the citizen receives."""
        turn.set_state(None)
        topics = await self.deps.audience.subscriber_topics(turn.sid)
        names = [(t["name_en"] if turn.language == "en" else "") or t["name_it"] for t in topics]
        turn.say(key, topics=", ".join(names) or "—")

    async def _current(self, turn: Turn, question: Question) -> object:
        """The stored answer; for the topics question, the topics the citizen receives."""
        audience = self.deps.audience
        if question.kind == "topics":
            return [t["key"] for t in await audience.subscriber_topics(turn.sid)]
        return (await audience.answers(turn.sid)).get(question.key)

    async def _next(self, turn: Turn) -> None:
        state = turn.state
        assert state is not None
        data = dict(state.data, qi=int(state.data["qi"]) + 1)
        if data["qi"] >= len(data["qs"]):
            await self.done(turn, "subscribed" if state.flow == "subscribe" else "profile_updated")
            return
        turn.set_state(State(state.flow, QUESTION_STEP, data))
        await self.ask(turn)

    async def _question(self, state: State) -> Question | None:
        ids = state.data.get("qs") or []
        index = int(state.data.get("qi", 0))
        if index >= len(ids):
            return None
        wanted = ids[index]
        return next((q for q in await self.deps.audience.questions() if q.id == wanted), None)


def parse_answer(question: Question, text: str | None, action: str | None) -> Any | None:
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
        picked = [_pick(options, part) for part in _parts(text)]
        if not picked or None in picked:
            return None
        return list(dict.fromkeys(picked))
    if question.kind == "number":
        raw = text.strip().replace(" ", "")
        if not _NUMBER.match(raw):
            return None
        number = float(raw.replace(",", "."))
        return int(number) if number.is_integer() else number
    cleaned = text.strip()
    return cleaned[:MAX_ANSWER] if cleaned else None


def _parts(text: str) -> list[str]:
    """Typed choices: separated by commas, semicolons or new lines; numbers also by spaces."""
    parts = []
    for chunk in re.split(r"[,;\n]+", text):
        words = chunk.split()
        parts += words if all(w.isdigit() for w in words) else [chunk.strip()]
    return [p for p in parts if p]


def _pick(options: tuple[tuple[str, str, str], ...], typed: str) -> str | None:
    """The option a typed number, key or name (or its first words) means; case and accents aside."""
    word = normalise(typed)
    if word.isdigit():
        return options[int(word) - 1][0] if 1 <= int(word) <= len(options) else None
    for key, it, en in options:
        names = [normalise(n) for n in (key, it, en) if n]
        if word and any(n == word or n.startswith(word + " ") for n in names):
            return key
    return None


def answer_text(question: Question | None, value: Any, language: str) -> str:
    """An answer in words."""
    if question is None or question.kind in ("number", "text"):
        return str(value)
    names = {o[0]: label(o, language) for o in question.options}
    values = value if isinstance(value, list) else [value]
    return ", ".join(names.get(v, str(v)) for v in values)
