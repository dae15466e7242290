"""The campaign studio under test: the engine plus the studio's part, staff and test media."""

from __future__ import annotations

import re
from typing import Any

from appliance.cloudapi.client import CLOUDAPI
from appliance.studio import STUDIO
from tests.support.engine import Engine
from tests.support.staff import add_user, login

# A PNG of one pixel and a PDF with a text layer / without one (a scan).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
PDF_TEXT = b"%PDF-1.4\n1 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n%%EOF\n"
PDF_SCAN = b"%PDF-1.4\n1 0 obj<</Type/XObject/Subtype/Image>>endobj\n%%EOF\n"

# A utility template with an image header and the "Leggi" quick reply, approved.
LEGGI = {
    "name": "avviso_leggi",
    "language": "it",
    "category": "UTILITY",
    "status": "APPROVED",
    "components": [
        {"type": "HEADER", "format": "IMAGE"},
        {"type": "BODY", "text": "Avviso del Comune: {{1}}."},
        {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Leggi"}]},
    ],
}


class Studio:
    """The engine helpers plus the studio's part and logged-in staff clients."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.app = engine.app
        self.drafts = engine.app.appliance.parts[STUDIO]
        self.sim = engine.sim
        for role in ("editor", "operator"):
            add_user(self.app, role, role)

    def call(self, coro: Any) -> Any:
        """Run a coroutine in the appliance."""
        return self.app.call(coro)

    def sync_templates(self) -> None:
        """The appliance reads the simulator's templates now."""
        self.call(self.app.appliance.parts[CLOUDAPI].list_templates())

    def add_template(self, spec: dict[str, Any]) -> None:
        """A template on the simulator, known to the appliance."""
        self.sim.control("templates", spec)
        self.sync_templates()

    def upload(self, data: bytes, mime: str, name: str) -> dict[str, Any]:
        """A file in the media library."""
        return self.call(self.drafts.media.add(data, mime, name))

    def draft(
        self,
        *,
        content: list[dict[str, Any]] | None = None,
        template: dict[str, Any] | None = None,
        audience: dict[str, Any] | None = None,
        name: str = "Prova",
        **extra: Any,
    ) -> int:
        """A draft with the given data, straight through the studio's part."""
        draft_id = self.call(self.drafts.create(name, "test"))
        data = self.call(self.drafts.get(draft_id))["data"]
        data.update(
            content=content or [],
            template=template,
            audience=audience or {"segment_id": None, "topics": []},
            **extra,
        )
        self.call(self.drafts.save(draft_id, data))
        return draft_id

    def launch(self, draft_id: int) -> int:
        """Approve and send as an operator; the campaign id."""
        return self.call(self.drafts.launch(draft_id, "operator"))

    def login(self, role: str):
        """A logged-in client of the editor or the operator."""
        return login(self.app, role)

    def campaign(self, campaign_id: int) -> dict[str, Any]:
        """The engine's description of a campaign."""
        return self.engine.show(campaign_id)

    def last_wamid(self, to: str) -> str:
        """The wamid of the latest message the simulator accepted for ``to``."""
        return self.sim.messages(to)[-1]["wamid"]

    def tap_leggi(self, to: str, wamid: str) -> None:
        """The citizen taps the template's quick reply."""
        self.sim.control(
            "inbound",
            {
                "from": to,
                "type": "button",
                "button": {"payload": "Leggi", "text": "Leggi"},
                "context": {"id": wamid},
            },
        )


def draft_id(location: str) -> int:
    """The draft id in a wizard URL."""
    return int(re.search(r"/drafts/(\d+)/", location)[1])


def compose(http, name: str = "Lavori in via Roma") -> int:
    """The wizard's four steps as an editor would fill them; the draft id."""
    created = http.post("/studio/drafts", data={"name": name})
    assert created.status_code in (302, 303), created.text
    draft = draft_id(created.headers["location"])
    step = http.post(f"/studio/drafts/{draft}/audience", data={"name": name, "topics": "notizie"})
    assert step.headers["location"].endswith(f"/drafts/{draft}/content")
    added = http.post(
        f"/studio/drafts/{draft}/content",
        data={"action": "text", "text": "Via Roma chiusa: https://comune.example.it"},
    )
    assert added.status_code in (302, 303), added.text
    uploaded = http.post(
        f"/studio/drafts/{draft}/content",
        data={"action": "media", "caption": "La mappa"},
        files={"file": ("mappa.png", PNG, "image/png")},
    )
    assert uploaded.status_code in (302, 303), uploaded.text
    http.post(
        f"/studio/drafts/{draft}/template",
        data={"template": "avviso_servizio|it", "action": "choose"},
    )
    saved = http.post(
        f"/studio/drafts/{draft}/template",
        data={"template": "avviso_servizio|it", "p0": "Via Roma", "p1": "12/10", "action": "save"},
    )
    assert saved.headers["location"].endswith(f"/drafts/{draft}/preview")
    return draft
