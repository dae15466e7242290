"""Every CSV export in the one dialect Italian spreadsheets open as plain, inert cells."""

from __future__ import annotations

import csv
import io

import pytest

from tests.support.staff import add_user, login
from tests.support.subscribers import add_subscriber

# In the fast subset: the unit-level tests and one real appliance per capability.

HOSTILE = "Mario;=1+1;@SUM(1)"


def _cells(text: str) -> list[list[str]]:
    """The rows as Italian Excel reads a .csv: UTF-8 with BOM, split on ';' outside quotes."""
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


@pytest.mark.fast
def test_subscriber_export_keeps_a_hostile_name_in_one_inert_cell(running):
    add_subscriber(running, "393331234001", name=HOSTILE)
    add_user(running, "admin")
    http = login(running, "admin")
    response = http.post("/subscribers/export.csv", data={"purpose": "verifica dell'RPD"})
    assert response.headers["content-type"].startswith("text/csv")
    header, row = _cells(response.text)
    assert header == [
        "telefono",
        "id utente",
        "id utente principale",
        "nome utente",
        "stato",
        "lingua",
        "nome",
        "iscritto dal",
        "argomenti",
    ]
    assert len(row) == len(header)
    assert row[header.index("nome")] == HOSTILE
    assert all(cell == "" or cell[0] not in "=+-@" for cell in row)
    # Every line quoted cell by cell: no ";" of a name is ever outside quotes.
    for line in response.text.removeprefix("\ufeff").split("\r\n")[:-1]:
        assert line.startswith('"') and line.endswith('"')


def test_export_headers_follow_the_staff_language(running):
    add_subscriber(running, "393331234001")
    add_user(running, "admin")
    http = login(running, "admin")
    http.post("/language", data={"language": "en", "next": "/"})
    header, _ = _cells(
        http.post("/subscribers/export.csv", data={"purpose": "verifica dell'RPD"}).text
    )
    assert header == [
        "phone",
        "user id",
        "parent user id",
        "username",
        "status",
        "language",
        "name",
        "subscribed at",
        "topics",
    ]
