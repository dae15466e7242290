"""The bot editor's labels and the shipped templates' purposes read in English in the English UI."""

import pytest

from appliance.conversation.defaults import DEFAULTS
from appliance.lan import i18n
from appliance.studio.shipped import SHIPPED
from tests.support.staff import add_user, login

pytestmark = pytest.mark.fast


def test_every_label_and_purpose_has_english():
    sources = {t.label for t in DEFAULTS.values()} | {s.purpose for s in SHIPPED}
    missing = sorted(s for s in sources if s not in i18n.catalog("en").messages)
    assert not missing, "add to the catalog:\n" + "\n".join(missing)


def test_the_english_editor_and_templates_pages_show_english(running):
    add_user(running, "anna")
    http = login(running, "anna")
    http.post("/language", data={"language": "en", "next": "/bot"})
    editor = http.get("/bot").text
    assert "Menu button" in editor and "Pulsante del menu" not in editor
    assert "Welcome and menu" in editor and "Benvenuto e menu" not in editor
    templates = http.get("/studio/templates").text
    assert "Emergency: the message of the emergency button" in templates
    assert "il messaggio del pulsante" not in templates
