"""Finding the translatable strings in the source: the gettext calls of templates and Python."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# _("...") in templates, gettext("...") in Python; placeholders like {name} stay as they are.
CALLS = re.compile(r"""(?:\b_|\bn?gettext)\(\s*(["'])((?:\\.|(?!\1).)*)\1""", re.S)
# ngettext("one", "many", n): the plural form is the second argument.
PLURALS = re.compile(
    r"""\bngettext\(\s*(["'])(?:(?!\1).)*\1\s*,\s*(["'])((?:\\.|(?!\2).)*)\2""", re.S
)
