"""Random orders of identity events and commands: an opt-out is never lost, nothing is parked."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appliance.audience.suppression import SUPPRESSION
from appliance.cloudapi.events import Identity
from tests.support.identity_town import play
from tests.support.payloads import Person

pytestmark = pytest.mark.slow

EVENTS = (
    "user_only",
    "phone_only",
    "both",
    "changed_user_id",
    "changed_number",
    "user_id_update",
    "delivered",
    "marketing_stop",
)
_people = itertools.count(1)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    known_by=st.sampled_from(["phone", "user_id", "both"]),
    events=st.lists(st.sampled_from(EVENTS), max_size=6),
    stop_at=st.integers(0, 6),
)
def test_an_opt_out_is_never_lost(town, known_by, events, stop_at):  # noqa: F811
    n = next(_people)
    # Number changes add 1 and user id changes append a digit: each person has its own space.
    person = Person(wa_id=f"39347{n:04d}000", user_id=f"IT.P{n}Q")
    town.subscribe(
        Identity(
            wa_id=person.wa_id if known_by != "user_id" else None,
            user_id=person.user_id if known_by != "phone" else None,
        )
    )
    steps = list(events)
    steps.insert(min(stop_at, len(steps)), "stop_both")
    ever_wa, ever_user = {person.wa_id}, {person.user_id}
    for step in steps:
        play(town, person, step)
        ever_wa.add(person.wa_id)
        ever_user.add(person.user_id)

    assert town.dead_letters() == []
    (row,) = town.people({person.wa_id}, {person.user_id})
    assert (row["wa_id"], row["user_id"], row["status"]) == (
        person.wa_id,
        person.user_id,
        "unsubscribed",
    )
    # Nobody by an old number or user id is left reachable either.
    others = {r["status"] for r in town.people(ever_wa, ever_user) if r["id"] != row["id"]}
    assert others <= {"pending"}
    if "marketing_stop" in steps:
        assert row["marketing_opt_out"] == 1
    suppression = town.bot.appliance.parts[SUPPRESSION]
    assert town.bot.call(suppression.is_suppressed(person.wa_id, None))
    assert town.bot.call(suppression.is_suppressed(None, person.user_id))
    _, reached = town.campaign_reaches(person.wa_id, person.user_id)
    assert reached == set()
