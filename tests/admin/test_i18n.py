"""Every Italian source string of the admin shell has an English translation."""

import re
from pathlib import Path

import pytest

from appliance.accounts.pages import settings, setup, users
from appliance.accounts.town import TOWN_FIELDS
from appliance.app import create_app
from appliance.lan import WEB, catalog_en, errorpages, i18n
from tests.harness import make_config

pytestmark = pytest.mark.fast

ROOT = Path(__file__).resolve().parents[2]
# _("...") in templates, gettext("...") in Python; placeholders like {name} stay as they are.
CALLS = re.compile(r"""(?:\b_|\bgettext)\(\s*(["'])((?:\\.|(?!\1).)*)\1""", re.S)


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
    found |= set(errorpages.TITLES.values()) | set(setup.REFUSALS.values())
    found |= (
        set(users.ROLE_LABELS.values())
        | set(users._FIELD_ERRORS.values())
        | set(users.DONE.values())
    )
    found |= set(settings.ORIGINS.values())
    found |= {f.label for f in TOWN_FIELDS} | {f.help for f in TOWN_FIELDS if f.help}
    return found


def test_every_string_is_translated_to_english(tmp_path):
    # Capabilities register their own catalogs when they are wired: build the whole app first.
    create_app(make_config(tmp_path))
    strings = _source_strings()
    assert len(strings) > 100
    missing = sorted(s for s in strings if s not in i18n.CATALOGS["en"])
    assert not missing, "add to the capability's English catalog:\n" + "\n".join(missing)


def test_translations_keep_their_placeholders():
    for source, english in catalog_en.MESSAGES.items():
        assert sorted(re.findall(r"{\w+}", source)) == sorted(re.findall(r"{\w+}", english)), source
