"""Menu option 1: the Open-Meteo forecast as a citizen reads it, over real HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from appliance.feeds.forecast import FORECAST
from tests.support.feeds import FORECAST_NOW

pytestmark = pytest.mark.slow

FORECAST_IT = (
    "Meteo a Rota d'Imagna\n"
    "• Oggi lun 14/09: Parzialmente nuvoloso, 12–24 °C, precipitazioni 0,0 mm (10%)\n"
    "• Domani mar 15/09: Temporale debole o moderato, 12–21 °C, precipitazioni 12,4 mm (85%)\n"
    "• mer 16/09: Pioggia debole, 9–18 °C, precipitazioni 3,1 mm\n"
    "Dati meteo: Open-Meteo.com (CC BY 4.0)"
)
SORRY_IT = "Ci scusiamo: al momento la previsione meteo non è disponibile. Riprova più tardi."


def forecast_text(running, language="it"):
    return running.call(running.appliance.parts[FORECAST].text(language))


def health(running, key):
    checks = running.call(running.appliance.health.snapshot())
    return next(c for c in checks if c.key == key)


def test_normal_forecast_in_italian_and_english(appliance_factory, fake):
    fake.serve("/v1/forecast", "open_meteo_forecast.json")
    running = appliance_factory(FORECAST_NOW)
    assert forecast_text(running) == FORECAST_IT
    english = forecast_text(running, "en")
    assert english == (
        "Weather in Rota d'Imagna\n"
        "• Today Mon 14/09: Partly cloudy, 12–24 °C, precipitation 0.0 mm (10%)\n"
        "• Tomorrow Tue 15/09: Slight or moderate thunderstorm, 12–21 °C, precipitation 12.4 mm (85%)\n"
        "• Wed 16/09: Slight rain, 9–18 °C, precipitation 3.1 mm\n"
        "Dati meteo: Open-Meteo.com (CC BY 4.0)"
    )
    # Short enough for a phone screen, far below WhatsApp's 4096 characters.
    assert len(FORECAST_IT) < 400
    # Cached: the second and third answers did not call Open-Meteo again.
    assert fake.count("/v1/forecast") == 1
    path, query, _ = fake.requests[0]
    assert query["latitude"] == "45.8297" and query["longitude"] == "9.5108"
    assert query["timezone"] == "Europe/Rome" and query["forecast_days"] == "3"
    assert "apikey" not in query
    assert set(query["daily"].split(",")) == {
        "weather_code",
        "temperature_2m_max",
        "temperature_2m_min",
        "precipitation_sum",
        "precipitation_probability_max",
    }
    assert health(running, "weather").status == "ok"


def test_api_key_is_sent_for_the_paid_plan(appliance_factory, fake):
    fake.serve("/v1/forecast", "open_meteo_forecast.json")
    running = appliance_factory(FORECAST_NOW, weather_api_key="paid-plan-key")
    assert forecast_text(running) == FORECAST_IT
    assert fake.requests[0][1]["apikey"] == "paid-plan-key"


def test_nulls_and_short_columns_leave_out_what_is_missing(appliance_factory, fake):
    fake.serve("/v1/forecast", "open_meteo_nulls.json")
    running = appliance_factory(FORECAST_NOW)
    assert forecast_text(running) == (
        "Meteo a Rota d'Imagna\n"
        "• Oggi lun 14/09: Coperto, max 20 °C\n"
        "• Domani mar 15/09: Condizioni non disponibili, min 8 °C, precipitazioni 1,2 mm\n"
        "• mer 16/09: dati non disponibili\n"
        "Dati meteo: Open-Meteo.com (CC BY 4.0)"
    )


def test_unknown_weather_code_reads_as_not_available(appliance_factory, fake):
    fake.serve("/v1/forecast", "open_meteo_unknown_code.json")
    running = appliance_factory(FORECAST_NOW)
    lines = forecast_text(running).splitlines()
    assert (
        lines[1]
        == "• Oggi lun 14/09: Condizioni non disponibili, 5–15 °C, precipitazioni 0,0 mm (0%)"
    )
    assert lines[3] == "• mer 16/09: Neve debole, -3–2 °C, precipitazioni 8,0 mm (90%)"


def test_http_400_without_a_cache_gives_the_apology_and_an_error_on_health(appliance_factory, fake):
    fake.serve("/v1/forecast", "open_meteo_error_400.json", status=400)
    running = appliance_factory(FORECAST_NOW)
    assert forecast_text(running) == SORRY_IT
    assert forecast_text(running, "en") == (
        "Sorry: the weather forecast is not available right now. Please try again later."
    )
    check = health(running, "weather")
    assert check.status == "error"
    assert "HTTP 400" in check.value and "tempeture_2m" in check.value
    # The failure is remembered: the second answer did not hammer the service.
    assert fake.count("/v1/forecast") == 1


def test_http_429_serves_the_last_forecast_with_its_time(appliance_factory, fake):
    fake.serve("/v1/forecast", "open_meteo_forecast.json")
    running = appliance_factory(FORECAST_NOW)
    assert forecast_text(running) == FORECAST_IT
    # Forty minutes later the cache is old and Open-Meteo rate-limits us.
    fake.serve("/v1/forecast", "open_meteo_error_429.json", status=429, **{"Retry-After": "600"})
    running.appliance.parts[FORECAST].clock = lambda: FORECAST_NOW + timedelta(minutes=40)
    stale = forecast_text(running)
    assert stale == FORECAST_IT.replace(
        "Dati meteo:",
        "⚠️ Servizio meteo non raggiungibile: previsione del lun 14/09 ore 10:00.\nDati meteo:",
    )
    assert forecast_text(running) == stale
    assert fake.count("/v1/forecast") == 2  # Retry-After respected: no third request
    check = health(running, "weather")
    assert check.status == "warn" and "HTTP 429" in check.value


def test_forecast_survives_a_restart_while_open_meteo_is_down(tmp_path, appliance_factory, fake):
    fake.serve("/v1/forecast", "open_meteo_forecast.json")
    first = appliance_factory(FORECAST_NOW)
    assert forecast_text(first) == FORECAST_IT
    first.stop()
    fake.routes.clear()  # Open-Meteo now answers 404 to everything
    second = appliance_factory(FORECAST_NOW + timedelta(hours=2))
    text = forecast_text(second)
    assert "previsione del lun 14/09 ore 10:00" in text
    assert text.startswith("Meteo a Rota d'Imagna\n• Oggi lun 14/09: Parzialmente nuvoloso")


def test_days_before_today_are_not_shown_from_an_old_forecast(appliance_factory, fake):
    fake.serve("/v1/forecast", "open_meteo_forecast.json")
    running = appliance_factory(FORECAST_NOW)
    forecast_text(running)
    fake.routes.clear()
    running.appliance.parts[FORECAST].clock = lambda: FORECAST_NOW + timedelta(days=1)
    lines = forecast_text(running).splitlines()
    assert lines[1].startswith("• Oggi mar 15/09: Temporale")
    assert lines[2].startswith("• Domani mer 16/09: Pioggia debole")
    running.appliance.parts[FORECAST].clock = lambda: FORECAST_NOW + timedelta(days=3)
    assert forecast_text(running) == SORRY_IT


def test_unreachable_service_and_no_cache_gives_the_apology(appliance_factory, fake):
    running = appliance_factory(FORECAST_NOW, weather_url="http://127.0.0.1:9/v1/forecast")
    assert forecast_text(running) == SORRY_IT
    assert health(running, "weather").status == "error"
