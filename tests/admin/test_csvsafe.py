import csv
import io

import pytest

from appliance.lan.csvsafe import csv_text, neutralise

pytestmark = pytest.mark.fast


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+39 333", "'+39 333"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("\ncmd", "'\ncmd"),
        ("  =1+1", "'  =1+1"),
        ("\u00a0@SUM(1)", "'\u00a0@SUM(1)"),
        ("Mario Rossi", "Mario Rossi"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (-5, "-5"),
        (2.5, "2.5"),
        (True, "true"),
    ],
)
def test_neutralise(cell, expected):
    assert neutralise(cell) == expected


def test_csv_round_trip_keeps_text_and_defuses_formulas():
    text = csv_text(["name", "note"], [["=1+1", 'say "hi", ok'], ["Zoë", "\n-x"]])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows == [["name", "note"], ["'=1+1", 'say "hi", ok'], ["Zoë", "'\n-x"]]


def test_a_name_full_of_semicolons_stays_one_inert_cell_for_italian_excel():
    hostile = "Mario;=1+1;@SUM(1)"
    text = csv_text(
        ["nome", "argomenti"], [[hostile, "meteo;-2+3"], ["Anna", "=cmd|' /C calc'!A0"]]
    )
    assert text.startswith("\ufeff") and text.endswith("\r\n")
    body = text.removeprefix("\ufeff")
    # Every cell quoted: a spreadsheet splitting on ";" never finds one outside quotes.
    for line in body.split("\r\n")[:-1]:
        assert line.startswith('"') and line.endswith('"')
        assert line.count('";"') == 1
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert rows == [
        ["nome", "argomenti"],
        [hostile, "meteo;-2+3"],
        ["Anna", "'=cmd|' /C calc'!A0"],
    ]
    for row in rows:
        assert len(row) == 2
        assert not any(cell.lstrip().startswith(("=", "+", "-", "@")) for cell in row)
