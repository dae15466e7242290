"""The templates Meta knows, with their latest category: it decides each template's send route."""

from __future__ import annotations

import json
import time
from typing import Any

from appliance.cloudapi.events import Event, TemplateCategoryUpdate, TemplateStatusUpdate
from appliance.core.db import Database
from appliance.core.parts import PartKey

TEMPLATES: PartKey[TemplateCatalog] = PartKey("templates")

MARKETING = "MARKETING"
APPROVED = "APPROVED"
# Events that warn about a template without changing whether it can be sent.
WARNING_EVENTS = frozenset({"FLAGGED", "IN_APPEAL"})
# Events that give the template back its approved status.
RESTORING_EVENTS = frozenset({"REINSTATED", "UNARCHIVED"})
_UPSERT = (
    "INSERT INTO wa_templates (name, language, template_id, account_id, category, status,"
    " components, last_event, updated_at) VALUES (:name, :language, :template_id, :account_id,"
    " :category, :status, :components, :last_event, :updated_at)"
    " ON CONFLICT (name, language) DO UPDATE SET"
    " template_id = excluded.template_id, account_id = excluded.account_id,"
    " category = excluded.category, status = excluded.status,"
    " components = excluded.components, last_event = excluded.last_event,"
    " updated_at = excluded.updated_at"
)


def status_after(status: str, event: str) -> str:
    """The send status after a template event: warnings keep it, restoring events approve."""
    event = event.upper()
    if event in WARNING_EVENTS:
        return status
    if event in RESTORING_EVENTS:
        return APPROVED
    return event


def flagged(template: dict[str, Any] | None) -> bool:
    """True when Meta's last word on an approved template is a quality warning."""
    return bool(template) and template.get("last_event") == "FLAGGED"


class TemplateCatalog:
    """``wa_templates`` plus an in-memory copy, so the route lookup at every send costs nothing."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._cache: dict[tuple[str, str], dict[str, Any]] = {}

    async def load(self) -> None:
        """Read the table into memory (service start)."""
        rows = await self._db.fetchall("SELECT * FROM wa_templates")
        self._cache = {(r["name"], r["language"]): dict(r) for r in rows}

    def get(self, name: str, language: str) -> dict[str, Any] | None:
        """The stored template, or None when Meta never told us about it."""
        return self._cache.get((name, language))

    def all(self) -> list[dict[str, Any]]:
        """Every known template, sorted by name and language."""
        return [self._cache[key] for key in sorted(self._cache)]

    def endpoint(self, name: str, language: str) -> str:
        """``marketing_messages`` for a template whose latest category is MARKETING, else ``messages``."""
        known = self._cache.get((name, language))
        return "marketing_messages" if known and known["category"] == MARKETING else "messages"

    async def replace_from_api(self, templates: list[dict[str, Any]], account_id: str) -> None:
        """Store the Templates API listing (name, language, id, category, status, components)."""
        now = time.time()
        rows = [
            {
                "name": str(t["name"]),
                "language": str(t.get("language") or ""),
                "template_id": str(t.get("id") or ""),
                "account_id": account_id,
                "category": str(t.get("category") or "").upper(),
                "status": str(t.get("status") or "").upper(),
                "components": json.dumps(t.get("components") or [], ensure_ascii=False),
                "last_event": "",
                "updated_at": now,
            }
            for t in templates
            if t.get("name")
        ]
        for row in rows:
            # A warning holds while the listing still shows the status it was given under.
            known = self._cache.get((row["name"], row["language"]))
            if known and known.get("status") == row["status"]:
                row["last_event"] = known.get("last_event") or ""
        await self._db.executemany(
            _UPSERT,
            rows,
        )
        for row in rows:
            self._cache[(row["name"], row["language"])] = row

    async def on_event(self, event: Event) -> None:
        """Webhook subscriber: keep status and category current from Meta's template webhooks."""
        if isinstance(event, TemplateStatusUpdate):
            known = self._cache.get((event.name, event.language)) or {}
            changes = {
                "status": status_after(known.get("status") or "", event.event),
                "last_event": event.event.upper(),
            }
            if event.category:
                changes["category"] = event.category.upper()
            await self._update(event, **changes)
        elif isinstance(event, TemplateCategoryUpdate) and event.completed:
            # An impending change is a notice only; the route moves when it is completed.
            await self._update(event, category=event.new_category.upper())

    async def _update(
        self, event: TemplateStatusUpdate | TemplateCategoryUpdate, **changes: str
    ) -> None:
        key = (event.name, event.language)
        row = dict(
            self._cache.get(key)
            or {
                "name": event.name,
                "language": event.language,
                "template_id": event.template_id,
                "account_id": event.account_id,
                "category": "",
                "status": "",
                "components": "[]",
                "last_event": "",
            }
        )
        row.update(changes, updated_at=time.time())
        if event.template_id:
            row["template_id"] = event.template_id
        await self._db.execute(
            _UPSERT,
            row,
        )
        self._cache[key] = row
