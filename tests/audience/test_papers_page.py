"""The DPO's papers as pages: Markdown rendered to HTML, the filled-in facts never markup."""

import html
import re

import pytest

from tests.support.staff import add_user, login

pytestmark = pytest.mark.fast

HOSTILE = "<script>alert(1)</script> *x* _y_ [z](javascript:alert(2)) | a & b"


def test_a_paper_is_html_with_tables_and_a_hostile_fact_shows_as_written(running):
    running.call(
        running.appliance.db.execute(
            "INSERT INTO settings (key, value) VALUES ('town_data.display_name', ?)", (HOSTILE,)
        )
    )
    add_user(running, "dpo", role="viewer")
    http = login(running, "dpo")
    page = http.get("/settings/papers/registro_trattamenti").text
    article = page[page.index("<article") : page.index("</article>")]
    assert "<table>" in article and "<th>voce</th>" in article  # the Markdown table, as a table
    assert "<h2>Registro delle attività di trattamento" in article  # under the page's h1
    assert "<script>" not in article and "<em>x</em>" not in article
    assert 'href="javascript' not in article
    # The fact stays in its table cell, exactly as the clerk typed it.
    cell = next(row for row in article.split("<tr>") if "Titolare" in row)
    assert HOSTILE in html.unescape(re.sub(r"<[^>]+>", "", cell))
    # The downloaded Markdown is still the plain text, fact included as written.
    assert HOSTILE in http.get("/settings/papers/registro_trattamenti.md").text
