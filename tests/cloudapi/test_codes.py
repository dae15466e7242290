import pytest

from appliance.cloudapi.codes import NETWORK, RULES, Action, classify, retry_delay, rule_for

pytestmark = pytest.mark.fast

EXPECTED = {
    Action.RETRY: [130429, 4, 80007, 1, 2, 131016, 133004, 131057, 131000],
    Action.RETRY_RECIPIENT: [131056, 131049],
    Action.NEEDS_TEMPLATE: [131047],
    Action.PERMANENT: [
        100,
        131008,
        131009,
        131051,
        131053,
        132000,
        132001,
        132005,
        132007,
        132012,
        132015,
        132016,
        130472,
        131026,
        131050,
        130403,
        131052,
        132008,
        131021,
        135000,
        131062,
        137000,
        131030,
    ],
    Action.OPERATOR_ALERT: [
        190,
        0,
        3,
        10,
        368,
        131031,
        130497,
        131042,
        131048,
        131064,
        131063,
        131005,
        131037,
        131044,
        131045,
        133010,
    ],
}
CASES = [(code, action) for action, codes in EXPECTED.items() for code in codes]


@pytest.mark.parametrize(("code", "action"), CASES)
def test_each_code(code, action):
    assert classify(code, 400) is action


def test_table_has_exactly_the_documented_codes():
    assert set(RULES) == {code for code, _ in CASES}


@pytest.mark.parametrize("code", [200, 250, 299])
def test_permission_range_alerts_the_operator(code):
    assert classify(code, 403) is Action.OPERATOR_ALERT


def test_subscriber_problems_are_marked():
    assert {c for c, r in RULES.items() if r.recipient} == {
        131026,
        131050,
        130403,
        131052,
        137000,
        131030,
    }


def test_unknown_codes_fall_back_on_http_status():
    assert classify(999999, 400) is Action.PERMANENT
    assert classify(999999, 503) is Action.RETRY
    assert classify(None, 502) is Action.RETRY
    assert rule_for(None, None) is NETWORK


def test_retry_delays_grow_and_end():
    rule = RULES[131056]
    delays = [retry_delay(rule, attempt) for attempt in range(1, rule.max_attempts + 1)]
    assert delays[:-1] == [1, 4, 16, 64, 256]  # 4^X seconds for the pair limit
    assert delays[-1] is None
    assert retry_delay(RULES[131047], 1) is None
    assert retry_delay(RULES[190], 1) is None
    assert retry_delay(RULES[131049], 1) >= 24 * 3600
