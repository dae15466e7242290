"""Every Italian string of the studio's pages has English with the same placeholders."""

from __future__ import annotations

import re

import pytest

from appliance.studio import compose, pages, report
from appliance.studio.catalog_en import MESSAGES_EN
from appliance.studio.forms import RULES
from tests.support.catalogs import CALLS, PLURALS, ROOT

pytestmark = pytest.mark.fast


def test_every_string_of_the_studio_has_english_with_the_same_placeholders():
    sources = [
        *ROOT.joinpath("web/templates/studio").glob("*.html"),
        *ROOT.joinpath("appliance/studio").glob("*.py"),
    ]
    strings = {
        m[2].replace("\\'", "'")
        for path in sources
        for m in CALLS.finditer(path.read_text("utf-8"))
    } | {m[3] for path in sources for m in PLURALS.finditer(path.read_text("utf-8"))}
    strings |= set(pages.STATUS_NAMES.values()) | set(compose.STATE_NAMES.values())
    strings |= set(report.EVENT_NAMES.values()) | {label for _, label in RULES}
    strings |= {label for _, label in compose.STEPS}
    assert len(strings) > 150
    assert not sorted(strings - MESSAGES_EN.keys())
    for source, english in MESSAGES_EN.items():
        assert sorted(re.findall(r"{\w+}", source)) == sorted(re.findall(r"{\w+}", english))
