"""What the bot says: staff edits over the defaults, and the editor's checks of each edit."""

from __future__ import annotations

import string
from typing import TYPE_CHECKING, Any

from appliance.conversation.defaults import DEFAULTS
from appliance.core import audit

if TYPE_CHECKING:
    from appliance.core.db import Database

LANGUAGES = ("it", "en")


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


# The editor's refusals: Italian sources of the admin catalog, translated for the staff user.
TOO_LONG = "Al massimo {n} caratteri (WhatsApp rifiuta testi più lunghi)."
EMPTY = "Il testo non può essere vuoto."
UNKNOWN_PLACEHOLDERS = "Segnaposto non previsti: {names}"


def placeholders_in(text: str) -> set[str]:
    """The ``{name}`` placeholders a text uses."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:
        return {"{"}


def check(key: str, value: str) -> tuple[str, dict[str, Any]] | None:
    """Why ``value`` cannot replace text ``key``: an Italian catalog message and its values."""
    spec = DEFAULTS[key]
    if len(value) > spec.limit:
        return TOO_LONG, {"n": spec.limit}
    if not value.strip() and key != "website_url":
        return EMPTY, {}
    unknown = placeholders_in(value) - set(spec.placeholders)
    if unknown:
        return UNKNOWN_PLACEHOLDERS, {"names": ", ".join(sorted(unknown))}
    return None


class Texts:
    """The bot's texts: staff edits over the defaults, cached and reloaded on change."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._edits: dict[tuple[str, str], str] = {}

    async def load(self) -> None:
        """Read staff edits."""
        rows = await self.db.fetchall("SELECT key, language, value FROM bot_texts")
        self._edits = {(r["key"], r["language"]): r["value"] for r in rows if r["key"] in DEFAULTS}

    def raw(self, key: str, language: str) -> str:
        """The text before placeholders are filled."""
        language = language if language in LANGUAGES else "it"
        edited = self._edits.get((key, language))
        if edited is not None:
            return edited
        spec = DEFAULTS[key]
        return (spec.en if language == "en" else spec.it) or spec.it

    def get(self, key: str, language: str, /, **values: Any) -> str:
        """The text with its placeholders filled (unknown ones left empty)."""
        return self.raw(key, language).format_map(_Blank(values))

    def edited(self, key: str, language: str) -> bool:
        """True when staff changed this text."""
        return (key, language) in self._edits

    async def save(self, changes: dict[tuple[str, str], str], actor: str, address: str) -> None:
        """Store edits (a value equal to the default removes the edit), one audit row."""
        rows, resets = [], []
        for (key, language), value in changes.items():
            spec = DEFAULTS[key]
            default = spec.en if language == "en" else spec.it
            (resets if value == default else rows).append((key, language, value))

        async def job(conn: Any) -> None:
            await conn.executemany(
                "INSERT INTO bot_texts (key, language, value, updated_by) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (key, language) DO UPDATE SET value = excluded.value,"
                " updated_by = excluded.updated_by,"
                " updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')",
                [(k, lang, v, actor) for k, lang, v in rows],
            )
            await conn.executemany(
                "DELETE FROM bot_texts WHERE key = ? AND language = ?",
                [(k, lang) for k, lang, _ in resets],
            )
            texts = [[DEFAULTS[k].label if k in DEFAULTS else k, lang] for k, lang in changes]
            detail = audit.detail("fields", fields_pairs=texts)
            await audit.record_in(conn, actor, "bot.texts_changed", "bot", detail, address)

        await self.db.write(job)
        await self.load()
