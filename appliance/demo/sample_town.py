"""The demo's sample town: invented citizens, past campaigns, questions, a ready box. Made once."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appliance.audience.store import AUDIENCE
from appliance.cloudapi.client import CLOUDAPI
from appliance.demo.parts import DEMO_PHONE, SIMULATOR

if TYPE_CHECKING:
    from appliance.core.context import Appliance
    from appliance.core.db.writer import WriteConnection

log = logging.getLogger(__name__)

MEDIA = Path(__file__).resolve().parent / "data" / "media"
MARKER = "demo.sample_town"  # settings key: set in the same transaction as the bulk data
DAY = 86400.0
CITIZENS = 320
# Invented numbers: +39 0000 is no Italian prefix, so none of these can belong to anyone.
NUMBER_BASE = 390000010000
# The demo phone's own citizens (chats to switch between); the first receives emergency drills.
PHONE_CITIZENS = (
    ("390000019001", "Giulia Esempio"),
    ("390000019002", "Marco Fittizio"),
    ("390000019003", "Rosa Inventata"),
)
FIRST = (
    "Anna", "Bruno", "Carla", "Dario", "Elena", "Franco", "Gina", "Luca", "Marta", "Nino",
    "Olga", "Piero", "Rita", "Sergio", "Teresa", "Ugo", "Vera", "Walter", "Zoe", "Aldo",
)  # fmt: skip
LAST = ("Esempio", "Fittizi", "Prova", "Campione", "Inventati", "Immaginari", "Demo", "Finti")
AGES = (("14-29", 0.16), ("30-49", 0.32), ("50-64", 0.28), ("65+", 0.24))
HAMLETS = (("centro", 0.55), ("frazioni", 0.35), ("fuori", 0.10))
TOPIC_SHARES = (("allerte", 0.9), ("notizie", 0.7), ("eventi", 0.5))  # who chose each topic
TOWN = {
    "display_name": "Comune di Rota d'Imagna (demo)",
    "address": "Via Roma 1, 24037 Rota d'Imagna (BG) – indirizzo di esempio",
    "phone": "035 000 0000 (numero di esempio)",
    "email": "protocollo@comune.esempio.it",
    "pec": "comune.esempio@pec.esempio.it",
    "office_hours": "Lunedì–venerdì 9:00–12:30\nGiovedì anche 15:00–17:30\nSabato chiuso",
    "dpo_contact": "Studio RPD di Esempio S.r.l., rpd@esempio.it (dato di esempio)",
    "accessibility_contact": "accessibilita@comune.esempio.it",
    "legal_basis_act": "Deliberazione del Consiglio comunale n. 0 del 1° gennaio 2026 (atto di esempio)",
}
QUESTIONS = (
    ("390000019002", "Buongiorno, quando riapre la biblioteca dopo i lavori?", 0.2),
    (
        "390000010007",
        "La strada per Valsecca è ghiacciata stamattina, potete mandare il sale?",
        0.6,
    ),
    ("390000010015", "Si può pagare la TARI allo sportello del Comune o solo online?", 1.3),
)


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([k for k, _ in weighted], [w for _, w in weighted])[0]


def _campaigns(media: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Four past campaigns: what they said, when, to whom and how they went."""
    return [
        {
            "name": "Chiusura di via Roma per lavori",
            "ago": 96,
            "topic": "notizie",
            "category": "UTILITY",
            "content": [
                {
                    "type": "text",
                    "text": "*Via Roma chiusa* da lunedì a mercoledì per il rifacimento dell'asfalto.\nDeviazione da via Valsecca.",
                },
                {
                    "type": "location",
                    "latitude": 45.8297,
                    "longitude": 9.5108,
                    "name": "Via Roma",
                    "address": "Rota d'Imagna (BG)",
                },
            ],
            "read": 0.78,
        },
        {
            "name": "Festa di San Bartolomeo",
            "ago": 62,
            "topic": "eventi",
            "category": "MARKETING",
            "content": [
                {
                    "type": "text",
                    "text": "Vi aspettiamo sabato in piazza per la *Festa di San Bartolomeo*: musica, polenta e giochi per i bambini.",
                }
            ],
            "read": 0.64,
        },
        {
            "name": "Nuovo calendario della raccolta differenziata",
            "ago": 31,
            "topic": "notizie",
            "category": "UTILITY",
            "content": [
                {
                    "type": "text",
                    "text": "È uscito il nuovo calendario della raccolta differenziata: lo trovate sul sito del Comune e all'ufficio tecnico.",
                }
            ],
            "read": 0.71,
        },
        {
            "name": "Allerta gialla per temporali",
            "ago": 12,
            "topic": "allerte",
            "category": "UTILITY",
            "content": [
                {
                    "type": "text",
                    "text": "⚠️ *Allerta gialla* per temporali sulle Orobie bergamasche fino a domani sera. Evitate i sottopassi e le zone vicine ai torrenti.",
                }
            ],
            "read": 0.83,
        },
    ]


