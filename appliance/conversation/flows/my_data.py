"""I MIEI DATI: what is stored about the citizen, in one message, in words of their language."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from appliance.conversation.flows.questions import answer_text

if TYPE_CHECKING:
    from appliance.conversation.flows.base import Deps
    from appliance.conversation.turn import Turn

TOWN_CLOCK = ZoneInfo("Europe/Rome")
# Stored codes in the citizen's words (Italian first); an unknown code is shown as "—".
WORDS: dict[str, dict[str, str]] = {
    "it": {
        "active": "iscritto agli avvisi",
        "pending": "non iscritto",
        "unsubscribed": "iscrizione annullata",
        "erased": "dati cancellati",
        "opted_in": "data il",
        "declined": "rifiutata il",
        "opted_out": "annullata il",
        "imported": "registrata dal Comune il",
        "lang_it": "italiano",
        "lang_en": "inglese",
        "notice": "informativa versione {n}",
    },
    "en": {
        "active": "subscribed to notices",
        "pending": "not subscribed",
        "unsubscribed": "unsubscribed",
        "erased": "data erased",
        "opted_in": "given on",
        "declined": "declined on",
        "opted_out": "withdrawn on",
        "imported": "recorded by the town hall on",
        "lang_it": "Italian",
        "lang_en": "English",
        "notice": "privacy notice version {n}",
    },
}


def local_time(iso: str | None, *, with_time: bool = True) -> str:
    """A stored UTC time as the town's clock shows it (31/12/2026 21:39)."""
    if not iso:
        return "—"
    try:
        at = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return "—"
    at = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(TOWN_CLOCK)
    return at.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")


class MyData:
    """Reads the audience's export of the person and says it with labels, never codes."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def start(self, turn: Turn) -> None:
        """Number, name, status, topics, answers, the opt-in history and the messages kept."""
        lang, audience = turn.language, self.deps.audience
        words = WORDS["en" if lang == "en" else "it"]
        data = await audience.export(turn.sid)
        sub = data["subscriber"]
        questions = {q.key: q for q in await audience.questions(active_only=False)}
        answers = "; ".join(
            f"{questions[k].prompt(lang) if k in questions else k} {answer_text(questions.get(k), v, lang)}"
            for k, v in data["answers"].items()
        )
        consents = "; ".join(
            f"{words.get(c['kind'], '—')} {local_time(c['at'])}"
            + (f" ({words['notice'].format(n=c['notice_version'])})" if c["notice_version"] else "")
            for c in data["consents"]
        )
        topics = await audience.subscriber_topics(turn.sid)
        names = [(t["name_en"] if lang == "en" else "") or t["name_it"] for t in topics]
        turn.say(
            "my_data",
            number=sub["wa_id"] or "—",
            name=sub["profile_name"] or "—",
            status=words.get(sub["status"], "—"),
            language=words.get(f"lang_{sub['language']}", "—"),
            since=local_time(sub["subscribed_at"], with_time=False),
            topics=", ".join(names) or "—",
            answers=answers or "—",
            consents=consents or "—",
            messages=str(len(data["messages"])),
        )
