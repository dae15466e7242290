"""The demo phone's bubbles: WhatsApp formatting after escaping, templates as Meta renders them."""

from __future__ import annotations

import json

import pytest

from appliance.demo.bubbles import bubble, whatsapp_markup

pytestmark = pytest.mark.fast


def test_formatting_bold_italic_strike_links_and_line_breaks():
    html = str(
        whatsapp_markup(
            "*Via Roma* chiusa\n_da lunedì_ ~mercoledì~ https://example.org/a_b_c?x=1&y=2."
        )
    )
    assert "<strong>Via Roma</strong>" in html
    assert "<em>da lunedì</em>" in html and "<s>mercoledì</s>" in html
    assert "chiusa<br>" in html
    # The link keeps its underscores (no italics inside it) and leaves the final full stop out.
    assert 'href="https://example.org/a_b_c?x=1&amp;y=2"' in html
    assert html.endswith("</a>.")


def test_markers_inside_words_are_left_alone():
    assert str(whatsapp_markup("2*3*4 e file_nome_lungo")) == "2*3*4 e file_nome_lungo"


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "*<img src=x onerror=alert(1)>*",
        'https://x.test/"onmouseover="alert(1)',
        "_<a href='javascript:alert(1)'>x</a>_",
        "```<iframe src=//evil>```",
    ],
)
def test_hostile_text_is_escaped_before_formatting(hostile):
    html = str(whatsapp_markup(hostile))
    for raw in ("<script", "<img", "<iframe", "<a href='", '"onmouseover'):
        assert raw not in html
    assert "javascript:" not in html or "&#39;javascript:" in html


def _row(body, status="read"):
    return {
        "id": 1,
        "direction": "out",
        "at": 1.7e9,
        "body": json.dumps(body),
        "status": status,
        "error_title": None,
    }


def test_template_with_values_header_footer_and_buttons():
    templates = {
        ("avviso", "it"): [
            {"type": "HEADER", "format": "TEXT", "text": "Avviso {{1}}"},
            {"type": "BODY", "text": "La strada {{1}} è chiusa il {{2}}."},
            {"type": "FOOTER", "text": "Comune di Rota"},
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "QUICK_REPLY", "text": "Ricevuto"},
                    {"type": "URL", "text": "Sito", "url": "https://example.org"},
                ],
            },
        ]
    }
    body = {
        "type": "template",
        "template": {
            "name": "avviso",
            "language": {"code": "it"},
            "components": [
                {"type": "header", "parameters": [{"type": "text", "text": "<b>urgente</b>"}]},
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": "via Roma"},
                        {"type": "text", "text": "lunedì"},
                    ],
                },
            ],
        },
    }
    view = bubble(_row(body), templates, {})
    assert str(view["header_text"]) == "Avviso &lt;b&gt;urgente&lt;/b&gt;"
    assert str(view["text"]) == "La strada via Roma è chiusa il lunedì."
    assert view["footer"] == "Comune di Rota"
    assert [(b["kind"], b["title"]) for b in view["buttons"]] == [
        ("template", "Ricevuto"),
        ("url", "Sito"),
    ]
    assert view["status"] == "read"


def test_list_message_and_document_card():
    body = {
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": "Scegli"},
            "action": {
                "button": "Apri il menu",
                "sections": [{"title": "Servizi", "rows": [{"id": "meteo", "title": "Meteo"}]}],
            },
        },
    }
    view = bubble(_row(body), {}, {})
    assert view["list"]["button"] == "Apri il menu"
    assert view["list"]["sections"][0]["rows"][0]["id"] == "meteo"
    doc = bubble(
        _row({"type": "document", "document": {"id": "9001", "filename": "calendario.pdf"}}),
        {},
        {"9001": 250_000},
    )
    assert (doc["filename"], doc["size"]) == ("calendario.pdf", "244 kB")
