"""Data minimisation: special-category questions and personal data in broadcasts are flagged."""

from __future__ import annotations

import html

import pytest

from appliance.audience.minimal import personal_data, special_categories
from tests.support.staff import add_user, login


@pytest.mark.fast
@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Hai una disabilità o una malattia cronica?", ["salute"]),
        ("Per quale partito voti?", ["opinioni politiche"]),
        ("Sei iscritto a un sindacato?", ["appartenenza sindacale"]),
        ("Which religion do you follow?", ["religione o convinzioni"]),
        ("In quale frazione abiti?", []),
        ("Quanti anni hai?", []),
    ],
)
def test_special_categories_are_recognised(prompt, expected):
    assert special_categories(prompt) == expected


@pytest.mark.fast
def test_names_and_phone_numbers_are_found_in_posts_but_not_places_or_dates():
    text = "Il sig. Rossi e Maria Bianchi ringraziano. Chiamare il 333 1234567 o lo 035 868001."
    assert personal_data(text) == ["sig. Rossi", "Maria Bianchi", "333 1234567", "035 868001"]
    assert (
        personal_data("Lavori in via Roma dal 3 al 12 marzo 2026, ore 9-12, Piazza Garibaldi") == []
    )


def test_the_bot_editor_warns_on_special_categories_and_free_text(running):
    add_user(running, "editor", role="editor")
    http = login(running, "editor")
    added = http.post(
        "/bot/questions",
        data={
            "key": "salute",
            "kind": "text",
            "prompt_it": "Hai una malattia cronica?",
            "purpose_it": "prova",
        },
    )
    page = html.unescape(http.get(added.headers["location"]).text)
    assert "dati particolari (salute)" in page
    assert "testo libero" in page
    calm = http.post(
        "/bot/questions",
        data={
            "key": "frazione2",
            "kind": "single",
            "prompt_it": "Dove abiti?",
            "purpose_it": "avvisi nella tua zona",
            "options": "Centro",
        },
    )
    assert "sembra riguardare dati particolari" not in html.unescape(
        http.get(calm.headers["location"]).text
    )


@pytest.mark.fast
def test_no_citizen_text_calls_a_message_it_alert():
    """IT-alert is the national cell-broadcast system, with its own legal basis: never ours."""
    from appliance.audience import notice
    from appliance.conversation.texts import DEFAULTS
    from appliance.studio.shipped import SHIPPED

    texts = [t.body for t in SHIPPED] + [notice.DEFAULT_IT, notice.DEFAULT_EN]
    texts += [d.it for d in DEFAULTS.values()] + [d.en for d in DEFAULTS.values()]
    assert not [t for t in texts if "it-alert" in t.lower().replace(" ", "-")]
    assert all("Comune" in t.body for t in SHIPPED if t.category == "UTILITY")
