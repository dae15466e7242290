"""A template's text and its variables ({{1}}, {{2}}… or named ones), as Meta defines them."""

from __future__ import annotations

import re

VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")  # {{1}} or a named {{via}}


def variables(text: str) -> list[str]:
    """The variables of a text in order, each once."""
    return list(dict.fromkeys(VARIABLE.findall(text)))


def fill(text: str, values: dict[str, str]) -> str:
    """A template text with its variables replaced (``…`` where a value is still missing)."""
    return VARIABLE.sub(lambda m: values.get(m[1]) or "…", text)
