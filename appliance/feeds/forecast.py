"""The town's three-day forecast from Open-Meteo, cached, written for a phone screen."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from appliance.core.config import Config
from appliance.core.db import Database
from appliance.core.parts import PartKey
from appliance.feeds import words
from appliance.feeds.fetch import FeedError, FeedFormatError, Fetcher
from appliance.feeds.wmo import describe

FORECAST: PartKey[Forecast] = PartKey("forecast")

log = logging.getLogger(__name__)

DAILY = (
    "weather_code",
    "temperature_2m_max",
    "temperature_2m_min",
    "precipitation_sum",
    "precipitation_probability_max",
)
DAYS = 3
MAX_BYTES = 256 * 1024
DEADLINE = 8.0  # a citizen is waiting for the answer
RETRY_SECONDS = 120.0  # after a failure, serve the cache rather than hammer the service
ATTRIBUTION = "Dati meteo: Open-Meteo.com (CC BY 4.0)"

_TEXTS = {
    "it": {
        "title": "Meteo a {town}",
        "rain": "precipitazioni",
        "stale": "⚠️ Servizio meteo non raggiungibile: previsione del {when}.",
        "sorry": (
            "Ci scusiamo: al momento la previsione meteo non è disponibile. Riprova più tardi."
        ),
        "missing": "dati non disponibili",
    },
    "en": {
        "title": "Weather in {town}",
        "rain": "precipitation",
        "stale": "⚠️ Weather service unreachable: forecast from {when}.",
        "sorry": "Sorry: the weather forecast is not available right now. Please try again later.",
        "missing": "no data",
    },
}


@dataclass(frozen=True)
class CachedForecast:
    """The daily block as Open-Meteo sent it, and when we fetched it."""

    daily: dict[str, list[Any]]
    fetched_at: datetime


class Forecast:
    """``text(language)`` answers menu option 1; fetches at most once per cache period."""

    def __init__(self, config: Config, db: Database, fetcher: Fetcher) -> None:
        feeds, town = config.feeds, config.town
        self.url = feeds.weather_url
        self.api_key = feeds.weather_api_key
        self.max_age = timedelta(minutes=feeds.weather_cache_minutes)
        self.latitude, self.longitude = town.latitude, town.longitude
        self.town = town.name
        self.db = db
        self.fetcher = fetcher
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.last_success: datetime | None = None
        self.last_error = ""
        self.last_error_at: datetime | None = None
        self.cached: CachedForecast | None = None
        self._retry_at = 0.0
        self._lock = asyncio.Lock()

    async def text(self, language: str) -> str:
        """The forecast for today and the next two days, or an apology."""
        language = words.lang(language)
        forecast = await self.current()
        now = self.clock()
        lines = _render_days(forecast, now, language) if forecast else []
        if not lines:
            return _TEXTS[language]["sorry"]
        texts = _TEXTS[language]
        out = [texts["title"].format(town=self.town), *lines]
        if now - forecast.fetched_at > self.max_age:
            out.append(texts["stale"].format(when=words.moment(forecast.fetched_at, language)))
        out.append(ATTRIBUTION)
        return "\n".join(out)

    async def current(self) -> CachedForecast | None:
        """A fresh forecast, or the last one when the service cannot be reached now."""
        cached = self.cached
        if cached and self.clock() - cached.fetched_at <= self.max_age:
            return cached
        async with self._lock:  # one fetch however many citizens ask at once
            cached = self.cached
            if cached and self.clock() - cached.fetched_at <= self.max_age:
                return cached
            if time.monotonic() < self._retry_at:
                return cached
            try:
                fresh = await self._fetch()
            except FeedError as err:
                self._failed(err)
                return cached
            self.cached, self.last_success, self.last_error = fresh, fresh.fetched_at, ""
            return fresh

    async def _fetch(self) -> CachedForecast:
        params: dict[str, Any] = {
            "latitude": self.latitude,
            "longitude": self.longitude,
            "daily": ",".join(DAILY),
            "timezone": words.TZ.key,
            "forecast_days": DAYS,
        }
        if self.api_key:
            params["apikey"] = self.api_key
        data = await self.fetcher.get_json(self.url, params, max_bytes=MAX_BYTES, deadline=DEADLINE)
        daily = data.get("daily") if isinstance(data, dict) else None
        if not isinstance(daily, dict) or not isinstance(daily.get("time"), list):
            raise FeedFormatError("Open-Meteo answer has no daily forecast")
        kept = {k: v for k, v in daily.items() if k in ("time", *DAILY) and isinstance(v, list)}
        fetched = CachedForecast(kept, self.clock())
        await self.db.execute(
            "INSERT INTO forecast_cache (latitude, longitude, fetched_at, daily) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (latitude, longitude) DO UPDATE"
            " SET fetched_at = excluded.fetched_at, daily = excluded.daily",
            (self.latitude, self.longitude, fetched.fetched_at.isoformat(), json.dumps(kept)),
        )
        return fetched

    async def load(self) -> None:
        """Read the last stored forecast, so a restart while offline still has one."""
        row = await self.db.fetchone(
            "SELECT fetched_at, daily FROM forecast_cache WHERE latitude = ? AND longitude = ?",
            (self.latitude, self.longitude),
        )
        if row is not None:
            self.cached = CachedForecast(
                json.loads(row["daily"]), datetime.fromisoformat(row["fetched_at"])
            )
            self.last_success = self.cached.fetched_at  # the health line: not "never fetched"

    def _failed(self, err: FeedError) -> None:
        self._retry_at = time.monotonic() + max(RETRY_SECONDS, err.retry_after or 0)
        if not self.last_error:
            log.warning("weather forecast unavailable: %s", err)
        self.last_error, self.last_error_at = str(err), self.clock()


def _pick(values: Any, index: int) -> Any:
    """One column item, or None for a missing, short or null column."""
    if isinstance(values, list) and index < len(values):
        return values[index]
    return None


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _render_days(forecast: CachedForecast, now: datetime, language: str) -> list[str]:
    """One line per day from today on; past days of an old forecast are skipped."""
    today = now.astimezone(words.TZ).date()
    daily, texts = forecast.daily, _TEXTS[language]
    lines: list[str] = []
    for index, raw_day in enumerate(daily.get("time", [])):
        try:
            when = date.fromisoformat(str(raw_day))
        except ValueError:
            continue
        if when < today or len(lines) == DAYS:
            continue
        code = _pick(daily.get("weather_code"), index)
        low = _num(_pick(daily.get("temperature_2m_min"), index))
        high = _num(_pick(daily.get("temperature_2m_max"), index))
        rain = _num(_pick(daily.get("precipitation_sum"), index))
        chance = _num(_pick(daily.get("precipitation_probability_max"), index))
        parts = [describe(code, language)]
        if low is not None and high is not None:
            parts.append(f"{round(low)}–{round(high)} °C")
        elif low is not None:
            parts.append(f"min {round(low)} °C")
        elif high is not None:
            parts.append(f"max {round(high)} °C")
        if rain is not None or chance is not None:
            amount = f" {words.number(rain, language)} mm" if rain is not None else ""
            odds = f" ({round(chance)}%)" if chance is not None else ""
            parts.append(f"{texts['rain']}{amount}{odds}")
        if code is None and len(parts) == 1:
            parts = [texts["missing"]]
        lines.append(f"• {words.day(when, language, today)}: {', '.join(parts)}")
    return lines
