"""Account and number health: Meta's notices become a dashboard line, the LED, an audit entry."""

import json
import re
from dataclasses import replace

import pytest

from appliance.box.state import BoxState, decide
from appliance.cloudapi.account import CHECK_KEY, AccountHealth, standing_of
from appliance.cloudapi.events import AccountNotice
from appliance.core.text import Text
from appliance.lan.i18n import catalog, translate
from tests.support.appliance import RunningAppliance
from tests.support.meta import CORPUS
from tests.support.waiting import wait_until
from tests.support.webhooks import post_webhook

# In the fast subset: the unit-level tests and one real appliance per capability.


def _check(app):
    checks = app.call(app.appliance.health.snapshot())
    return next(c for c in checks if c.key == CHECK_KEY), checks


def _post(app, name):
    assert post_webhook(app.public_url, (CORPUS / name).read_bytes()).status_code == 200


def _audited(app):
    rows = app.call(
        app.appliance.db.fetchall(
            "SELECT actor, action, target, detail FROM audit_log WHERE action = 'account.notice'"
        )
    )
    return [tuple(r) for r in rows]


class _NoEmergency:
    state = None


@pytest.mark.fast
def test_a_scheduled_ban_is_an_error_in_plain_words_and_survives_a_restart(running, config):
    assert _check(running)[0].status == "ok"
    _post(running, "java-api/accountBanned.json")
    check, checks = wait_until(lambda: (c := _check(running))[0].status == "error" and c)
    assert check.value == "Meta disattiva l'account dal 31 gennaio 2021"
    assert "Meta Business Suite" in check.explanation
    assert decide(checks, _NoEmergency()).state is BoxState.DEGRADED  # the LED
    assert _audited(running) == [("meta", "account.notice", "account", check.value)]
    running.stop()
    again = RunningAppliance(config).start()
    try:
        assert _check(again)[0].status == "error"
        _post(again, "pywa/account_update__account_disabled.json")  # REINSTATE
        wait_until(lambda: _check(again)[0].status == "ok")
    finally:
        again.stop()


@pytest.mark.parametrize(
    ("name", "status", "words"),
    [
        ("pywa/account_update__account_restriction.json", "error", "non può avviare"),
        ("pywa/account_update__account_violation.json", "warn", "ADULT"),
        ("java-api/qualityUpdate.json", "warn", "10K"),
        ("pywa/template_quality_update__yellow.json", "warn", "welcome_template"),
        ("meta-docs/template_status_paused__syntax.json", "warn", "sospeso"),
        ("java-api/templateSchedulingForDisabling.json", "warn", "segnalato"),
        ("pywa/account_update__partner_added.json", "ok", ""),
    ],
)
def test_each_notice_in_words(running, name, status, words):
    _post(running, name)
    wait_until(
        lambda: running.call(
            running.appliance.db.fetchval(
                "SELECT count(*) FROM webhook_events WHERE state = 'done'"
            )
        )
    )
    check, _ = _check(running)
    assert check.status == status
    assert words in check.value + check.explanation


@pytest.mark.fast
def test_value_level_auth_errors_alert_staff(running):
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "errors": [{"code": 190, "title": "Access token has expired"}],
                        },
                    }
                ],
            }
        ],
    }
    post_webhook(running.public_url, payload)
    check, _ = wait_until(lambda: (c := _check(running))[0].status == "error" and c)
    assert "190" in check.value


@pytest.mark.fast
def test_notice_events_parse_every_corpus_account_payload():
    for path in sorted(CORPUS.rglob("*.json")):
        text = path.read_text()
        if '"account_update"' not in text:
            continue
        from appliance.cloudapi.events import split, to_event

        events = [to_event(*r) for r in split(json.loads(text))]
        assert all(isinstance(e, AccountNotice) and e.event for e in events), path


def test_a_ban_and_a_quality_drop_both_appear_worst_first(running):
    _post(running, "java-api/qualityUpdate.json")  # FLAGGED, current limit 10K
    wait_until(lambda: _check(running)[0].status == "warn")
    _post(running, "java-api/accountBanned.json")
    check, checks = wait_until(lambda: (c := _check(running))[0].status == "error" and c)
    ban, quality = check.value.split("; ")
    assert ban == "1) Meta disattiva l'account dal 31 gennaio 2021"
    assert quality == "2) qualità del numero bassa"
    assert check.explanation.startswith("1) Meta ha deciso di disattivare")
    assert "2) Molti cittadini hanno bloccato" in check.explanation
    assert decide(checks, _NoEmergency()).state is BoxState.DEGRADED


def _standings(*names):
    from appliance.cloudapi.events import split, to_event

    for name in names:
        for record in split(json.loads((CORPUS / name).read_text())):
            if (standing := standing_of(to_event(*record))) is not None:
                yield standing


def test_the_account_line_in_english():
    health = AccountHealth(db=None)
    for at, standing in enumerate(
        _standings("java-api/qualityUpdate.json", "pywa/account_update__account_restriction.json")
    ):
        health.standings[standing.topic] = replace(standing, at=at)
    check = health.current()
    assert translate(check.value, "en") == "1) restricted by Meta; 2) number's quality low"
    explanation = translate(check.explanation, "en")
    assert "cannot start conversations" in explanation
    assert "current limit: 10K" in explanation


def _sources_in(value):
    """Every Italian source inside a Text (joined lists and placeholder values included)."""
    if not isinstance(value, Text):
        return
    if value.separator is not None:
        for item in value.items:
            yield from _sources_in(item)
        return
    yield value.source
    for inner in value.values.values():
        yield from _sources_in(inner)


def test_every_account_text_has_its_english_with_the_same_values():
    fields = ("_update", '"errors"')  # account, quality and template notices; account errors
    names = [
        p.relative_to(CORPUS)
        for p in sorted(CORPUS.rglob("*.json"))
        if p.parent.name != "pywa-signed" and any(f in p.read_text() for f in fields)
    ]
    standings = list(_standings(*names))
    texts = {t for s in standings for v in (s.value, s.explanation) for t in _sources_in(v)}
    assert len(texts) > 15
    english = catalog("en").messages
    assert not sorted(t for t in texts if t not in english)
    for source in texts:
        assert set(re.findall(r"\{(\w+)\}", source)) == set(
            re.findall(r"\{(\w+)\}", english[source])
        )