async def create_sample_town(appliance: Appliance) -> bool:
    """Fill an empty demo once; False when it was filled before (a restart changes nothing)."""
    db = appliance.db
    if await db.fetchval("SELECT 1 FROM settings WHERE key = ?", (MARKER,)):
        return False
    from appliance.accounts.town import save_town_data
    from appliance.audience import notice

    await save_town_data(db, appliance.config, TOWN, "demo", "")
    await notice.publish_first_when_ready(db, appliance.config)  # the facts are complete now
    await _sync_templates(appliance)
    await _arm_emergency(appliance)
    now = time.time()
    media = await _library(appliance)
    created = await db.write(lambda conn: _bulk(conn, now, _campaigns(media)))
    if not created:
        return False
    await _leavers(appliance)
    await _backup(appliance)
    await _phone_chats(appliance)
    log.warning("demo: sample town created (%d invented citizens)", CITIZENS)
    return True


async def _sync_templates(appliance: Appliance) -> None:
    """The simulator's approved templates, read as the Templates page would."""
    await appliance.parts[CLOUDAPI].list_templates()


async def _arm_emergency(appliance: Appliance) -> None:
    from appliance.box.armed import arm

    await arm(
        appliance.db,
        template_name="emergenza",
        language="it",
        parameters=["esondazione del torrente Imagna: allontanatevi dalle sponde"],
        follow_up="Aggiornamenti su questo canale e sul sito del Comune.",
        test_mode=True,
        actor="demo",
    )


async def _library(appliance: Appliance) -> dict[str, dict[str, Any]]:
    """The campaigns' poster and PDF, in the studio's media library as staff would add them."""
    from appliance.campaigns.media import MediaLibrary

    library = MediaLibrary(appliance)
    files = {"festa.png": "image/png", "calendario-raccolta.pdf": "application/pdf"}
    return {
        name: await library.add((MEDIA / name).read_bytes(), mime, name)
        for name, mime in files.items()
    }


async def _bulk(conn: WriteConnection, now: float, campaigns: list[dict[str, Any]]) -> bool:
    """Citizens, answers, topics, campaigns with their delivery history, inbox questions."""
    async with conn.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
        (MARKER, str(int(now))),
    ) as cursor:
        if cursor.rowcount == 0:
            return False
    rng = random.Random(19)
    questions = {
        r["key"]: r["id"]
        for r in await (await conn.execute("SELECT id, key FROM profile_questions")).fetchall()
    }
    topics = {
        r["key"]: r["id"]
        for r in await (await conn.execute("SELECT id, key FROM topics")).fetchall()
    }
    people = []  # (sid, wa_id, joined_at, topic keys)
    for n in range(CITIZENS):
        wa_id = str(NUMBER_BASE + n)
        name = f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST)) % len(LAST)]}"
        joined = now - rng.uniform(5, 200) * DAY
        chosen = [key for key, share in TOPIC_SHARES if rng.random() < share] or ["allerte"]
        iso = _iso(joined)
        cursor = await conn.execute(
            "INSERT INTO subscribers (wa_id, status, profile_name, subscribed_at, last_inbound_at,"
            " created_at, source) VALUES (?, 'active', ?, ?, ?, ?, 'chat')",
            (wa_id, name, iso, joined, iso),
        )
        sid = cursor.lastrowid
        await conn.execute(
            "INSERT INTO consents (subscriber_id, at, kind, notice_version, wamid)"
            " VALUES (?, ?, 'opted_in', 1, ?)",
            (sid, iso, f"wamid.DEMO{sid:06d}"),
        )
        answers = {"eta": _pick(rng, AGES), "frazione": _pick(rng, HAMLETS), "interessi": chosen}
        for key, value in answers.items():
            await conn.execute(
                "INSERT INTO profile_answers (subscriber_id, question_id, value, answered_at)"
                " VALUES (?, ?, ?, ?)",
                (sid, questions[key], json.dumps(value), iso),
            )
        await conn.executemany(
            "INSERT INTO subscriber_topics (subscriber_id, topic_id) VALUES (?, ?)",
            [(sid, topics[k]) for k in chosen],
        )
        people.append((sid, wa_id, joined, chosen))
    for campaign in campaigns:
        await _campaign(conn, rng, campaign, now, people)
    by_number = {wa_id: sid for sid, wa_id, _, _ in people}
    for wa_id, text, days_ago in QUESTIONS:
        sid = by_number.get(wa_id)
        if sid is None:
            sid = (
                await conn.execute(
                    "INSERT INTO subscribers (wa_id, status, profile_name, last_inbound_at)"
                    " VALUES (?, 'pending', ?, ?)",
                    (wa_id, dict(PHONE_CITIZENS).get(wa_id, "Cittadino"), now - days_ago * DAY),
                )
            ).lastrowid
        await conn.execute(
            "INSERT INTO chat_messages (subscriber_id, direction, at, wamid, type, text, inbox)"
            " VALUES (?, 'in', ?, ?, 'text', ?, 1)",
            (sid, now - days_ago * DAY, f"wamid.DEMOQ{sid:06d}", text),
        )
    return True


