"""Regression: a page's <title> block once swallowed a whole form of the templates page."""

import re

import pytest

from appliance.lan import WEB

pytestmark = pytest.mark.fast

TITLE = re.compile(r"\{% block title %\}(.*?)\{% endblock %\}", re.S)


def test_every_title_block_is_plain_text():
    for path in WEB.joinpath("templates").rglob("*.html"):
        for title in TITLE.findall(path.read_text(encoding="utf-8")):
            assert "<" not in title and len(title) < 200, path
