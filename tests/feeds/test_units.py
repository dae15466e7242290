"""Quick checks of the pure parts: the WMO table, safe XML, level summaries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from appliance.feeds.fetch import FeedFormatError, parse_xml
from appliance.feeds.levels import Level, Span, summarize
from appliance.feeds.sources.cap import _references
from appliance.feeds.wmo import WMO_CODES, describe
from tests.support.alerts import rome
from tests.support.fakefeeds import FIXTURES

pytestmark = pytest.mark.fast

# The reference table, word for word.
REFERENCE_IT = {
    0: "Sereno",
    1: "Poco nuvoloso",
    2: "Parzialmente nuvoloso",
    3: "Coperto",
    45: "Nebbia",
    48: "Nebbia con brina",
    51: "Pioviggine debole",
    53: "Pioviggine moderata",
    55: "Pioviggine intensa",
    56: "Pioviggine gelata debole",
    57: "Pioviggine gelata intensa",
    61: "Pioggia debole",
    63: "Pioggia moderata",
    65: "Pioggia forte",
    66: "Pioggia gelata debole",
    67: "Pioggia gelata forte",
    71: "Neve debole",
    73: "Neve moderata",
    75: "Neve forte",
    77: "Neve granulare",
    80: "Rovesci deboli",
    81: "Rovesci moderati",
    82: "Rovesci violenti",
    85: "Rovesci di neve deboli",
    86: "Rovesci di neve forti",
    95: "Temporale debole o moderato",
    96: "Temporale con grandine debole",
    99: "Temporale con grandine forte",
}


def test_every_wmo_code_has_its_italian_text_and_an_english_one():
    assert {code: describe(code, "it") for code in WMO_CODES} == REFERENCE_IT
    assert all(
        describe(code, "en") and describe(code, "en") != REFERENCE_IT[code] for code in WMO_CODES
    )


@pytest.mark.parametrize("code", [4, 42, 100, -1, None, "2", 2.5, True])
def test_unknown_codes_fall_back(code):
    assert describe(code, "it") == "Condizioni non disponibili"
    assert describe(code, "en") == "Conditions not available"


@pytest.mark.parametrize(
    "fixture", ["hostile_billion_laughs.xml", "hostile_external_entity.xml", "hostile_doctype.xml"]
)
def test_hostile_xml_is_refused_before_any_expansion(fixture):
    with pytest.raises(FeedFormatError, match="hostile XML"):
        parse_xml((FIXTURES / fixture).read_bytes(), "test")


def test_hourly_levels_merge_into_one_period_at_the_worst_level():
    def hour(h, level):
        return Span("IM-06", "Orobie", "wind", level, rome(15, h), rome(15, h + 1), "", "")

    spans = [hour(10, Level.GREEN), hour(11, Level.YELLOW), hour(12, Level.ORANGE)]
    spans += [hour(13, Level.ORANGE), hour(15, Level.ORANGE), hour(3, Level.RED)]
    [reading] = summarize(spans, rome(15, 10), timedelta(hours=36)).values()
    # 03:00 is outside [now - 1 h, now + horizon]; 15:00 is a second, later period.
    assert (reading.level, reading.valid_from, reading.valid_to) == (
        Level.ORANGE,
        rome(15, 12),
        rome(15, 14),
    )


def test_cap_references_accept_a_space_in_the_sent_time():
    assert _references("a,b,2026-09-15 09:30:00+02:00 c,d,2026-09-15T10:00:00+02:00") == (
        "a,b,2026-09-15 09:30:00+02:00",
        "c,d,2026-09-15T10:00:00+02:00",
    )
