"""I MIEI DATI: what is stored about the citizen, in one message."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appliance.conversation.flows.questions import answer_text

if TYPE_CHECKING:
    from appliance.conversation.flows.base import Deps
    from appliance.conversation.turn import Turn


class MyData:
    """Reads the audience's export of the person and says it."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def start(self, turn: Turn) -> None:
        """Number, name, status, topics, answers, consents and how many messages are kept."""
        lang, audience = turn.language, self.deps.audience
        data = await audience.export(turn.sid)
        sub = data["subscriber"]
        questions = {q.key: q for q in await audience.questions(active_only=False)}
        answers = "; ".join(
            f"{questions[k].prompt(lang) if k in questions else k} {answer_text(questions.get(k), v, lang)}"
            for k, v in data["answers"].items()
        )
        consents = "; ".join(
            f"{c['kind']} {c['at'][:16].replace('T', ' ')}"
            + (f" (v{c['notice_version']})" if c["notice_version"] else "")
            for c in data["consents"]
        )
        turn.say(
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
