"""Compose-wizard drafts: audience, content, template mapping, preview figures, approval, launch."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from appliance.audience.recipients import ADDRESS, who_receives
from appliance.audience.segments import Compiled, Segments, resend_filter
from appliance.campaigns import DISPATCHER, outbox
from appliance.campaigns.election import Election
from appliance.campaigns.engine import CAMPAIGNS
from appliance.campaigns.model import MAX_PARTS, check_part, parse_campaign
from appliance.cloudapi.client import CLOUDAPI
from appliance.core import audit
from appliance.core.db.writer import compare_and_set
from appliance.core.errors import BadRequest, Conflict, NotFound
from appliance.studio import checks

if TYPE_CHECKING:
    from appliance.campaigns.media import MediaLibrary
    from appliance.core.context import Appliance

EDITING, PENDING, LAUNCHED, REJECTED = "editing", "pending", "launched", "rejected"
LAUNCHABLE = (EDITING, PENDING, REJECTED)
PAIR_SECONDS = 6.0  # one message every 6 s to one person (Meta's pair limit)
MARKETING = "MARKETING"


def empty_data() -> dict[str, Any]:
    """A new draft's data."""
    return {
        "audience": {"segment_id": None, "topics": []},
        "category": "UTILITY",
        "content": [],
        "template": None,
        "send_at": "",
        "expires_at": "",
        "essential": False,
    }


@dataclass
class Preview:
    """What the preview step shows before anyone presses send."""

    total: int
    inside: int
    outside: int
    messages: int
    seconds: float
    category: str
    tier: dict[str, Any]
    template: dict[str, Any] | None
    problems: list[str] = field(default_factory=list)  # block the launch
    warnings: list[str] = field(default_factory=list)  # accessibility and the like

    @property
    def ready(self) -> bool:
        """True when nothing blocks the launch."""
        return not self.problems


