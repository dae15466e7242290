"""The staff's texts: every Italian source has English in the .po catalog; plurals; new languages."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from quart import Quart, g

from appliance.accounts.pages import settings, setup, users
from appliance.accounts.town import TOWN_FIELDS
from appliance.box.patterns import PATTERNS
from appliance.box.presses import OUTCOMES
from appliance.lan import errorpages, i18n, labels
from appliance.studio import compose, pages, report
from appliance.studio.forms import RULES

pytestmark = pytest.mark.fast

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {**DEFAULT_KEYWORDS, "N_plural": (1, 2)}


def extracted() -> set[str | tuple[str, str]]:
    """What ``pybabel extract -F babel.cfg -k N_plural:1,2`` finds (the recipe in babel.cfg)."""
    with ROOT.joinpath("babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    return {
        message for _, _, message, _, _ in extract_from_dir(ROOT, method_map, options_map, KEYWORDS)
    }


def _data_strings() -> set[str]:
    """Italian texts the code passes to gettext from tables, not as literals."""
    found = set(errorpages.TITLES.values()) | set(setup.REFUSALS.values())
    found |= set(users.ROLE_LABELS.values()) | set(users._FIELD_ERRORS.values())
    found |= set(users.DONE.values()) | set(settings.ORIGINS.values()) | labels.all_labels()
    found |= {f.label for f in TOWN_FIELDS} | {f.help for f in TOWN_FIELDS if f.help}
    found |= set(pages.STATUS_NAMES.values()) | set(compose.STATE_NAMES.values())
    found |= set(report.EVENT_NAMES.values()) | {label for _, label in RULES}
    found |= {label for _, label in compose.STEPS}
    found |= {p.label_it for p in PATTERNS.values()} | {p.meaning_it for p in PATTERNS.values()}
    found |= {italian for italian, _ in OUTCOMES.values()}
    return found


def test_every_string_is_translated_to_english():
    english = i18n.load_catalog("en")
    messages = extracted()
    assert len(messages) > 800  # the templates and every capability's Python
    singular = {m for m in messages if isinstance(m, str)} | _data_strings()
    missing = sorted(singular - english.messages.keys())
    missing += sorted(
        m[0] for m in messages if isinstance(m, tuple) and m[0] not in english.plurals
    )
    assert not missing, "add to appliance/locale/en/LC_MESSAGES/banditore.po:\n" + "\n".join(
        missing
    )


def test_translations_keep_their_placeholders():
    english = i18n.load_catalog("en")
    for source, translation in english.messages.items():
        assert set(re.findall(r"{\w+}", source)) == set(re.findall(r"{\w+}", translation)), source
    for one, forms in english.plurals.items():
        for form in forms:
            # A plural form may spell the number out ("The message kept"), never invent one.
            assert set(re.findall(r"{\w+}", form)) - {"{n}"} <= set(re.findall(r"{\w+}", one))


def test_every_language_but_italian_has_a_catalog():
    for language in i18n.LANGUAGES.keys() - {i18n.DEFAULT_LANGUAGE}:
        assert (i18n.LOCALE / language / "LC_MESSAGES" / "banditore.po").is_file(), language


SLOVENE = r"""
msgid ""
msgstr ""
"Language: sl\n"
"Plural-Forms: nplurals=4; plural=(n%100==1 ? 0 : n%100==2 ? 1 : n%100==3 || n%100==4 ? 2 : 3);\n"
"Content-Type: text/plain; charset=utf-8\n"

msgid "Cruscotto"
msgstr "Nadzorna plošča"

msgid "iscritto ora"
msgid_plural "iscritti ora"
msgstr[0] "{n} naročnik zdaj"
msgstr[1] "{n} naročnika zdaj"
msgstr[2] "{n} naročniki zdaj"
msgstr[3] "{n} naročnikov zdaj"
"""


async def test_a_new_language_is_a_po_file_and_its_plurals_follow_its_plural_forms(
    tmp_path, monkeypatch
):
    po = tmp_path / "sl" / "LC_MESSAGES" / "banditore.po"
    po.parent.mkdir(parents=True)
    po.write_text(SLOVENE, encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE", tmp_path)
    monkeypatch.setitem(i18n.LANGUAGES, "sl", "Slovenščina")
    monkeypatch.delitem(i18n.CATALOGS, "sl", raising=False)
    async with Quart(__name__).app_context():
        g.lang = "sl"
        assert i18n.gettext("Cruscotto") == "Nadzorna plošča"
        shown = [i18n.ngettext("iscritto ora", "iscritti ora", n) for n in (1, 2, 3, 5, 101)]
        assert shown == [
            "1 naročnik zdaj",
            "2 naročnika zdaj",
            "3 naročniki zdaj",
            "5 naročnikov zdaj",
            "101 naročnik zdaj",
        ]
        assert i18n.gettext("Stato del servizio") == "Stato del servizio"  # not yet translated
    monkeypatch.delitem(i18n.CATALOGS, "sl")


async def test_italian_and_english_plurals():
    async with Quart(__name__).app_context():
        for lang, one, many in (("it", "1 giorno", "3 giorni"), ("en", "1 day", "3 days")):
            g.lang = lang
            assert i18n.ngettext("{n} giorno", "{n} giorni", 1) == one
            assert i18n.ngettext("{n} giorno", "{n} giorni", 3) == many
