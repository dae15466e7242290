"""The decision table, code by code, without an event loop."""

import pytest

from appliance.campaigns.model import EXPIRED, FAILED, NEEDS_TEMPLATE
from appliance.campaigns.policy import Failure, Verdict, decide

pytestmark = pytest.mark.fast

NOW = 1_800_000_000.0
DAY = 86400.0


def test_131050_is_final_for_the_person_and_sets_the_marketing_opt_out():
    d = decide(Failure(131050, now=NOW))
    assert (d.verdict, d.state, d.skip_person, d.marketing_opt_out) == (
        Verdict.FINAL,
        FAILED,
        True,
        True,
    )


@pytest.mark.parametrize("code", [131026, 130403])
def test_unreachable_people_have_their_remaining_parts_skipped(code):
    d = decide(Failure(code, now=NOW, asynchronous=True))
    assert d.verdict is Verdict.FINAL and d.skip_person and not d.marketing_opt_out


def test_131049_is_retried_after_a_day_or_skipped_when_the_news_would_be_stale():
    later = decide(Failure(131049, now=NOW))
    assert later.verdict is Verdict.RETRY and later.retry_at == NOW + DAY
    stale = decide(Failure(131049, now=NOW, expires_at=NOW + 3600))
    assert stale.verdict is Verdict.FINAL and stale.state == EXPIRED
    assert "ends" in stale.meaning
    assert decide(Failure(131049, now=NOW, attempts=1)).verdict is Verdict.FINAL  # once only
    assert decide(Failure(131049, now=NOW, reply=True)).verdict is Verdict.FINAL


def test_131047_takes_the_template_path_for_campaigns_only():
    d = decide(Failure(131047, now=NOW, asynchronous=True))
    assert (d.state, d.template_path, d.skip_person) == (NEEDS_TEMPLATE, True, True)
    assert not decide(Failure(131047, now=NOW, reply=True)).template_path


@pytest.mark.parametrize("code", [190, 0, 10, 200, 299])
def test_token_and_permission_codes_hold_every_lane(code):
    d = decide(Failure(code, http_status=401, now=NOW))
    assert d.verdict is Verdict.HOLD and not d.counts_attempt and d.retry_at == NOW


@pytest.mark.parametrize(
    "code", [131031, 131042, 131048, 368, 133010, 131037, 131044, 131045, 131005]
)
def test_account_codes_stop_the_campaign_and_alert_staff(code):
    d = decide(Failure(code, now=NOW))
    assert d.verdict is Verdict.ALERT and not d.counts_attempt
    assert decide(Failure(code, now=NOW, reply=True)).verdict is Verdict.FINAL


def test_throughput_slows_every_lane_and_costs_no_attempt():
    d = decide(Failure(130429, http_status=429, now=NOW))
    assert d.verdict is Verdict.RETRY and d.slow_down > 0 and not d.counts_attempt


def test_server_trouble_is_retried_with_backoff_then_final():
    first = decide(Failure(131000, http_status=500, now=NOW))
    assert first.verdict is Verdict.RETRY and first.outage and first.retry_at > NOW
    assert decide(Failure(131000, http_status=500, attempts=5, now=NOW)).verdict is Verdict.FINAL
    # A failed status is no outage of the API: the request had been accepted.
    assert not decide(Failure(131000, now=NOW, asynchronous=True)).outage


@pytest.mark.parametrize("code", [132000, 132001, 132015, 132016, 131053, 130472, 131021])
def test_request_problems_are_final_for_that_row_only(code):
    d = decide(Failure(code, now=NOW))
    assert d.verdict is Verdict.FINAL and not d.skip_person and not d.marketing_opt_out


def test_131062_sends_a_user_id_message_again_to_the_number_but_never_a_number_message():
    by_user_id = decide(Failure(131062, now=NOW, by_user_id=True, asynchronous=True))
    assert (by_user_id.verdict, by_user_id.to_number) == (Verdict.FINAL, True)
    by_number = decide(Failure(131062, now=NOW, reply=True))
    assert (by_number.verdict, by_number.to_number) == (Verdict.FINAL, False)
