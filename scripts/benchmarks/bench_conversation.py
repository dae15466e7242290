"""Conversation benchmark: 50 citizens write "Rota" within the same second; how long until the
simulator accepted each one's menu? Measured alone and while a 10,000-recipient campaign sends.
Also the messages the box sends over one full subscription journey (welcome → subscribed with two
profile answers, on a box asking two questions), each one a message Meta may price, and what
they would cost at the rate card's defaults.

The appliance runs as its own `appliance serve` process; the Cloud API simulator (80 msg/s,
inbound and outbound counted together, as Meta does) runs here and posts the signed inbound
webhooks to the real public listener. Latency = simulator time of the accepted menu minus
simulator time the citizen's message was posted.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.support.appliance import PRIVACY_TOML, TEST_CREDENTIALS  # noqa: E402
from tests.support.simulator import RunningSimulator  # noqa: E402

CITIZENS = 50
ROUNDS = 3
CAMPAIGN = 10_000
TARGET_P95 = 1.0
JOURNEY_BEFORE = 8  # messages per journey before the welcome, the notice and the opt-in were merged
JOURNEY_NUMBER = "393340000001"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _config(folder: Path, simulator_url: str, public_url: str = "") -> Path:
    creds = "\n".join(f'{k} = "{v}"' for k, v in TEST_CREDENTIALS.items())
    path = folder / "bench.toml"
    path.write_text(
        f"""
[whatsapp]
{creds}
api_base_url = "{simulator_url}"
[server]
public_bind = "127.0.0.1:{_free_port()}"
lan_bind = "127.0.0.1:{_free_port()}"
public_url = "{public_url}"
[database]
path = "{folder / "bench.db"}"
[zeroconf]
enabled = false
{PRIVACY_TOML}[feeds]
alerts_enabled = false
weather_url = "http://127.0.0.1:9/forecast"
""",
        encoding="utf-8",
    )
    return path


async def _prepare(db_path: Path, subscribers: int, questions: tuple[str, ...] = ()) -> str:
    """Schema, an operator token and ``subscribers`` active subscribers with an open window."""
    from appliance.core.db import Database
    from appliance.lan.tokens import create_token

    db = Database(db_path)
    await db.start()
    try:
        token = await create_token(db, "bench", "operator", "bench")
        now = time.time()
        rows = [(f"39320{i:07d}", now) for i in range(subscribers)]
        await db.executemany(
            "INSERT INTO subscribers (wa_id, status, last_inbound_at, subscribed_at)"
            " VALUES (?, 'active', ?, '2025-01-01T00:00:00.000Z')",
            rows,
        )
        if questions:
            marks = ",".join("?" * len(questions))
            await db.execute(
                f"UPDATE profile_questions SET active = key IN ({marks})", list(questions)
            )
        return token
    finally:
        await db.stop()


def _serve(config: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    """Start the appliance; its log goes to a file (a full pipe would stall it)."""
    log = config.with_suffix(".log")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "appliance", "serve", "--config", str(config)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        for line in log.read_text(errors="replace").splitlines():
            if "Banditore ready:" in line:
                public, lan = line.split("public ")[1].split(", LAN ")
                return proc, public.strip(), lan.strip()
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("appliance did not start:\n" + log.read_text(errors="replace")[-2000:])


async def _burst(sim, numbers: list[str]) -> list[float]:
    """Every citizen writes once, spread over one second; latency of each one's first answer."""
    started: dict[str, float] = {}

    async def write(index: int, number: str) -> None:
        await asyncio.sleep(index / len(numbers))
        started[number] = sim.state.now()
        await sim.inbound({"from": number, "type": "text", "text": "Rota", "name": "Bench"})

    await asyncio.gather(*(write(i, n) for i, n in enumerate(numbers)))
    deadline = time.monotonic() + 20
    wanted = set(numbers)
    while time.monotonic() < deadline:
        answered = {e["to"]: e["at"] for e in reversed(sim.state.accepted) if e["to"] in wanted}
        if len(answered) == len(wanted):
            break
        await asyncio.sleep(0.05)
    return [answered[n] - started[n] for n in numbers if n in answered] + [
        float("inf") for n in numbers if n not in answered
    ]


def _campaign_sent(sim) -> int:
    return sum(1 for e in sim.simulator.state.accepted if e["to"].startswith("39320"))


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def _measure(with_campaign: bool) -> tuple[list[float], float]:
    """Latencies of every citizen's menu, and the campaign's send rate meanwhile (msg/s)."""
    import httpx

    sim = RunningSimulator(
        rate=80.0, tier=0, status_delays={"sent": 0.05, "delivered": None, "read": None}
    )
    sim.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-conv-") as tmp:
            folder = Path(tmp)
            config = _config(folder, sim.url)
            token = asyncio.run(_prepare(folder / "bench.db", CAMPAIGN if with_campaign else 0))
            proc, public, lan = _serve(config)
            try:
                sim.settings.webhook_url = public + "/webhook"
                if with_campaign:
                    for i in range(CAMPAIGN):
                        sim.simulator.state.set_window(f"39320{i:07d}", True)
                    api = httpx.Client(
                        base_url=lan + "/api/v1", headers={"Authorization": f"Bearer {token}"}
                    )
                    created = api.post(
                        "/campaigns",
                        json={
                            "name": "bench",
                            "content": [{"type": "text", "text": "Avviso di prova"}],
                        },
                    ).json()
                    api.post(f"/campaigns/{created['id']}/send", json={})
                    deadline = time.monotonic() + 20
                    while len(sim.simulator.state.accepted) < 200 and time.monotonic() < deadline:
                        time.sleep(0.1)
                latencies: list[float] = []
                campaign_before, started = _campaign_sent(sim), time.monotonic()
                for round_ in range(ROUNDS):
                    numbers = [f"39331{round_:02d}{i:05d}" for i in range(CITIZENS)]
                    latencies += sim.call(_burst(sim.simulator, numbers), timeout=60)
                    time.sleep(2)
                rate = (_campaign_sent(sim) - campaign_before) / (time.monotonic() - started)
                return latencies, rate
            finally:
                proc.kill()
                proc.wait(10)
    finally:
        sim.stop()