class Drafts:
    """``studio_drafts`` and the launch into the broadcast engine."""

    def __init__(self, appliance: Appliance, media: MediaLibrary, election: Election) -> None:
        self._appliance = appliance
        self._db = appliance.db
        self.media = media
        self.election = election
        self.segments = Segments(appliance.db)

    # -- storage ----------------------------------------------------------------------------

    async def create(self, name: str, actor: str) -> int:
        """A new draft."""
        name = name.strip()
        if not name or len(name) > 200:
            raise BadRequest("name: 1-200 characters")
        now = time.time()
        return await self._db.execute(
            "INSERT INTO studio_drafts (name, data, created_by, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (name, json.dumps(empty_data()), actor, now, now),
        )

    async def get(self, draft_id: int) -> dict[str, Any]:
        """One draft with its data decoded; NotFound when missing."""
        row = await self._db.fetchone("SELECT * FROM studio_drafts WHERE id = ?", (draft_id,))
        if row is None:
            raise NotFound(f"no draft {draft_id}")
        return {**dict(row), "data": {**empty_data(), **json.loads(row["data"])}}

    async def all(self) -> list[dict[str, Any]]:
        """Drafts not yet launched, newest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM studio_drafts WHERE state != ? ORDER BY id DESC", (LAUNCHED,)
        )
        return [dict(r) for r in rows]

    async def save(self, draft_id: int, data: dict[str, Any], name: str | None = None) -> None:
        """Replace an editable draft's data (a pending one goes back to editing)."""
        draft = await self.get(draft_id)
        name = (name or draft["name"]).strip()[:200] or draft["name"]
        text = json.dumps(data, ensure_ascii=False)

        async def job(conn: Any) -> None:
            # Not "read, then write": a launch between the two would be undone into editing.
            saved = await compare_and_set(
                conn,
                "studio_drafts",
                draft_id,
                "state",
                LAUNCHABLE,
                EDITING,
                data=text,
                name=name,
                updated_at=time.time(),
            )
            if saved is None:
                raise Conflict("this draft has been launched already")

        await self._db.write(job)

    # -- content ----------------------------------------------------------------------------

    @staticmethod
    def add_part(data: dict[str, Any], part: dict[str, Any]) -> None:
        """Append a content part after checking it against the Cloud API's limits."""
        if len(data["content"]) >= MAX_PARTS:
            raise BadRequest(f"at most {MAX_PARTS} parts")
        check_part(part, len(data["content"]))
        data["content"].append(part)

    # -- figures ----------------------------------------------------------------------------

    async def audience_where(self, data: dict[str, Any]) -> Compiled:
        """The draft's audience as a WHERE fragment over ``subscribers s`` (the one rule)."""
        audience = data["audience"]
        return who_receives(
            audience.get("topics") or [],
            await self._definition(audience),
            marketing=self.category(data) == MARKETING,
        )

    async def _definition(self, audience: dict[str, Any]) -> dict[str, Any] | None:
        """The saved segment's definition, or the draft's own (a resend), or None."""
        if audience.get("segment_id"):
            return (await self.segments.get(int(audience["segment_id"])))["definition"]
        return audience.get("segment")

    def template_row(self, data: dict[str, Any]) -> dict[str, Any] | None:
        """The mapped template as the catalog knows it now (status and category are live)."""
        template = data.get("template")
        if not template:
            return None
        return self._appliance.parts[CLOUDAPI].templates.get(
            template["name"], template.get("language") or "it"
        )

    def category(self, data: dict[str, Any]) -> str:
        """The cost class: the template's latest category decides, else what staff chose."""
        known = self.template_row(data)
        if known and known.get("category") == MARKETING:
            return MARKETING
        return MARKETING if data.get("category") == MARKETING else "UTILITY"

    async def preview(self, draft_id: int) -> Preview:
        """People inside and outside the window, duration, cost class, tier and problems."""
        data = (await self.get(draft_id))["data"]
        where = await self.audience_where(data)
        window_from = time.time() - outbox.DAY + outbox.WINDOW_MARGIN
        row = await self._db.fetchone(
            "SELECT count(*) AS total, sum(coalesce(s.last_inbound_at, 0) > ?) AS inside"
            " FROM subscribers s WHERE " + where.sql,
            [window_from, *where.params],
        )
        total, inside = int(row["total"] or 0), int(row["inside"] or 0)
        content, template = data["content"], data.get("template")
        outside = total - inside if content else total
        if not content:
            inside = 0
        messages = inside * len(content) + (outside if template else 0)
        rate = float(self._appliance.config.campaigns.lane_per_second)
        seconds = max(messages / rate if rate else 0.0, PAIR_SECONDS * max(0, len(content) - 1))
        candidates = (
            [
                r[0]
                for r in await self._db.fetchall(
                    f"SELECT {ADDRESS} FROM subscribers s WHERE "
                    + where.sql
                    + (" AND coalesce(s.last_inbound_at, 0) <= ?" if content else ""),
                    [*where.params, *([window_from] if content else [])],
                )
            ]
            if template
            else []
        )
        tier = self._appliance.parts[DISPATCHER].tier.preflight(total, candidates).as_dict()
        preview = Preview(
            total=total,
            inside=inside,
            outside=outside,
            messages=messages,
            seconds=seconds,
            category=self.category(data),
            tier=tier,
            template=self.template_row(data),
        )
        await checks.add_problems(data, preview, self.election.on, self.media)
        return preview

    async def resend_failed(self, campaign_id: int, actor: str) -> int:
        """A draft copying a finished campaign, to those whose message failed retryably."""
        row = await self._appliance.parts[CAMPAIGNS].row(campaign_id)
        draft_id = await self.create(f"{row['name']} (nuovo invio ai non riusciti)"[:200], actor)
        data = empty_data() | {
            "audience": {
                "segment_id": None,
                "topics": [],
                "segment": resend_filter(campaign_id),
            },
            "category": row["category"],
            "content": json.loads(row["content"] or "[]"),
            "template": json.loads(row["template"]) if row["template"] else None,
        }
        await self.save(draft_id, data)
        return draft_id

    # -- approval and launch ----------------------------------------------------------------

    async def submit(self, draft_id: int, actor: str) -> None:
        """An editor asks an operator or an administrator to approve the draft."""
        await self._set_state(draft_id, PENDING, (EDITING, REJECTED), actor, "studio.submitted")

    async def reject(self, draft_id: int, actor: str, note: str) -> None:
        """Send a pending draft back to its author with a note."""
        await self._set_state(
            draft_id, REJECTED, (PENDING,), actor, "studio.rejected", note=note[:500]
        )

    async def _set_state(
        self,
        draft_id: int,
        state: str,
        allowed: tuple[str, ...],
        actor: str,
        action: str,
        note: str = "",
    ) -> None:
        draft = await self.get(draft_id)
        if draft["state"] not in allowed:
            raise Conflict(f"the draft is {draft['state']}")

        async def job(conn: Any) -> None:
            await conn.execute(
                "UPDATE studio_drafts SET state = ?, decided_by = ?, decision_note = ?,"
                " updated_at = ? WHERE id = ?",
                (state, actor if state != PENDING else "", note, time.time(), draft_id),
            )
            await audit.record_in(conn, actor, action, f"draft {draft_id}", draft["name"])

        await self._db.write(job)

    async def launch(
        self, draft_id: int, actor: str, address: str = "", *, spread: bool = False
    ) -> int:
        """Approve and hand the draft to the broadcast engine (send now or at send_at)."""
        draft = await self.get(draft_id)
        if draft["state"] == LAUNCHED:
            raise Conflict("this draft has been launched already")
        preview = await self.preview(draft_id)
        if not preview.ready:
            raise Conflict(" ".join(preview.problems))
        data = draft["data"]
        body = await self._engine_body(draft["name"], data, preview.category)
        spec = parse_campaign(body)
        campaigns = self._appliance.parts[CAMPAIGNS]
        # A resend's own filter is not a saved segment: it joins the campaign's copy here.
        audience = data["audience"]
        inline = audience.get("segment") if not audience.get("segment_id") else None

        async def claim(conn: Any, campaign_id: int) -> None:
            # In the campaign's own transaction: of two presses at once, one creates it.
            claimed = await compare_and_set(
                conn,
                "studio_drafts",
                draft_id,
                "state",
                LAUNCHABLE,
                LAUNCHED,
                campaign_id=campaign_id,
                decided_by=actor,
                updated_at=time.time(),
            )
            if claimed is None:
                raise Conflict("this draft has been launched already")
            if inline:
                await conn.execute(
                    "UPDATE campaigns SET audience = json_set(audience, '$.segment', json(?))"
                    " WHERE id = ?",
                    (json.dumps(inline, ensure_ascii=False), campaign_id),
                )
            await audit.record_in(
                conn,
                actor,
                "studio.launched",
                f"draft {draft_id}",
                audit.detail("campaign", n=campaign_id),
            )

        campaign_id = await campaigns.create(spec, actor, address, within=claim)
        await campaigns.send(campaign_id, actor, address, spread=spread)
        return campaign_id

    async def _engine_body(self, name: str, data: dict[str, Any], category: str) -> dict[str, Any]:
        """The engine's campaign body, with media ids renewed where they near expiry."""
        content = []
        for part in data["content"]:
            part = dict(part)
            if part.get("media"):
                part["media_id"] = (await self.media.fresh(int(part.pop("media"))))["media_id"]
            content.append(part)
        template = None
        if data.get("template"):
            template = {
                k: data["template"][k]
                for k in ("name", "language", "parameters")
                if k in data["template"]
            }
            header = data["template"].get("header")
            if isinstance(header, dict):  # copied from a campaign: already a media id or text
                template["header"] = header
            elif header:
                row = await self.media.fresh(int(header))
                template["header"] = {"type": row["kind"], "media_id": row["media_id"]}
            for name, text in (data["template"].get("header_text") or {}).items():
                # Meta names a named variable's value; a numbered one goes by position.
                template["header"] = {"type": "text", "text": text}
                if not name.isdigit():
                    template["header"]["name"] = name
        return {
            "name": name,
            "audience": {
                "topics": data["audience"].get("topics") or [],
                "segment_id": data["audience"].get("segment_id"),
            },
            "content": content,
            "template": template,
            "category": category,
            "send_at": data.get("send_at") or None,
            "expires_at": data.get("expires_at") or None,
        }
