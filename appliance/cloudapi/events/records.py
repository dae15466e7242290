"""A verified payload split into records, each with its dedupe key and kind, ready to store."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

from appliance.cloudapi.events.base import Record

ACCOUNT_FIELDS = frozenset(
    {"account_update", "phone_number_quality_update", "message_template_quality_update"}
)


def split(payload: dict[str, Any]) -> list[tuple[str, str, Record]]:
    """Every event of a verified payload as ``(dedupe key, kind, record)``, in payload order."""
    return list(_split(payload))


def _split(payload: dict[str, Any]) -> Iterator[tuple[str, str, Record]]:
    for entry in _dicts(payload.get("entry")):
        account = str(entry.get("id") or "")
        for change in _dicts(entry.get("changes")):
            field_name = str(change.get("field") or "")
            value = change.get("value")
            if not isinstance(value, dict):
                yield _unsupported(account, field_name, value, "value is not an object")
                continue
            if field_name == "messages":
                yield from _split_messages(account, value)
            elif field_name == "message_template_status_update":
                yield (
                    _hash_key("template_status", account, value),
                    "template_status",
                    _rec(account, value),
                )
            elif field_name == "template_category_update":
                yield (
                    _hash_key("template_category", account, value),
                    "template_category",
                    _rec(account, value),
                )
            elif field_name == "user_id_update":
                for update in _dicts(value.get("user_id_update")):
                    yield _hash_key("system", account, update), "system", _rec(account, update)
            elif field_name in ACCOUNT_FIELDS:
                rec = {"a": account, "f": field_name, "v": value}
                yield _hash_key("account", account, [field_name, value]), "account_update", rec
            elif field_name == "user_preferences":
                metadata = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
                contacts = list(_dicts(value.get("contacts")))
                for pref in _dicts(value.get("user_preferences")):
                    rec = {
                        "a": account,
                        "md": metadata,
                        "v": pref,
                        "c": _contact_for(pref, contacts),
                    }
                    yield _hash_key("user_preferences", account, pref), "user_preferences", rec
            else:
                yield _unsupported(account, field_name, value, "")


def _split_messages(account: str, value: dict[str, Any]) -> Iterator[tuple[str, str, Record]]:
    metadata = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
    contacts = list(_dicts(value.get("contacts")))
    for message in _dicts(value.get("messages")):
        wamid = message.get("id")
        key = f"m:{wamid}" if isinstance(wamid, str) and wamid else _hash_key("m", account, message)
        contact = _contact_for(message, contacts)
        yield key, "message", {"a": account, "md": metadata, "m": message, "c": contact}
    for status in _dicts(value.get("statuses")):
        wamid, name = status.get("id"), status.get("status")
        if isinstance(wamid, str) and wamid and isinstance(name, str):
            key = f"s:{wamid}:{name}"
        else:
            key = _hash_key("s", account, status)
        yield key, "status", {"a": account, "md": metadata, "s": status}
    errors = value.get("errors")
    if isinstance(errors, list) and errors:
        yield (
            _hash_key("error", account, errors),
            "error",
            {"a": account, "md": metadata, "e": errors},
        )


def _contact_for(item: dict[str, Any], contacts: list[dict[str, Any]]) -> dict[str, Any] | None:
    sender = item.get("from") or item.get("wa_id")
    for contact in contacts:
        if sender and contact.get("wa_id") == sender:
            return contact
    user_id = item.get("from_user_id") or item.get("user_id")
    for contact in contacts:
        if user_id and contact.get("user_id") == user_id:
            return contact
    # A lone contact block is the sender's only when none of its identifiers says otherwise:
    # attaching someone else's user id would merge two people.
    if len(contacts) == 1 and all(
        not contact_value or not item_value or contact_value == item_value
        for contact_value, item_value in (
            (contacts[0].get("wa_id"), sender),
            (contacts[0].get("user_id"), user_id),
        )
    ):
        return contacts[0]
    return None


def _rec(account: str, value: Any) -> Record:
    return {"a": account, "v": value}


def _unsupported(
    account: str, field_name: str, value: Any, problem: str
) -> tuple[str, str, Record]:
    rec = {"a": account, "f": field_name, "v": value, "p": problem}
    return _hash_key("u", account, [field_name, value]), "unsupported", rec


def _hash_key(prefix: str, account: str, value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return f"{prefix}:{hashlib.sha256(f'{account}|{text}'.encode()).hexdigest()[:32]}"


def _dicts(items: Any) -> Iterator[dict[str, Any]]:
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict):
                yield item
