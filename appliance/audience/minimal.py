"""Data minimisation (GDPR art. 5(1)(c)): spot special-category questions and personal data in posts."""

from __future__ import annotations

import re

# Art. 9 categories and the word stems that usually reveal them (Italian and English).
SPECIAL_CATEGORIES: dict[str, tuple[str, ...]] = {
    "salute": (
        "salute",
        "malatt",
        "disabil",
        "invalid",
        "diagnos",
        "terapi",
        "farmac",
        "vaccin",
        "gravidanz",
        "handicap",
        "patolog",
        "health",
        "illness",
        "disease",
        "pregnan",
    ),
    "religione o convinzioni": ("religio", "fede ", "culto", "credent", "ateo", "belief"),
    "opinioni politiche": ("politic", "partito", "vot", "elezion", "elector", "party"),
    "origine razziale o etnica": ("etnia", "etnic", "razza", "razzial", "ethnic", "race"),
    "vita od orientamento sessuale": ("sessual", "orientamento", "sexual", "gender"),
    "appartenenza sindacale": ("sindacat", "trade union"),
    "dati genetici o biometrici": ("genetic", "biometri", "impronte", "fingerprint"),
    "condanne e reati": ("condann", "penal", "reato", "reati", "criminal"),
}
_TITLES = r"(?:sig\.?(?:ra|na)?|signor[ae]?|dott\.?(?:ssa)?|ing\.|avv\.|geom\.|prof\.(?:ssa)?)"
# A few hundred common Italian first names would be more thorough; these catch the usual case.
_FIRST_NAMES = (
    "Mario Giuseppe Giovanni Antonio Luigi Francesco Angelo Vincenzo Pietro Salvatore Carlo "
    "Franco Domenico Bruno Paolo Michele Giorgio Aldo Sergio Luciano Marco Andrea Luca Giulia "
    "Maria Anna Giuseppina Rosa Angela Giovanna Teresa Lucia Carmela Caterina Francesca Laura "
    "Sara Chiara Elena Paola Alessandra Martina Federica Silvia Valentina Roberto Stefano "
    "Alessandro Matteo Davide Simone Lorenzo Riccardo Fabio Massimo Daniele Emanuele Claudia"
).split()
_NAME = re.compile(
    rf"\b(?:{_TITLES}\s+[A-ZÀ-Ý][\w'’-]+|(?:{'|'.join(_FIRST_NAMES)})\s+[A-ZÀ-Ý][\w'’-]+)",
    re.IGNORECASE,
)
_PHONE = re.compile(
    r"(?<![\w/])(?:\+39|0039)?[\s.]?(?:3\d{2}|0\d{1,3})[\s.-]?\d{3}[\s.-]?\d{3,4}\b"
)


def special_categories(text: str) -> list[str]:
    """The art. 9 categories a question's wording seems to touch (empty when none)."""
    lowered = f" {text.lower()} "
    return [
        category
        for category, stems in SPECIAL_CATEGORIES.items()
        if any(re.search(rf"\b{re.escape(stem)}", lowered) for stem in stems)
    ]


def personal_data(text: str) -> list[str]:
    """Personal names and phone numbers found in a broadcast's text, as written."""
    found = [m.group(0).strip() for m in _NAME.finditer(text) if _looks_like_a_name(m.group(0))]
    found += [m.group(0).strip() for m in _PHONE.finditer(text)]
    return list(dict.fromkeys(found))


def _looks_like_a_name(match: str) -> bool:
    """The surname part starts with a capital (the pattern itself ignores case for titles)."""
    return match.split()[-1][:1].isupper()
