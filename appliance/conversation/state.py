"""The conversation's own records: each citizen's current step and the chat lines staff read."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from appliance.cloudapi.events import (
    AudioMessage,
    ButtonReply,
    ListReply,
    LocationMessage,
    MediaMessage,
    Message,
)
from appliance.conversation.commands import text_of
from appliance.conversation.turn import State

if TYPE_CHECKING:
    from appliance.conversation.turn import Turn
    from appliance.core.db import Database, WriteConnection

_TYPE_LABELS = {
    "image": "[immagine]",
    "video": "[video]",
    "document": "[documento]",
    "audio": "[audio]",
    "sticker": "[sticker]",
    "location": "[posizione]",
    "contacts": "[contatto]",
}


class StateStore:
    """Reads a citizen's step; writes it and the chat lines inside the turn's one write job."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def load(self, sid: int) -> State | None:
        """The citizen's current step, if any."""
        row = await self.db.fetchone(
            "SELECT flow, step, data, updated_at FROM conversation_state WHERE subscriber_id = ?",
            (sid,),
        )
        if row is None:
            return None
        return State(row["flow"], row["step"], json.loads(row["data"]), row["updated_at"])

    async def save_in(
        self, conn: WriteConnection, turn: Turn, answers: list[tuple[Any, str]], now: float
    ) -> None:
        """The new step (when it changed), the citizen's line and the answers' lines."""
        sid, state, message = turn.sid, turn.state, turn.message
        if turn.state_changed:
            if state is None:
                await conn.execute("DELETE FROM conversation_state WHERE subscriber_id = ?", (sid,))
            else:
                await conn.execute(
                    "INSERT INTO conversation_state (subscriber_id, flow, step, data,"
                    " updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (subscriber_id) DO"
                    " UPDATE SET flow = excluded.flow, step = excluded.step,"
                    " data = excluded.data, updated_at = excluded.updated_at",
                    (sid, state.flow, state.step, json.dumps(state.data), now),
                )
        text = text_of(message)
        await conn.execute(
            "INSERT INTO chat_messages (subscriber_id, direction, at, wamid, type, text,"
            " inbox) VALUES (?, 'in', ?, ?, ?, ?, ?)",
            (
                sid,
                now,
                message.wamid,
                message.type,
                text if text is not None else label_of(message),
                int(turn.inbox),
            ),
        )
        await conn.executemany(
            "INSERT INTO chat_messages (subscriber_id, direction, at, type, text, handled)"
            " VALUES (?, 'out', ?, ?, ?, 1)",
            [(sid, now, m[0], summary) for m, summary in answers],
        )


def label_of(message: Message) -> str:
    """The chat line of a message that is not typed text."""
    label_ = _TYPE_LABELS.get(message.type, f"[{message.type}]")
    if isinstance(message, AudioMessage) and message.voice:
        label_ = "[messaggio vocale]"
    caption = getattr(message, "caption", "") if isinstance(message, MediaMessage) else ""
    if isinstance(message, LocationMessage):
        caption = f"{message.latitude},{message.longitude} {message.name} {message.address}".strip()
    if isinstance(message, ButtonReply | ListReply):
        return f"[{message.title}]"
    return f"{label_} {caption}".strip()
