"""A running appliance fed identity webhooks: post, wait until handled, read what became of people."""

from __future__ import annotations

from typing import Any

from appliance.audience.store import AUDIENCE
from appliance.campaigns.engine import CAMPAIGNS
from appliance.campaigns.model import parse_campaign
from appliance.cloudapi.events import Identity
from tests.support.appliance import RunningAppliance
from tests.support.db import Row, rows
from tests.support.payloads import Person
from tests.support.settled import settled
from tests.support.simulator import RunningSimulator
from tests.support.waiting import wait_until
from tests.support.webhooks import post_webhook

UNSUBSCRIBED_TEXT = "Hai annullato l'iscrizione"


class Town:
    """The bot, the simulator and helpers over the real webhook path."""

    def __init__(self, bot: RunningAppliance, simulator: RunningSimulator) -> None:
        self.bot, self.sim = bot, simulator
        self.audience = bot.appliance.parts[AUDIENCE]
        self.clock = 1_760_000_000

    def tick(self) -> int:
        """A later Unix time for the next webhook."""
        self.clock += 7
        return self.clock

    def sql(self, sql: str, params: Any = ()) -> list[Row]:
        """Rows of a query."""
        return rows(self.bot, sql, params)

    def open_window(self, *keys: str) -> None:
        """Meta's 24-hour window open for these recipients (the bot answers free-form)."""
        for key in keys:
            self.sim.simulator.state.set_window(key, True)

    def subscribe(self, who: Identity) -> int:
        """Someone subscribed by one identifier, through the real store (consent recorded)."""
        row = self.bot.call(self.audience.ensure(who, self.tick()))
        self.bot.call(
            self.audience.activate(row, notice_version=1, wamid="wamid.SUB", topic_keys=None)
        )
        return row["id"]

    def post(self, payload: dict[str, Any]) -> None:
        """Deliver a signed webhook and wait until it and every answer it caused are handled."""
        assert post_webhook(self.bot.public_url, payload).status_code == 200
        wait_until(lambda: settled(self.bot), 20, what="the webhook and its answers handled")

    def dead_letters(self) -> list[dict[str, Any]]:
        """Events parked as dead letters."""
        return self.sql("SELECT kind, last_error FROM webhook_events WHERE state = 'dead'")

    def people(self, wa_ids: set[str], user_ids: set[str]) -> list[dict[str, Any]]:
        """Rows holding any of these identifiers."""
        marks_w, marks_u = ",".join("?" * len(wa_ids)), ",".join("?" * len(user_ids))
        return self.sql(
            f"SELECT * FROM subscribers WHERE wa_id IN ({marks_w}) OR user_id IN ({marks_u})",
            [*wa_ids, *user_ids],
        )

    def texts_to(self, *keys: str) -> list[str]:
        """Texts the bot sent to these recipients (number or user id)."""
        found = []
        for key in keys:
            for m in self.sim.messages(key):
                body = m["body"]
                if body.get("type") == "text":
                    found.append(body["text"]["body"])
                elif body.get("type") == "interactive":
                    found.append(body["interactive"]["body"]["text"])
        return found

    def campaign_reaches(self, *keys: str) -> tuple[int, set[str]]:
        """Send a news campaign now: how many it queued, and which of ``keys`` are among them."""
        campaigns = self.bot.appliance.parts[CAMPAIGNS]
        spec = parse_campaign({"name": "Avviso", "content": [{"type": "text", "text": "Avviso"}]})
        campaign_id = self.bot.call(campaigns.create(spec, "test"))
        self.bot.call(campaigns.send(campaign_id, "test"))
        queued = self.sql(
            "SELECT DISTINCT recipient FROM outbox WHERE campaign_id = ?", (campaign_id,)
        )
        recipients = {r["recipient"] for r in queued}
        return len(recipients), recipients & set(keys)


def play(town: Town, person: Person, step: str) -> None:
    """One identity event or command, as Meta would deliver it."""
    town.open_window(person.wa_id, person.user_id)
    if step == "user_only":
        town.post(person.text_user_only("Buongiorno, che orari ha l'anagrafe?", town.tick()))
    elif step == "phone_only":
        town.post(person.text_phone_only("Buongiorno", town.tick()))
    elif step == "both":
        town.post(person.text_both("Grazie", town.tick()))
    elif step == "stop_both":
        town.post(person.text_both("STOP", town.tick()))
    elif step == "changed_user_id":
        town.post(person.changed_user_id(person.user_id + "7", town.tick()))
    elif step == "changed_number":
        town.post(person.changed_number(str(int(person.wa_id) + 1), town.tick()))
    elif step == "user_id_update":
        town.post(person.user_id_update(person.user_id + "8", town.tick()))
    elif step == "delivered":
        town.post(person.delivered(f"wamid.D{town.tick()}", town.clock))
    elif step == "marketing_stop":
        town.post(person.marketing_stop_user_only(town.tick()))
    else:
        raise AssertionError(step)
    town.open_window(person.wa_id, person.user_id)