async def _campaign(
    conn: WriteConnection, rng: random.Random, spec: dict[str, Any], now: float, people: list
) -> None:
    """One finished campaign and the delivery history of each of its recipients."""
    start = now - spec["ago"] * DAY + 10 * 3600
    audience = [p for p in people if p[2] < start and spec["topic"] in p[3]]
    cursor = await conn.execute(
        "INSERT INTO campaigns (name, status, category, audience, content, recipients,"
        " created_by, created_at, started_at, finished_at, send_at)"
        " VALUES (?, 'done', ?, ?, ?, ?, 'demo', ?, ?, ?, ?)",
        (
            spec["name"],
            spec["category"],
            json.dumps({"topics": [spec["topic"]]}),
            json.dumps(spec["content"]),
            len(audience),
            start - 3600,
            start,
            start + 900,
            start,
        ),
    )
    campaign_id = cursor.lastrowid
    for index, (sid, wa_id, _, _) in enumerate(audience):
        sent_at = start + index * 0.4
        roll = rng.random()
        failed = roll < 0.02
        state = (
            "failed"
            if failed
            else "read"
            if roll < spec["read"]
            else "delivered"
            if roll < 0.97
            else "sent"
        )
        history = [("accepted", sent_at), ("sent", sent_at + 1.5)]
        if not failed and state != "sent":
            history.append(("delivered", sent_at + rng.uniform(3, 600)))
        if state == "read":
            history.append(("read", sent_at + rng.expovariate(1 / 5400) + 600))
        cursor = await conn.execute(
            "INSERT INTO outbox (lane, campaign_id, subscriber_id, recipient, part, state, rank,"
            " attempts, wamid, error_code, error_detail, created_at, updated_at)"
            " VALUES (2, ?, ?, ?, 0, ?, ?, 1, ?, ?, ?, ?, ?)",
            (
                campaign_id,
                sid,
                wa_id,
                state,
                {"failed": 9, "read": 4, "delivered": 3, "sent": 2}[state],
                f"wamid.DEMO{campaign_id}{sid:06d}",
                131026 if failed else None,
                "Message undeliverable." if failed else "",
                start - 60,
                history[-1][1],
            ),
        )
        if failed:
            history.append(("failed", sent_at + 2))
        await conn.executemany(
            "INSERT INTO outbox_history (outbox_id, state, at, error_code) VALUES (?, ?, ?, ?)",
            [(cursor.lastrowid, s, at, 131026 if s == "failed" else None) for s, at in history],
        )


async def _leavers(appliance: Appliance) -> None:
    """A few citizens unsubscribed and one erased, through the audience's own paths."""
    audience = appliance.parts[AUDIENCE]
    for n in (3, 41, 77, 150, 233):
        row = await audience.find(str(NUMBER_BASE + n), None)
        await audience.unsubscribe(row, "citizen", "chat")
    row = await audience.find(str(NUMBER_BASE + 199), None)
    await audience.erase(row, "citizen", "chat")


async def _backup(appliance: Appliance) -> None:
    """The first encrypted backup, with the demo's own key, so the Backup page has one."""
    from appliance.backups.backup import create_backup

    await asyncio.to_thread(create_backup, appliance.config, "manual")


async def _phone_chats(appliance: Appliance) -> None:
    """The demo phone's citizens write to the bot, through the simulator and the webhook."""
    simulator = appliance.parts[SIMULATOR]
    store = appliance.parts[DEMO_PHONE]
    keyword = appliance.config.keyword
    for (wa_id, name), text in zip(PHONE_CITIZENS, (keyword, keyword, "Ciao"), strict=True):
        at = simulator.state.now()
        message = {"type": "text", "text": text}
        result = await simulator.inbound({"from": wa_id, "name": name, **message})
        await store.record_inbound(wa_id, result["wamid"], at, message)


def _iso(moment: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))
