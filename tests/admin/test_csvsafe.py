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
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows == [["name", "note"], ["'=1+1", 'say "hi", ok'], ["Zoë", "\n-x"]]