def _settled(sim, number: str, seen: int) -> list[dict]:
    """The box's messages to ``number`` once a new one came and no other follows for 0.5 s."""
    deadline = time.monotonic() + 20
    got = sim.messages(number)
    while len(got) <= seen and time.monotonic() < deadline:
        time.sleep(0.05)
        got = sim.messages(number)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        again = sim.messages(number)
        if len(again) == len(got):
            return got
        got = again
    raise RuntimeError(f"the journey stalled after {len(got)} messages")


def _next_move(sim, number: str, body: dict) -> bool:
    """Answer the box's last message as a citizen who subscribes would; False once subscribed."""
    from appliance.conversation.texts import DEFAULTS

    def write(spec: dict) -> None:
        sim.control("inbound", {"from": number, "name": "Bench", **spec})

    def tap(kind: str, reply_id: str) -> None:
        write(
            {
                "type": "interactive",
                "interactive": {"type": kind, kind: {"id": reply_id, "title": ""}},
            }
        )

    if body["type"] == "text":
        text = body["text"]["body"]
        if text.startswith(DEFAULTS["subscribed"].it.split("{")[0]):
            return False
        write({"type": "text", "text": "1, 2"})  # the topics question: two numbers
        return True
    inter = body["interactive"]
    if inter["type"] == "button":
        tap("button_reply", inter["action"]["buttons"][0]["reply"]["id"])  # yes
        return True
    ids = [r["id"] for section in inter["action"]["sections"] for r in section["rows"]]
    pick = next((i for i in ids if i.startswith("menu:4")), None) or next(
        i for i in ids if ":opt:" in i
    )
    tap("list_reply", pick)
    return True


def _journey_cost(database: Path, messages: int) -> float:
    """The journey's price past the free service allowance, from its statuses' pricing."""
    import sqlite3
    from contextlib import closing

    from appliance.cloudapi.pricing import DEFAULT_CARD

    deadline = time.monotonic() + 20
    while True:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
            rows = conn.execute(
                "SELECT pricing_category, billable FROM message_statuses"
                " WHERE recipient_id = ? AND pricing_category IS NOT NULL",
                (JOURNEY_NUMBER,),
            ).fetchall()
        if len(rows) >= messages:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"pricing of {len(rows)} of {messages} journey messages arrived")
        time.sleep(0.2)
    return float(sum(DEFAULT_CARD.rate(c) for c, billable in rows if c == "service" or billable))


def _journey() -> tuple[int, float]:
    """Messages from the welcome to a subscription with two answers, and their price."""
    sim = RunningSimulator(rate=80.0, tier=0)
    sim.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-journey-") as tmp:
            folder = Path(tmp)
            # With its public address the box links the full notice instead of sending it.
            path = _config(folder, sim.url, "https://banditore.comune.example.it")
            asyncio.run(_prepare(folder / "bench.db", 0, questions=("eta", "interessi")))
            proc, public, _ = _serve(path)
            try:
                sim.settings.webhook_url = public + "/webhook"
                sim.control("inbound", {"from": JOURNEY_NUMBER, "type": "text", "text": "Rota"})
                got = _settled(sim, JOURNEY_NUMBER, 0)
                for _ in range(20):
                    if not _next_move(sim, JOURNEY_NUMBER, got[-1]["body"]):
                        return len(got), _journey_cost(folder / "bench.db", len(got))
                    got = _settled(sim, JOURNEY_NUMBER, len(got))
                raise RuntimeError("the journey did not end in a subscription")
            finally:
                proc.kill()
                proc.wait(10)
    finally:
        sim.stop()


def run() -> list[dict]:
    """Messages per subscription journey; p95 and max time to the menu, alone and under load."""
    messages, euros = _journey()
    results = [
        {
            "name": "messages sent per subscription journey (welcome → subscribed, 2 answers)",
            "value": messages,
            "unit": "messages",
            "target": f"<= {JOURNEY_BEFORE // 2} (was {JOURNEY_BEFORE})",
        },
        {
            "name": "estimated cost per subscription journey past the 1,000 free service"
            " replies a month (Meta's Italian rates; free within them)",
            "value": round(euros, 4),
            "unit": "€",
            "target": "report",
        },
    ]
    for label, with_campaign in (("", False), (" during a 10k campaign", True)):
        latencies, rate = _measure(with_campaign)
        if with_campaign:
            results.append(
                {
                    "name": "campaign sends meanwhile",
                    "value": round(rate, 1),
                    "unit": "msg/s",
                    "target": "> 0",
                }
            )
        results += [
            {
                "name": f"menu answer p95, {CITIZENS} citizens in one second{label}",
                "value": round(_p95(latencies), 3),
                "unit": "s",
                "target": f"<= {TARGET_P95:g}",
            },
            {
                "name": f"menu answer max{label}",
                "value": round(max(latencies), 3),
                "unit": "s",
                "target": "",
            },
        ]
    return results


if __name__ == "__main__":
    for row in run():
        print(row)
