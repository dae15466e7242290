"""Health probes "weather" and "alerts" for the dashboard and the status LED."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from appliance.core.health import ERROR, OK, UNKNOWN, WARN, Check, Probe
from appliance.core.text import N_, Text
from appliance.feeds import words
from appliance.feeds.alerts import AlertMonitor
from appliance.feeds.forecast import Forecast
from appliance.feeds.levels import risk_label

NAMES = {"lombardy": "allertaLOM", "dpc": "DPC", "cap": "CAP", "meteoalarm": "MeteoAlarm"}
# A source silent this long is an error, not a hiccup: citizens would get stale alert levels.
ALERTS_STALE = timedelta(hours=6)
WEATHER, ALERTS = N_("Meteo"), N_("Allerte")


def _ago(moment: datetime, now: datetime) -> Text:
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return N_("ora")
    if minutes < 120:
        return N_("{n} min fa", n=minutes)
    return Text("{moment}", {"moment": lambda language: words.moment(moment, language)})


def weather_probe(forecast: Forecast) -> Probe:
    """Last successful Open-Meteo fetch and the last error."""

    async def probe() -> Check:
        now = forecast.clock()
        ok = forecast.last_success
        if forecast.last_error:
            status = WARN if forecast.cached else ERROR
            kept = forecast.cached.fetched_at if forecast.cached else None
            seen = (
                N_("ultima previsione {ago}", ago=_ago(kept, now))
                if kept
                else N_("nessuna previsione salvata")
            )
            return Check(
                "weather",
                status,
                WEATHER,
                N_("errore: {error}; {seen}", error=forecast.last_error[:300], seen=seen),
                N_(
                    "Il servizio meteo Open-Meteo non risponde: ai cittadini va l'ultima "
                    "previsione salvata. Controllare la connessione a Internet; se persiste, "
                    "verificare [feeds] weather_url e l'eventuale chiave (weather_api_key)."
                ),
            )
        if ok is None:
            return Check("weather", UNKNOWN, WEATHER, N_("nessuna previsione richiesta finora"))
        return Check("weather", OK, WEATHER, N_("aggiornato {ago}", ago=_ago(ok, now)))

    return probe


def alerts_probe(monitor: AlertMonitor) -> Probe:
    """Each alert source's last success and error."""

    async def probe() -> Check:
        if not monitor.sources:
            return Check(
                "alerts",
                WARN,
                ALERTS,
                N_("nessuna fonte configurata"),
                N_("Indicare le fonti in [feeds] alert_sources."),
            )
        polled = any(s.last_success or s.failures for s in monitor.status.values())
        if not monitor.enabled and not polled:
            return Check("alerts", OK, ALERTS, N_("controllo automatico disattivato"))
        now = monitor.clock()
        parts: list[Text] = []
        failing: list[Text | str] = []
        stale: list[str] = []
        for name, status in monitor.status.items():
            label = NAMES.get(name, name)
            if status.failures:
                failing.append(label)
                parts.append(
                    N_("{source}: errore ({error})", source=label, error=status.last_error[:160])
                )
            elif status.last_success:
                parts.append(
                    N_("{source}: ok, {ago}", source=label, ago=_ago(status.last_success, now))
                )
            else:
                parts.append(N_("{source}: in attesa del primo controllo", source=label))
            for risk, risk_status in monitor.risk_status.get(name, {}).items():
                if risk_status.failures and not status.failures:
                    named = partial(risk_label, risk)
                    failing.append(N_("{source} ({risk})", source=label, risk=named))
                    parts.append(
                        N_("{risk}: {error}", risk=named, error=risk_status.last_error[:160])
                    )
            if status.last_success is None or now - status.last_success > ALERTS_STALE:
                stale.append(name)
        value = Text.join("; ", parts)
        if not failing:
            done = len(stale) < len(monitor.status)
            return Check("alerts", OK if done else UNKNOWN, ALERTS, value)
        status = ERROR if len(stale) == len(monitor.status) else WARN
        return Check(
            "alerts",
            status,
            ALERTS,
            value,
            N_(
                "Non riesco a leggere: {sources}. Le allerte nuove potrebbero non arrivare ai "
                "cittadini. Controllare la connessione a Internet; se persiste, verificare gli "
                "indirizzi in [feeds] (lombardy_url, dpc_index_url, cap_urls).",
                sources=Text.join(", ", failing),
            ),
        )

    return probe
