"""The preview's checks: what blocks a launch, and what a citizen could not follow."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from appliance.audience import minimal
from appliance.cloudapi.template_text import variables
from appliance.studio.shipped import header_format, header_text, parameter_values, placeholders

if TYPE_CHECKING:
    from appliance.campaigns.media import MediaLibrary
    from appliance.studio.drafts import Preview


async def add_problems(
    data: dict[str, Any], preview: Preview, election_on: bool, media: MediaLibrary
) -> None:
    """Note what blocks the launch (``problems``) and what staff should know (``warnings``)."""
    content, template = data["content"], data.get("template")
    known = preview.template
    if not content and not template:
        preview.problems.append("Aggiungi almeno un contenuto o scegli un modello.")
    if preview.total == 0:
        preview.problems.append("Il pubblico scelto non contiene nessuno: allarga il filtro.")
    if preview.outside and not template:
        preview.problems.append(
            f"{preview.outside} persone sono fuori dalla finestra di 24 ore: WhatsApp "
            "accetta per loro solo un modello approvato. Scegli un modello al passo 3 "
            "(o inviane uno in revisione dalla pagina Modelli: può servire un giorno)."
        )
    if template and (known is None or known.get("status") != "APPROVED"):
        status = (known or {}).get("status") or "sconosciuto"
        preview.problems.append(
            f"Il modello «{template['name']}» non è approvato da Meta (stato: {status}): "
            "sceglierne uno approvato o attendere la revisione."
        )
    if template and known:
        components = json.loads(known.get("components") or "[]")
        needed = placeholders(components)
        given = parameter_values(template)
        if len(given) != len(needed) or not all(given.get(n, "").strip() for n in needed):
            preview.problems.append(
                f"Il modello chiede {len(needed)} valori: compilali tutti al passo 3."
            )
        in_header = variables(header_text(components))
        if in_header and not (template.get("header_text") or {}).get(in_header[0], ""):
            preview.problems.append(
                "L'intestazione del modello ha una variabile: compilala al passo 3."
            )
        media_header = header_format(components)
        if media_header in ("IMAGE", "VIDEO", "DOCUMENT") and not template.get("header"):
            preview.problems.append(
                "Il modello ha un'intestazione multimediale: scegli il file al passo 3."
            )
    if preview.tier.get("exceeds"):
        preview.warnings.append(
            "Il limite giornaliero di Meta non basta per tutti: l'invio continuerà nei "
            f"giorni successivi (circa {preview.tier.get('days')} giorni)."
        )
    if election_on and not data.get("essential"):
        preview.problems.append(
            "Periodo elettorale attivo (par condicio, L. 28/2000 art. 9): sono permesse "
            "solo le comunicazioni indispensabili. Segna la campagna come indispensabile "
            "solo se lo è davvero."
        )
    preview.warnings += await accessibility(content, media)


async def accessibility(content: list[dict[str, Any]], media: MediaLibrary) -> list[str]:
    """Warnings for posts a blind or deaf citizen could not follow."""
    warnings: list[str] = []
    kinds = [p["type"] for p in content]
    has_text = "text" in kinds
    for part in content:
        kind = part["type"]
        if kind == "image" and not part.get("caption") and not has_text:
            warnings.append(
                "Un'immagine senza didascalia né testo: chi usa un lettore di schermo non "
                "saprà cosa mostra. Aggiungi una didascalia o una parte di testo."
            )
        if kind == "audio" and not has_text:
            warnings.append(
                "Un audio senza testo: chi non sente non lo capirà. Aggiungi una parte di "
                "testo con il contenuto."
            )
        if kind == "document" and part.get("media"):
            row = await media.get(int(part["media"]))
            if not row["text_layer"]:
                warnings.append(
                    f"Il PDF «{row['filename']}» sembra una scansione senza testo: i lettori "
                    "di schermo non lo leggono. Allega il PDF originale o riassumilo in testo."
                )
    written = " ".join(str(p.get("text") or p.get("caption") or "") for p in content)
    people = minimal.personal_data(written)
    if people:
        warnings.append(
            "Il messaggio sembra contenere nomi di persone o numeri di telefono ("
            + ", ".join(f"«{p}»" for p in people[:5])
            + "): un avviso del Comune a tutti gli iscritti non deve identificare nessuno "
            "né rivelare dati sulla salute. Toglili se non sono di un ufficio."
        )
    return list(dict.fromkeys(warnings))
