"""The Italian templates the product ships, ready to submit for review on day one (as data)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from appliance.campaigns.followup import READ_BUTTON
from appliance.cloudapi.template_text import variables


@dataclass(frozen=True)
class ShippedTemplate:
    """One template as Meta's Templates API takes it, with a line for staff."""

    name: str
    category: str
    purpose: str  # Italian, shown on the Templates page
    body: str
    examples: tuple[str, ...]
    media_header: str = ""  # IMAGE, DOCUMENT or VIDEO
    read_button: bool = False
    footer: str = ""

    def components(self) -> list[dict[str, Any]]:
        """The ``components`` of the create request."""
        out: list[dict[str, Any]] = []
        if self.media_header:
            out.append({"type": "HEADER", "format": self.media_header})
        out.append(
            {"type": "BODY", "text": self.body, "example": {"body_text": [list(self.examples)]}}
        )
        if self.footer:
            out.append({"type": "FOOTER", "text": self.footer})
        if self.read_button:
            out.append(
                {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": READ_BUTTON}]}
            )
        return out


SHIPPED: tuple[ShippedTemplate, ...] = (
    ShippedTemplate(
        name="avviso_comune",
        category="UTILITY",
        purpose="Avviso generale con immagine o documento e il pulsante «Leggi» per il resto.",
        body="Avviso del Comune di {{1}}: {{2}}. Tocca «Leggi» per il testo completo.",
        examples=("Quart", "chiusura di via Roma per lavori dal 12 maggio"),
        media_header="IMAGE",
        read_button=True,
        footer="Scrivi STOP per non ricevere più messaggi",
    ),
    ShippedTemplate(
        name="allerta_meteo_protezione_civile",
        category="UTILITY",
        purpose="Allerta meteo o di protezione civile, con livello, zona e indicazioni.",
        body="Allerta {{1}} della Protezione civile per {{2}}: {{3}}. "
        "Segui le indicazioni del Comune.",
        examples=("arancione", "temporali da domani alle 14", "evita i sottopassi"),
        read_button=True,
    ),
    ShippedTemplate(
        name="emergenza_comune",
        category="UTILITY",
        purpose="Emergenza: il messaggio del pulsante d'emergenza e degli avvisi urgenti.",
        body="Comunicazione urgente del Comune di {{1}}: {{2}}",
        examples=("Quart", "acqua non potabile fino a nuovo avviso"),
    ),
    ShippedTemplate(
        name="iscrizione_confermata",
        category="UTILITY",
        purpose="Conferma dell'iscrizione (per chi si iscrive da fuori WhatsApp).",
        body="Sei iscritto ai messaggi del Comune di {{1}} sugli argomenti: {{2}}. "
        "Per cancellarti scrivi STOP.",
        examples=("Quart", "allerte, notizie"),
    ),
    ShippedTemplate(
        name="disiscrizione_confermata",
        category="UTILITY",
        purpose="Conferma della cancellazione.",
        body="Non riceverai più messaggi dal Comune di {{1}}. Per iscriverti di nuovo scrivi "
        "ISCRIVIMI.",
        examples=("Quart",),
    ),
    ShippedTemplate(
        name="eventi_notizie",
        category="MARKETING",
        purpose="Eventi e notizie (categoria marketing: costa di più e rispetta «stop promozioni»).",
        body="Novità dal Comune di {{1}}: {{2}}. Tocca «Leggi» per i dettagli.",
        examples=("Quart", "sabato la festa del paese in piazza"),
        media_header="IMAGE",
        read_button=True,
    ),
)


def placeholders(components: list[dict[str, Any]]) -> list[str]:
    """The body's variables in order ({{1}}, {{2}}… or named ones), each once."""
    return variables(body_text(components))


def header_text(components: list[dict[str, Any]]) -> str:
    """The text of a TEXT header ('' for a media header or none)."""
    return next(
        (
            str(c.get("text") or "")
            for c in components
            if str(c.get("type")).upper() == "HEADER" and str(c.get("format")).upper() == "TEXT"
        ),
        "",
    )


def parameter_values(template: dict[str, Any]) -> dict[str, str]:
    """A mapped template's body values by variable name (numbered ones by position)."""
    parameters = template.get("parameters") or []
    if isinstance(parameters, dict):
        return {str(k): str(v) for k, v in parameters.items()}
    return {str(i + 1): str(v) for i, v in enumerate(parameters)}


def body_text(components: list[dict[str, Any]]) -> str:
    """The body text of a template's components."""
    return next(
        (str(c.get("text") or "") for c in components if str(c.get("type")).upper() == "BODY"), ""
    )


def header_format(components: list[dict[str, Any]]) -> str:
    """IMAGE, VIDEO, DOCUMENT, TEXT or '' when the template has no header."""
    return next(
        (
            str(c.get("format") or "").upper()
            for c in components
            if str(c.get("type")).upper() == "HEADER"
        ),
        "",
    )


def has_read_button(components: list[dict[str, Any]]) -> bool:
    """True when the template has a quick-reply button (a tap opens the window)."""
    return any(
        str(b.get("type")).upper() == "QUICK_REPLY"
        for c in components
        if str(c.get("type")).upper() == "BUTTONS"
        for b in c.get("buttons") or []
    )
