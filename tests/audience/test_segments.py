"""Segments: compiled to parameters only; an unreachable person is never in an audience."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appliance.audience import recipients, segments
from appliance.core.errors import BadRequest
from appliance.studio.forms import form_rows, segment_from_form
from tests.support.segments import HOSTILE, definitions

pytestmark = pytest.mark.fast

MIGRATIONS = Path(__file__).resolve().parents[2] / "appliance" / "core" / "db" / "migrations"
STATUSES = ("pending", "active", "unsubscribed", "erased")


@pytest.fixture(scope="module")
def db() -> sqlite3.Connection:
    """Every migration applied to an in-memory database, with people of every status."""
    conn = sqlite3.connect(":memory:")
    for path in sorted(MIGRATIONS.glob("*.sql")):
        conn.executescript(path.read_text())
    now = time.time()
    rows = []
    for n in range(240):
        rows.append(
            (
                f"3933{n:08d}",
                STATUSES[n % 4],
                ("it", "en")[n // 4 % 2],
                f"2026-0{1 + n % 9}-1{n % 10}",
                now - (n % 5) * 86400 * 3 if n % 3 else None,
                n % 7 == 0,
            )
        )
    conn.executemany(
        "INSERT INTO subscribers (wa_id, status, language, subscribed_at, last_inbound_at,"
        " marketing_opt_out) VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.execute(
        "INSERT INTO subscriber_topics SELECT s.id, t.id FROM subscribers s, topics t"
        " WHERE (s.id + t.id) % 3 = 0"
    )
    conn.execute(
        "INSERT INTO profile_answers (subscriber_id, question_id, value)"
        " SELECT s.id, q.id, json_quote(CASE s.id % 3 WHEN 0 THEN 'centro' WHEN 1 THEN 'fuori'"
        " ELSE 'frazioni' END) FROM subscribers s, profile_questions q WHERE q.key = 'frazione'"
    )
    conn.commit()
    yield conn
    conn.close()


def people(conn, definition, topics=()):
    where = recipients.who_receives(topics, definition)
    return {
        r[0]: r[1]
        for r in conn.execute(
            "SELECT s.id, s.status FROM subscribers s WHERE " + where.sql, where.params
        )
    }


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(definition=definitions, topics=st.lists(st.sampled_from(["allerte", "notizie"]), max_size=2))
def test_only_active_people_are_ever_in_a_segment(db, definition, topics):
    found = people(db, definition, topics)
    assert set(found.values()) <= {"active"}
    # A marketing send is the same people less those who stopped marketing in WhatsApp.
    where = recipients.who_receives(topics, definition, marketing=True)
    marketing = {
        r[0]: r[1]
        for r in db.execute(
            "SELECT s.id, s.marketing_opt_out FROM subscribers s WHERE " + where.sql, where.params
        )
    }
    assert set(marketing) <= set(found) and not any(marketing.values())
    stopped = {r[0] for r in db.execute("SELECT id FROM subscribers WHERE marketing_opt_out = 1")}
    assert set(found) - set(marketing) == set(found) & stopped


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(definition=definitions)
def test_user_input_never_becomes_sql_text(db, definition):
    compiled = segments.compile_segment(definition)
    # The SQL text depends on the form's shape only: other values give the very same text.
    neutral = {
        **definition,
        "groups": [
            {**g, "conditions": [{**c, "value": _neutral(c)} for c in g["conditions"]]}
            for g in definition["groups"]
        ],
    }
    assert segments.compile_segment(neutral).sql == compiled.sql
    assert compiled.sql.count("?") == len(compiled.params)
    db.execute("SELECT count(*) FROM subscribers s WHERE " + compiled.sql, compiled.params)
    assert db.execute("SELECT count(*) FROM subscribers").fetchone()[0] == 240


def _neutral(condition):
    return {"subscribed": "2000-01-01", "last_interaction": 1}.get(condition["field"], "x")


def test_hostile_values_match_literally(db):
    for value in HOSTILE:
        found = people(
            db, {"groups": [{"conditions": [{"field": "language", "op": "is", "value": value}]}]}
        )
        assert found == {}
        negated = people(
            db, {"groups": [{"conditions": [{"field": "topic", "op": "has_not", "value": value}]}]}
        )
        assert len(negated) == 60  # every active person: nobody follows a topic by that name


def test_and_or_groups(db):
    it = {"field": "language", "op": "is", "value": "it"}
    en = {"field": "language", "op": "is", "value": "en"}
    centro = {"field": "answer", "question": "frazione", "op": "is", "value": "centro"}
    both = people(db, {"match": "all", "groups": [{"conditions": [it, centro]}]})
    either = people(db, {"match": "all", "groups": [{"match": "any", "conditions": [it, en]}]})
    assert len(either) == 60
    assert both and all(
        db.execute("SELECT language FROM subscribers WHERE id = ?", (i,)).fetchone()[0] == "it"
        for i in both
    )
    any_group = people(
        db, {"match": "any", "groups": [{"conditions": [it]}, {"conditions": [centro]}]}
    )
    assert set(both) <= set(any_group) and len(any_group) > len(both)


def test_recent_interaction_and_subscription_date(db):
    recent = people(
        db,
        {
            "groups": [
                {"conditions": [{"field": "last_interaction", "op": "within_days", "value": 1}]}
            ]
        },
    )
    stale = people(
        db,
        {
            "groups": [
                {"conditions": [{"field": "last_interaction", "op": "not_within_days", "value": 1}]}
            ]
        },
    )
    assert recent and stale and not set(recent) & set(stale) and len(recent) + len(stale) == 60
    early = people(
        db,
        {
            "groups": [
                {"conditions": [{"field": "subscribed", "op": "before", "value": "2026-03-01"}]}
            ]
        },
    )
    late = people(
        db,
        {
            "groups": [
                {"conditions": [{"field": "subscribed", "op": "after", "value": "2026-03-01"}]}
            ]
        },
    )
    assert len(early) + len(late) == 60


@pytest.mark.parametrize(
    "bad",
    [
        [],
        {"groups": "x"},
        {"match": "xor"},
        {"groups": [{"conditions": [{"field": "sql", "op": "is", "value": "1"}]}]},
        {"groups": [{"conditions": [{"field": "topic", "op": "= 1 OR", "value": "x"}]}]},
        {
            "groups": [
                {"conditions": [{"field": "answer", "question": "a b'", "op": "is", "value": "x"}]}
            ]
        },
        {"groups": [{"conditions": [{"field": "subscribed", "op": "before", "value": "ieri"}]}]},
        {
            "groups": [
                {"conditions": [{"field": "last_interaction", "op": "within_days", "value": "x"}]}
            ]
        },
        {"groups": [{"conditions": [{"field": "language", "op": "is", "value": "x" * 201}]}]},
        {"groups": [{"conditions": []}] * 5},
    ],
)
def test_malformed_definitions_are_refused(bad):
    with pytest.raises(BadRequest):
        segments.parse(bad)


def test_the_form_rows_round_trip():
    definition = {
        "match": "any",
        "groups": [
            {"match": "all", "conditions": [{"field": "topic", "op": "has", "value": "allerte"}]},
            {
                "match": "any",
                "conditions": [
                    {"field": "answer", "question": "eta", "op": "is", "value": "65+"},
                    {"field": "last_interaction", "op": "within_days", "value": 30},
                ],
            },
        ],
    }
    again = segments.parse(segment_from_form(form_rows(segments.parse(definition))))
    assert json.dumps(again, sort_keys=True) == json.dumps(
        segments.parse(definition), sort_keys=True
    )
