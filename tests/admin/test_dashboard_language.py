"""The dashboard's health lines in the staff's language: English shows no Italian line."""

from __future__ import annotations

import html
import re
from contextlib import closing

import pytest

from appliance.core.health import Check
from tests.support.appliance import RunningAppliance, make_config
from tests.support.staff import add_user, login

pytestmark = pytest.mark.fast

# Words only Italian uses, every one of them in some health line of a fresh box.
ITALIAN = {
    "non", "nessun", "nessuna", "nessuno", "ultimo", "ultima", "il", "della", "del", "di", "è",
    "coda", "invio", "liberi", "disco", "pulsante", "messaggio", "messaggi", "modello", "modelli",
    "spia", "lampeggio", "controllo", "attesa", "pronto", "cittadini", "versione", "informativa",
    "pubblicata", "meteo", "allerte", "approvati", "dispositivo", "richiesta", "configurati",
}  # fmt: skip


def _health_words(page: str) -> set[str]:
    section = page[page.index('id="health-title"') :]
    section = section[: section.index("</ul>")]
    text = html.unescape(re.sub(r"<[^>]+>", " ", section)).lower()
    return set(re.findall(r"[^\W\d_]+", text))


async def _broken() -> Check:
    raise RuntimeError("sensor gone")


@pytest.fixture
def running(tmp_path):
    app = RunningAppliance(make_config(tmp_path))
    # A probe that fails shows its own line ("not available"), in the staff's language too.
    app.appliance.health.add("broken", _broken)
    app.start()
    try:
        add_user(app, "clerk", "viewer")
        yield app
    finally:
        app.stop()


def test_the_health_lines_follow_the_staff_language(running):
    with closing(login(running, "clerk")) as http:
        italian = _health_words(http.get("/").text)
        http.post("/language", data={"language": "en", "next": "/"})
        english_page = http.get("/").text
    english = _health_words(english_page)
    assert len(italian & ITALIAN) > 15, "the fresh box's lines are not what this test expects"
    assert not english & ITALIAN, sorted(english & ITALIAN)
    assert "Encrypted backups are not configured" in html.unescape(english_page)
    assert "Check failed: sensor gone" in english_page
