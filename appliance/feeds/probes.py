"""Health probes "weather" and "alerts" for the dashboard and the status LED."""

from __future__ import annotations

from datetime import datetime, timedelta

from appliance.core.health import ERROR, OK, UNKNOWN, WARN, Check, Probe
from appliance.feeds import words
from appliance.feeds.alerts import AlertMonitor
from appliance.feeds.forecast import Forecast
from appliance.feeds.levels import risk_label

NAMES = {"lombardy": "allertaLOM", "dpc": "DPC", "cap": "CAP", "meteoalarm": "MeteoAlarm"}
# A source silent this long is an error, not a hiccup: citizens would get stale alert levels.
ALERTS_STALE = timedelta(hours=6)


def _ago(moment: datetime, now: datetime) -> str:
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return "ora"
    if minutes < 120:
        return f"{minutes} min fa"
    return words.moment(moment, "it")


def weather_probe(forecast: Forecast) -> Probe:
    """Last successful Open-Meteo fetch and the last error."""

    async def probe() -> Check:
        now = forecast.clock()
        ok = forecast.last_success
        if forecast.last_error:
            status = WARN if forecast.cached else ERROR
            kept = forecast.cached.fetched_at if forecast.cached else None
            seen = f"ultima previsione {_ago(kept, now)}" if kept else "nessuna previsione salvata"
            return Check(
                "weather",
                status,
                "Meteo",
                f"errore: {forecast.last_error[:300]}; {seen}",
                "Il servizio meteo Open-Meteo non risponde: ai cittadini va l'ultima previsione "
                "salvata. Controllare la connessione a Internet; se persiste, verificare "
                "[feeds] weather_url e l'eventuale chiave (weather_api_key).",
            )
        if ok is None:
            return Check("weather", UNKNOWN, "Meteo", "nessuna previsione richiesta finora")
        return Check("weather", OK, "Meteo", f"aggiornato {_ago(ok, now)}")

    return probe


def alerts_probe(monitor: AlertMonitor) -> Probe:
    """Each alert source's last success and error."""

    async def probe() -> Check:
        if not monitor.sources:
            return Check(
                "alerts",
                WARN,
                "Allerte",
                "nessuna fonte configurata",
                "Indicare le fonti in [feeds] alert_sources.",
            )
        polled = any(s.last_success or s.failures for s in monitor.status.values())
        if not monitor.enabled and not polled:
            return Check("alerts", OK, "Allerte", "controllo automatico disattivato")
        now = monitor.clock()
        parts, failing, stale = [], [], []
        for name, status in monitor.status.items():
            label = NAMES.get(name, name)
            if status.failures:
                failing.append(label)
                parts.append(f"{label}: errore ({status.last_error[:160]})")
            elif status.last_success:
                parts.append(f"{label}: ok, {_ago(status.last_success, now)}")
            else:
                parts.append(f"{label}: in attesa del primo controllo")
            for risk, risk_status in monitor.risk_status.get(name, {}).items():
                if risk_status.failures and not status.failures:
                    failing.append(f"{label} ({risk_label(risk, 'it')})")
                    parts.append(f"{risk_label(risk, 'it')}: {risk_status.last_error[:160]}")
            if status.last_success is None or now - status.last_success > ALERTS_STALE:
                stale.append(name)
        value = "; ".join(parts)
        if not failing:
            done = len(stale) < len(monitor.status)
            return Check("alerts", OK if done else UNKNOWN, "Allerte", value)
        status = ERROR if len(stale) == len(monitor.status) else WARN
        return Check(
            "alerts",
            status,
            "Allerte",
            value,
            f"Non riesco a leggere: {', '.join(failing)}. Le allerte nuove potrebbero non "
            "arrivare ai cittadini. Controllare la connessione a Internet; se persiste, "
            "verificare gli indirizzi in [feeds] (lombardy_url, dpc_index_url, cap_urls).",
        )

    return probe
