"""Studio benchmark: the live segment count over 100,000 subscribers (target ≤ 100 ms).

The real appliance (tests.support.appliance: real Hypercorn listener, real SQLite file) is seeded with
100,000 subscribers of every status, their topics and profile answers; an editor's browser
asks ``POST /studio/segments/count`` as the segment form changes. Reported: the median over
several requests of the whole HTTP round trip, and of the query alone.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from appliance.audience import recipients, segments  # noqa: E402
from appliance.studio.forms import segment_from_form  # noqa: E402
from tests.support.appliance import RunningAppliance, make_config  # noqa: E402
from tests.support.simulator import RunningSimulator  # noqa: E402
from tests.support.staff import add_user, login  # noqa: E402

SUBSCRIBERS = 100_000
ROUNDS = 15
TARGET_MS = 100.0
FORM = {
    "match": "all",
    "g0_match": "any",
    "g0_c0_rule": "topic:has",
    "g0_c0_value": "allerte",
    "g0_c1_rule": "answer:is",
    "g0_c1_question": "frazione",
    "g0_c1_value": "centro",
    "g1_match": "all",
    "g1_c0_rule": "language:is",
    "g1_c0_value": "it",
    "g1_c1_rule": "last_interaction:not_within_days",
    "g1_c1_value": "30",
}


async def _seed(db) -> None:  # noqa: ANN001 - the appliance's Database
    now = time.time()
    statuses = ("active",) * 8 + ("unsubscribed", "erased")

    async def job(conn) -> None:  # noqa: ANN001
        await conn.executemany(
            "INSERT INTO subscribers (wa_id, status, language, subscribed_at, last_inbound_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                (
                    f"39{n:010d}",
                    statuses[n % 10],
                    "en" if n % 13 == 0 else "it",
                    f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}",
                    now - (n % 90) * 86400 if n % 4 else None,
                )
                for n in range(SUBSCRIBERS)
            ),
        )
        await conn.execute(
            "INSERT INTO subscriber_topics SELECT s.id, t.id FROM subscribers s, topics t"
            " WHERE (s.id + t.id) % 3 = 0"
        )
        await conn.execute(
            "INSERT INTO profile_answers (subscriber_id, question_id, value)"
            " SELECT s.id, q.id, json_quote(CASE s.id % 3 WHEN 0 THEN 'centro'"
            " WHEN 1 THEN 'fuori' ELSE 'frazioni' END)"
            " FROM subscribers s, profile_questions q WHERE q.key = 'frazione'"
        )

    await db.write(job)


def run() -> list[dict]:
    """Median live-count latency over HTTP and of the query alone."""
    with tempfile.TemporaryDirectory() as folder:
        sim = RunningSimulator().start()
        app = None
        try:
            config = make_config(Path(folder), whatsapp={"api_base_url": sim.url})
            app = RunningAppliance(config).start()
            app.call(_seed(app.appliance.db), timeout=300)
            add_user(app, "bench", "editor")
            definition = segments.parse(segment_from_form(FORM))
            query_ms, http_ms = [], []
            with closing(login(app, "bench")) as http:
                count = http.post("/studio/segments/count", data=FORM).json()["count"]
                for _ in range(ROUNDS):
                    started = time.perf_counter()
                    app.call(recipients.count(app.appliance.db, definition))
                    query_ms.append((time.perf_counter() - started) * 1000)
                    started = time.perf_counter()
                    answer = http.post("/studio/segments/count", data=FORM)
                    http_ms.append((time.perf_counter() - started) * 1000)
                    assert answer.json()["count"] == count
        finally:
            if app is not None:
                app.stop()
            sim.stop()
    return [
        {
            "name": f"studio: live segment count, {SUBSCRIBERS:,} subscribers, HTTP (median)",
            "value": round(statistics.median(http_ms), 1),
            "unit": "ms",
            "target": f"<= {TARGET_MS:.0f}",
        },
        {
            "name": "studio: live segment count, query alone (median)",
            "value": round(statistics.median(query_ms), 1),
            "unit": "ms",
            "target": f"<= {TARGET_MS:.0f}",
        },
        {
            "name": "studio: load average during the run (other work shares the cores)",
            "value": round(os.getloadavg()[0], 1),
            "unit": "",
            "target": "-",
        },
        {
            "name": "studio: people in the benchmark segment",
            "value": count,
            "unit": "people",
            "target": "-",
        },
    ]


if __name__ == "__main__":
    for result in run():
        print(result)
