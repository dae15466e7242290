"""Pure parts of the engine: token buckets, pair limit, tier parsing and metering."""

from __future__ import annotations

import time

import pytest

from appliance.campaigns.limiter import CAMPAIGN, EMERGENCY, PairLimiter, RateLimiter
from appliance.campaigns.tier import TierMeter, parse_tier

pytestmark = pytest.mark.fast


def _sent_in(limiter: RateLimiter, lane: int, seconds: float) -> int:
    sent, end = 0, time.monotonic() + seconds
    while time.monotonic() < end:
        if limiter.wait(lane) == 0:
            limiter.take(lane)
            sent += 1
        else:
            time.sleep(0.001)
    return sent


def test_campaigns_keep_to_their_share_and_emergencies_may_use_the_whole_number():
    limiter = RateLimiter(throughput=80, campaign_rate=70)
    assert 60 <= _sent_in(limiter, CAMPAIGN, 1.0) <= 80
    limiter = RateLimiter(throughput=80, campaign_rate=70)
    assert 70 <= _sent_in(limiter, EMERGENCY, 1.0) <= 90


def test_inbound_messages_use_the_numbers_tokens():
    limiter = RateLimiter(throughput=20, campaign_rate=20)
    for _ in range(20):
        limiter.note_inbound()
    assert limiter.wait(CAMPAIGN) > 0.5  # twenty inbound messages are a second of the number


def test_a_130429_lowers_the_rate_and_it_recovers():
    limiter = RateLimiter(throughput=80, campaign_rate=70)
    limiter.slow_down(0.0)
    assert limiter.factor == pytest.approx(0.7, abs=0.01)
    assert limiter.current_rate < 50


def test_the_pair_limit_allows_a_small_burst_then_one_per_six_seconds():
    pairs = PairLimiter()
    assert [pairs.wait("39333") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert 5.5 < pairs.wait("39333") <= 6.0
    assert pairs.wait("39444") == 0.0  # another person is not slowed


@pytest.mark.parametrize(
    ("value", "tier"),
    [
        ("TIER_250", 250),
        ("TIER_2K", 2000),
        ("TIER_100K", 100000),
        ("TIER_UNLIMITED", 0),
        ("nonsense", None),
    ],
)
def test_tier_names_from_meta(value, tier):
    assert parse_tier(value) == tier


def test_the_meter_counts_unique_people_in_a_moving_day():
    meter = TierMeter(db=None, configured=2)  # type: ignore[arg-type]
    now = time.time()
    assert meter.admit("a", now) == 0 and meter.admit("a", now) == 0
    assert meter.admit("b", now) == 0
    assert meter.admit("c", now) > 23 * 3600  # full until a day after the first
    assert meter.admit("c", now + 86401) == 0  # a day later the first ones left the window
    check = meter.preflight(5, ["a", "d", "e"])
    assert (check.template_recipients, check.limit) == (3, 2)
