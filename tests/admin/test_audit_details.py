"""Audit details stored as a key and values read in the staff's language; old rows as written."""

import re

import pytest

from appliance.box.presses import OUTCOMES
from appliance.core import audit
from appliance.lan import i18n
from tests.support.staff import add_user, login

pytestmark = pytest.mark.fast


def test_every_detail_has_english_with_the_same_placeholders():
    english = i18n.catalog("en")
    pairs = [pair for pair in audit.DETAILS.values() if pair[0] != pair[1]]
    sources = {one for one, many in audit.DETAILS.values() if one == many}
    sources |= set(audit.ROLE_NAMES.values()) | {it for it, _ in OUTCOMES.values()}
    missing = sorted(s for s in sources if s not in english.messages)
    missing += sorted(one for one, _ in pairs if one not in english.plurals)
    assert not missing, "add to appliance/locale/en/LC_MESSAGES/banditore.po:\n" + "\n".join(
        missing
    )
    for source in sources:
        assert set(re.findall(r"{\w+}", source)) == set(
            re.findall(r"{\w+}", english.messages[source])
        )
    for one, many in pairs:
        for form in english.plurals[one]:
            assert set(re.findall(r"{\w+}", form)) <= set(re.findall(r"{\w+}", many))


def test_plain_text_and_unknown_keys_stay_as_written():
    assert audit.describe("2 recipient(s)") == "2 recipient(s)"
    assert audit.describe('["no_such_key", {}]') == '["no_such_key", {}]'
    assert audit.describe('["broken') == '["broken'
    # A draft named like a stored detail, with a value missing: shown as typed, never an error.
    assert audit.describe('["recipients", {}]') == '["recipients", {}]'
    assert audit.describe('["launched", {"n": 2}]') == '["launched", {"n": 2}]'


def test_the_audit_page_words_details_in_italian_and_english(running):
    add_user(running, "boss")
    db = running.appliance.db
    cooldown = audit.detail("cooldown_left", n=10)
    press = audit.detail(
        "press_more", outcome_words=OUTCOMES["cooldown"][0], held=3.2, more_detail=cooldown
    )
    for action, detail in (
        ("campaign.emergency", audit.detail("recipients_test", n=2)),
        ("emergency.press", press),
        ("emergency.finished", audit.detail("delivery", sent=1200, failed=0, expired=3)),
        ("campaign.sent", "sent by hand in 2024"),  # a row from before: shown as it is
    ):
        running.call(audit.record(db, "button", action, "emergenza_comune", detail))
    http = login(running, "boss")
    italian = http.get("/audit").text
    assert "2 destinatari (prova)" in italian
    assert (
        "pulsante in pausa dopo l&#39;ultimo invio: non è stato inviato nulla "
        "(ancora 10 minuti di pausa), tenuto premuto 3,2 s"
    ) in italian
    assert "consegnati al servizio 1.200, non riusciti 0, scaduti 3" in italian
    assert "sent by hand in 2024" in italian and "recipient(s)" not in italian
    http.post("/language", data={"language": "en", "next": "/audit"})
    english = http.get("/audit").text
    assert "2 recipients (test)" in english
    assert (
        "button cooling down after the last send: nothing was sent (10 more minutes of cool-down), held 3.2 s"
    ) in english
    assert "handed to the service 1,200, failed 0, expired 3" in english
    assert "destinatari" not in english


def test_changed_fields_are_named_by_their_labels_in_the_readers_language():
    stored = audit.detail("fields", fields_pairs=[["Telefono", "035 868"], ["PEC", "a@pec.it"]])
    assert str(audit.describe(stored)) == "Telefono: 035 868; PEC: a@pec.it"
    assert (
        i18n.translate(audit.describe(stored), "en")
        == "Phone: 035 868; PEC (certified e-mail): a@pec.it"
    )
