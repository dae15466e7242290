"""Menu option 2: every alert in force for the town's zone, worst first, each with its validity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from appliance.feeds import words
from appliance.feeds.changes import zone_label
from appliance.feeds.levels import Level, risk_label, risk_order
from appliance.feeds.sources import ATTRIBUTIONS
from appliance.feeds.state import when

if TYPE_CHECKING:
    from appliance.feeds.alerts import AlertMonitor

_TEXTS = {
    "it": {
        "title": "Allerte di protezione civile per {town}",
        "zone": "Zona {zone}",
        "updated": "Aggiornato: {when}",
        "stale": "⚠️ Il servizio allerte non risponde: dati dell'ultimo controllo riuscito.",
        "missing": "⚪ {risk}: dati non disponibili ({source} non risponde)",
        "none": "Al momento non abbiamo dati aggiornati sulle allerte per {town}.",
        "official": "Sito ufficiale: {link}",
        "offer": "Per ricevere le allerte su WhatsApp iscriviti al servizio (opzione 4 del menu) "
        "e scegli l'argomento «allerte».",
    },
    "en": {
        "title": "Civil-protection alerts for {town}",
        "zone": "Zone {zone}",
        "updated": "Updated: {when}",
        "stale": "⚠️ The alert service is not answering: data from the last successful check.",
        "missing": "⚪ {risk}: no data ({source} is not answering)",
        "none": "We have no up-to-date alert data for {town} right now.",
        "official": "Official site: {link}",
        "offer": "To get alerts on WhatsApp, subscribe (menu option 4) and choose the "
        "«allerte» topic.",
    },
}
# Where no regional source is configured, citizens still get the regional portal.
FALLBACK_LINK = "https://www.allertalom.regione.lombardia.it/allerta"


async def alerts_text(monitor: AlertMonitor, language: str) -> str:
    """Every risk in force, worst first; a risk no source could read says so, never "no alert"."""
    from appliance.feeds.probes import NAMES

    language = words.lang(language)
    texts = _TEXTS[language]
    now = monitor.clock()
    order = list(monitor.sources)
    rows = [
        r
        for r in await monitor.db.fetchall("SELECT * FROM alert_state")
        if r["source"] in monitor.sources and when(r["valid_to"]) > now
    ]
    best: dict[str, Any] = {}
    for row in sorted(rows, key=lambda r: order.index(r["source"])):
        current = best.get(row["risk"])
        if current is None or row["level"] > current["level"]:
            best[row["risk"]] = row
    failing = {
        risk: source
        for source in reversed(order)
        for risk, status in monitor.risk_status.get(source, {}).items()
        if status.failures
    }
    if not best:
        link = next((s.link for s in monitor.sources.values() if s.link), FALLBACK_LINK)
        lines = [texts["none"].format(town=monitor.town), texts["official"].format(link=link)]
        return "\n".join([*lines, texts["offer"]])
    chosen = sorted(best.values(), key=lambda r: (-r["level"], risk_order(r["risk"])))
    first = min(chosen, key=lambda r: order.index(r["source"]))
    lines = [
        texts["title"].format(town=monitor.town),
        texts["zone"].format(zone=zone_label(first["zone"], first["zone_name"])),
    ]
    for row in chosen:
        level = Level(row["level"])
        line = f"{level.emoji} {risk_label(row['risk'], language).capitalize()}: {level.label(language)}"
        if level > Level.GREEN:
            line += " " + words.period(when(row["valid_from"]), when(row["valid_to"]), language)
        lines.append(line)
    for risk in sorted(set(failing) - set(best), key=risk_order):
        source = NAMES.get(failing[risk], failing[risk])
        lines.append(
            texts["missing"].format(risk=risk_label(risk, language).capitalize(), source=source)
        )
    checked = min(when(r["checked_at"]) for r in chosen)
    lines.append(texts["updated"].format(when=words.moment(checked, language)))
    if any(
        monitor.status[r["source"]].failures
        or r["risk"] in failing
        and failing[r["risk"]] == r["source"]
        for r in chosen
    ):
        lines.append(texts["stale"])
    for name in dict.fromkeys(r["source"] for r in chosen):
        links = dict.fromkeys(r["link"] for r in chosen if r["source"] == name and r["link"])
        lines.append(ATTRIBUTIONS.get(name, name))
        lines.extend(links)
    lines.append(texts["offer"])
    return "\n".join(lines)
