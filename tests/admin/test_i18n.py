"""Every Italian source string of the admin shell has an English translation."""

import re

import pytest

from appliance.accounts.pages import settings, setup, users
from appliance.accounts.town import TOWN_FIELDS
from appliance.app import create_app
from appliance.demo import catalog_en as demo_catalog
from appliance.lan import WEB, catalog_en, errorpages, i18n, labels
from tests.support.appliance import make_config
from tests.support.catalogs import CALLS, PLURALS, ROOT

pytestmark = pytest.mark.fast


def _source_strings() -> set[str]:
    found: set[str] = set()
    files = [
        *WEB.joinpath("templates").rglob("*.html"),
        *ROOT.joinpath("appliance/lan").rglob("*.py"),
        *ROOT.joinpath("appliance/accounts").rglob("*.py"),
        *ROOT.joinpath("appliance/operations").rglob("*.py"),
    ]
    for path in files:
        for match in CALLS.finditer(path.read_text(encoding="utf-8")):
            found.add(match[2].replace("\\'", "'").replace('\\"', '"'))
        for match in PLURALS.finditer(path.read_text(encoding="utf-8")):
            found.add(match[3].replace("\\'", "'").replace('\\"', '"'))
    found |= set(errorpages.TITLES.values()) | set(setup.REFUSALS.values())
    found |= (
        set(users.ROLE_LABELS.values())
        | set(users._FIELD_ERRORS.values())
        | set(users.DONE.values())
    )
    found |= set(settings.ORIGINS.values()) | labels.all_labels()
    found |= {f.label for f in TOWN_FIELDS} | {f.help for f in TOWN_FIELDS if f.help}
    return found


def test_every_string_is_translated_to_english(tmp_path):
    # Capabilities register their own catalogs when they are wired: build the whole app first.
    create_app(make_config(tmp_path))
    i18n.add_catalog("en", demo_catalog.MESSAGES_EN)  # registered only when the demo runs
    strings = _source_strings()
    assert len(strings) > 100
    missing = sorted(s for s in strings if s not in i18n.CATALOGS["en"])
    assert not missing, "add to the capability's English catalog:\n" + "\n".join(missing)


def test_translations_keep_their_placeholders():
    for source, english in catalog_en.MESSAGES.items():
        assert sorted(re.findall(r"{\w+}", source)) == sorted(re.findall(r"{\w+}", english)), source
