"""The audit log: who did what, when, from where. Append-only from the app's side."""

from __future__ import annotations

import json
import string
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from appliance.core.formats import format_number
from appliance.core.text import Text

if TYPE_CHECKING:
    from appliance.core.db import Database, WriteConnection

_FORMATTER = string.Formatter()
_INSERT = "INSERT INTO audit_log (actor, action, target, detail, address) VALUES (?, ?, ?, ?, ?)"


async def record(
    db: Database,
    actor: str,
    action: str,
    target: str = "",
    detail: str = "",
    address: str = "",
) -> None:
    """Append one audit row in its own durable commit."""
    await db.execute(_INSERT, (actor, action, target, detail, address))


async def record_in(
    conn: WriteConnection,
    actor: str,
    action: str,
    target: str = "",
    detail: str = "",
    address: str = "",
) -> None:
    """Append one audit row inside a write job, so it commits with the change it describes."""
    await conn.execute(_INSERT, (actor, action, target, detail, address))


# Details written as a key and values, worded when shown, in the reader's language. Italian
# source text, (singular, plural) when the wording depends on ``n``. Values named ``*_words``
# are Italian text translated too; ``*_detail`` values are details themselves; ``*_pairs``
# values are ``[Italian label, value]`` lists shown as "label: value; …".
DETAILS: dict[str, tuple[str, str]] = {
    "recipients": ("{n} destinatario", "{n} destinatari"),
    "recipients_test": ("{n} destinatario (prova)", "{n} destinatari (prova)"),
    "launched": (
        "{n} destinatario, riferimento {reference}",
        "{n} destinatari, riferimento {reference}",
    ),
    "cooldown_left": ("ancora {n} minuto di pausa", "ancora {n} minuti di pausa"),
    "delivery": ("consegnati al servizio {sent}, non riusciti {failed}, scaduti {expired}",) * 2,
    "no_report": ("nessun resoconto dell'invio prima della scadenza",) * 2,
    "press": ("{outcome_words}, tenuto premuto {held} s",) * 2,
    "press_more": ("{outcome_words} ({more_detail}), tenuto premuto {held} s",) * 2,
    "step": ("{outcome_words}",) * 2,
    "step_more": ("{outcome_words} ({more_detail})",) * 2,
    "armed": ("lingua {language}, un segnaposto", "lingua {language}, {n} segnaposto"),
    "armed_test": (
        "lingua {language}, un segnaposto, modalità prova",
        "lingua {language}, {n} segnaposto, modalità prova",
    ),
    "test_mode_on": ("modalità prova attivata",) * 2,
    "test_mode_off": ("modalità prova disattivata",) * 2,
    "test_number_added": ("numero di prova aggiunto: {number}",) * 2,
    "test_number_removed": ("numero di prova tolto: {number}",) * 2,
    "backup_made": ("backup del {at}",) * 2,
    "role": ("ruolo: {role_words}",) * 2,
    "role_changed": ("ruolo: da {old_words} a {new_words}",) * 2,
    "own_password": ("la propria password",) * 2,
    "exported": ("{n} riga; finalità: {purpose}", "{n} righe; finalità: {purpose}"),
    "imported": (
        "creati {created}, aggiornati {updated}, rifiutati {refused}; consenso: {source} ({day})",
    )
    * 2,
    "import_undone": ("tolti {removed}, ripristinati {restored}",) * 2,
    "notice_version": ("informativa versione {n}",) * 2,
    "resend": ("nuovo invio della campagna {n} a chi non l'ha ricevuta",) * 2,
    "templates_read": ("{n} modello letto da Meta", "{n} modelli letti da Meta"),
    "category": ("categoria: {category_words}",) * 2,
    "draft_step": ("passo: {step_words}",) * 2,
    "campaign": ("campagna {n}",) * 2,
    "source": ("da: {source_words}",) * 2,
    "kind": ("tipo: {kind_words}",) * 2,
    "fields": ("{fields_pairs}",) * 2,
}

# Staff roles as details name them (Italian source text).
ROLE_NAMES = {
    "admin": "Amministratore",
    "operator": "Operatore",
    "editor": "Redattore",
    "viewer": "Lettore",
}


def detail(key: str, **values: object) -> str:
    """A structured detail (one of ``DETAILS``), stored as JSON and worded when shown."""
    return json.dumps([key, values], ensure_ascii=False)


def describe(text: str) -> str:
    """A stored detail as a ``Text`` worded in the reader's language; older plain rows as they are."""
    parsed = _parse(text)
    if parsed is None:
        return text
    key, values = parsed
    one, many = DETAILS[key]
    shown: dict[str, Any] = {}
    for name, value in values.items():
        if name.endswith("_words"):
            shown[name] = Text(str(value))
        elif name.endswith("_pairs") and isinstance(value, list):
            shown[name] = Text.join("; ", [_pair(pair) for pair in value])
        elif name.endswith("_detail"):
            shown[name] = describe(str(value))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            shown[name] = _number(value)
        else:
            shown[name] = str(value)
    count = values.get("n")
    if one != many and isinstance(count, int | float):
        shown.pop("n", None)
        return Text(one, shown, plural=many, count=count)
    return Text(one, shown)


def _pair(pair: object) -> str:
    """One ``[label, value]`` pair as "label: value", the label in the reader's language."""
    if not (isinstance(pair, list) and len(pair) == 2):
        return str(pair)
    return Text.join(": ", [Text(str(pair[0])), str(pair[1])])


def _number(value: float) -> Callable[[str], str]:
    """A figure in the reader's number form."""
    return lambda language: format_number(value, language, 0 if isinstance(value, int) else 1)


def _parse(text: str) -> tuple[str, dict[str, object]] | None:
    if not text.startswith('["'):
        return None
    try:
        key, values = json.loads(text)
    except ValueError:
        return None
    if key not in DETAILS or not isinstance(values, dict):
        return None
    # Staff-typed text (a draft's name) could look like a stored detail: every placeholder
    # must have its value, or the text is shown as it was typed.
    needed = {name for form in DETAILS[key] for _, name, _, _ in _FORMATTER.parse(form) if name}
    return (key, values) if needed <= set(values) else None
