"""Reading what a citizen typed: normalisation, the keyword and the commands valid anywhere."""

from __future__ import annotations

import re
import unicodedata

from appliance.cloudapi.events import Message, QuickReply, TextMessage

_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)

# Normalised phrase -> command. Italian first, English synonyms; checked before anything else.
COMMANDS: dict[str, str] = {
    "stop": "unsubscribe",
    "cancellami": "unsubscribe",
    "disiscrivimi": "unsubscribe",
    "unsubscribe": "unsubscribe",
    "annulla": "cancel",
    "cancel": "cancel",
    "aiuto": "help",
    "help": "help",
    "menu": "menu",
    "privacy": "privacy",
    "informativa": "privacy",
    "profilo": "profile",
    "profile": "profile",
    "i miei dati": "my_data",
    "miei dati": "my_data",
    "my data": "my_data",
    "cancella i miei dati": "erase",
    "delete my data": "erase",
    "english": "english",
    "inglese": "english",
    "italiano": "italian",
    "italian": "italian",
    "iscrivimi": "subscribe",
    "iscriviti": "subscribe",
    "subscribe": "subscribe",
}
SKIP_WORDS = {"salta", "skip"}
YES_WORDS = {"si", "sì", "yes", "ok", "certo"}
NO_WORDS = {"no"}


def normalise(text: str) -> str:
    """Lower case, no accents, punctuation and emoji as spaces, single spaces, trimmed."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NOT_WORD.sub(" ", plain.casefold()).replace("_", " ").split())


def command_of(text: str) -> str | None:
    """The command a typed message is, if any."""
    return COMMANDS.get(normalise(text))


def is_keyword(text: str, keyword: str) -> bool:
    """True when the message is the town's keyword (case, accents and spacing ignored)."""
    wanted = normalise(keyword)
    return bool(wanted) and normalise(text) == wanted


def text_of(message: Message) -> str | None:
    """What the citizen typed (a template quick reply counts as typed text)."""
    if isinstance(message, TextMessage):
        return message.body
    if isinstance(message, QuickReply):
        return message.payload or message.text
    return None
