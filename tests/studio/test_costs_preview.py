"""The compose wizard's preview shows the campaign's estimated cost from the Costi rate card."""

from __future__ import annotations

import html
import re
from contextlib import closing

import pytest

from tests.support.staff import add_user, login
from tests.support.studio import compose

pytestmark = pytest.mark.slow

RATES = {"marketing": "0,2", "utility": "0,5", "authentication": "0,03", "service": "0,03"}
RATES |= {"service_allowance": "1000", "rates_date": "2026-10-01"}
MARKETING = {
    "name": "festa_paese",
    "language": "it",
    "category": "MARKETING",
    "status": "APPROVED",
    "components": [{"type": "BODY", "text": "Festa del paese: {{1}}."}],
}


def _cost(page: str) -> str:
    return html.unescape(re.search(r'id="pv-cost">(.*?)</dd>', page, re.S)[1])


def test_the_preview_shows_the_estimated_cost_of_the_template_sends(studio):
    studio.engine.seed(2, topics=("notizie",), window=True)  # the content, free in the window
    studio.engine.seed(3, topics=("notizie",), first=100)  # the utility template
    with closing(studio.login("editor")) as editor:
        draft = compose(editor)
        cost = _cost(editor.get(f"/studio/drafts/{draft}/preview").text)
        assert cost.startswith("0,07 €")  # 3 × 0,0248 €
        assert "stima: 3 modelli a 0,0248 € l'uno, 0 testi oltre la franchigia" in cost
        add_user(studio.app, "boss", "admin")
        with closing(login(studio.app, "boss")) as boss:
            assert boss.post("/costs/rates", data=RATES).status_code == 303
        cost = _cost(editor.get(f"/studio/drafts/{draft}/preview").text)
        assert cost.startswith("1,50 €") and "tariffe dal 01/10/2026" in cost
    studio.add_template(MARKETING)
    template = {"name": "festa_paese", "language": "it", "parameters": ["sabato"]}
    marketing = studio.draft(
        template=template, audience={"segment_id": None, "topics": ["notizie"]}
    )
    with closing(studio.login("operator")) as operator:
        cost = _cost(operator.get(f"/studio/drafts/{marketing}/preview").text)
    assert cost.startswith("1,00 €") and "5 modelli a 0,2000 €" in cost  # everyone gets it
