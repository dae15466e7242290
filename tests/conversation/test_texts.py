"""The bot's default texts against the Cloud API limits, and the editor's checks."""

from __future__ import annotations

import pytest

from appliance.cloudapi import limits
from appliance.conversation.commands import command_of, is_keyword, normalise
from appliance.conversation.flood import FloodGuard
from appliance.conversation.texts import (
    DEFAULTS,
    EMPTY,
    TOO_LONG,
    UNKNOWN_PLACEHOLDERS,
    Texts,
    check,
    placeholders_in,
)
from appliance.lan import i18n

pytestmark = pytest.mark.fast


@pytest.mark.parametrize("key", sorted(DEFAULTS))
def test_every_default_text_fits_its_limit_in_both_languages(key):
    spec = DEFAULTS[key]
    for text in (spec.it, spec.en):
        assert len(text) <= spec.limit
        assert placeholders_in(text) <= set(spec.placeholders), text
        if key != "website_url":
            assert check(key, text) is None


def test_menu_rows_and_buttons_use_the_documented_limits():
    for n in range(1, 7):
        assert DEFAULTS[f"menu_{n}"].limit == limits.ROW_TITLE == 24
    for key in ("optin_yes", "optin_minor", "optin_no", "erase_yes", "erase_no"):
        assert DEFAULTS[key].limit == limits.BUTTON_TITLE == 20
    assert DEFAULTS["menu_button"].limit == limits.LIST_BUTTON
    assert DEFAULTS["optin_question"].limit == limits.BUTTON_BODY
    assert DEFAULTS["menu_4_detail"].limit == limits.ROW_DESCRIPTION == 72


def test_the_editor_refuses_what_whatsapp_would_refuse():
    assert check("menu_1", "x" * 25) == (TOO_LONG, {"n": 24})
    assert check("welcome", "   ") == (EMPTY, {})
    assert check("subscribed", "Fatto {nome}") == (UNKNOWN_PLACEHOLDERS, {"names": "nome"})
    assert check("subscribed", "Fatto! Argomenti: {topics}") is None


def test_the_editor_refusals_have_english_for_the_staff():
    for refusal in (TOO_LONG, EMPTY, UNKNOWN_PLACEHOLDERS):
        assert refusal in i18n.load_catalog("en").messages


@pytest.mark.parametrize(
    ("typed", "command"),
    [
        ("STOP", "unsubscribe"),
        ("  Cancellami ", "unsubscribe"),
        ("disiscrivimi!", "unsubscribe"),
        ("I MIEI DATI", "my_data"),
        ("i  miei   dati", "my_data"),
        ("Cancella i miei dati", "erase"),
        ("Menù", "menu"),
        ("ANNULLA", "cancel"),
        ("Help", "help"),
        ("english", "english"),
        ("Italiano", "italian"),
        ("stop please", None),
    ],
)
def test_commands_ignore_case_accents_spacing_and_punctuation(typed, command):
    assert command_of(typed) == command


def test_keyword_matching():
    assert is_keyword(" RÓTA ", "Rota") and is_keyword("rota.", "Rota")
    assert not is_keyword("rotary", "Rota") and not is_keyword("", "")
    assert normalise("Sì 👍") == "si"


def test_flood_guard_slows_one_number_and_warns_once():
    guard = FloodGuard(per_minute=6)
    results = [guard.allow("a", 100.0) for _ in range(9)]
    assert [ok for ok, _ in results] == [True] * 6 + [False] * 3
    assert [warn for _, warn in results] == [False] * 6 + [True, False, False]
    assert guard.allow("b", 100.0) == (True, False)
    assert guard.allow("a", 111.0)[0]  # one token back after 10 s


def _question(kind, options=()):
    from appliance.audience.store import Question

    return Question(1, "q", kind, "Domanda?", "", tuple(options), 1, True)


OPTIONS = (("centro", "Centro", "Centre"), ("frazioni", "Una frazione", "A hamlet"))


@pytest.mark.parametrize(
    ("kind", "text", "action", "value"),
    [
        ("single", "2", None, "frazioni"),
        ("single", "centre", None, "centro"),
        ("single", None, "opt:1", "centro"),
        ("single", "3", None, None),
        ("multiple", "2, 1", None, ["frazioni", "centro"]),
        ("multiple", "1 1", None, ["centro"]),
        ("multiple", "1,x", None, None),
        ("multiple", None, "opt:2", ["frazioni"]),
        ("number", "42", None, 42),
        ("number", "3,5", None, 3.5),
        ("number", "tre", None, None),
        ("text", "  Via Roma 3  ", None, "Via Roma 3"),
        ("text", "   ", None, None),
        ("text", "y" * 600, None, "y" * 500),
    ],
)
def test_answers_of_every_question_kind(kind, text, action, value):
    from appliance.conversation.flows.questions import parse_answer as _parse_answer

    assert _parse_answer(_question(kind, OPTIONS), text, action) == value


LINK = "https://banditore.comune-di-un-nome-lungo.example.it/privacy/12?lang=en"
COMUNE = "Comune di San Giovanni in Croce e Frazioni Unite"


@pytest.mark.fast
@pytest.mark.parametrize("language", ["it", "en"])
def test_the_default_interactive_messages_fit_whatsapp_limits(language):
    """Menu and opt-in as sent, with a long name and link: body ≤ 1024, ≤ 10 rows, titles ≤ 24."""
    texts = Texts(None)  # type: ignore[arg-type]  # defaults only, no database

    def text(key: str, **values: str) -> str:
        return texts.get(key, language, comune=COMUNE, **values)

    menu = f"{text('welcome')}\n\n{text('menu_privacy', notice=LINK)}"
    optin = f"{text('privacy_summary')}\n\n{text('privacy_link', version='12', link=LINK)}"
    optin += f"\n\n{text('optin_question')}"
    intro = text("questions_intro", count="3")
    question = "In quale fascia di età sei?\n1 14-29\n2 30-49\n3 50-64\n4 65 e oltre"
    first = f"{intro}\n\n{question}\n\n{text('hint_single')}"
    for body in (menu, optin, first):
        assert len(body) <= limits.BUTTON_BODY, body
    rows = [text(f"menu_{n}") for n in range(1, 7)]
    assert len(rows) <= limits.LIST_ROWS
    assert all(len(r) <= limits.ROW_TITLE for r in rows)
    assert len(text("menu_4_detail")) <= limits.ROW_DESCRIPTION
    for key in ("optin_yes", "optin_minor", "optin_no", "menu_button", "choose_button"):
        assert len(text(key)) <= limits.BUTTON_TITLE


def test_topics_are_chosen_by_number_or_by_name_in_any_case_and_accents():
    from appliance.audience.store import Question
    from appliance.conversation.flows.questions import parse_answer

    options = (
        ("allerte", "Allerte e protezione civile", "Alerts"),
        ("notizie", "Notizie dal Comune", "News"),
        ("eventi", "Eventi", "Events"),
    )
    topics = Question(1, "interessi", "topics", "Argomenti?", "", options, 3, True)
    assert parse_answer(topics, "allerte", None) == ["allerte"]
    assert parse_answer(topics, "ALLERTE, èventi", None) == ["allerte", "eventi"]
    assert parse_answer(topics, "Notizie dal Comune; 3", None) == ["notizie", "eventi"]
    assert parse_answer(topics, "1 3", None) == ["allerte", "eventi"]
    assert parse_answer(topics, "News", None) == ["notizie"]
    assert parse_answer(topics, "sport", None) is None
    assert parse_answer(topics, "4", None) is None
