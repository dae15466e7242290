"""WMO weather codes as Open-Meteo uses them, in the words shown to citizens."""

from __future__ import annotations

# Code → (Italian, English), from Open-Meteo's documented table.
WMO_CODES: dict[int, tuple[str, str]] = {
    0: ("Sereno", "Clear sky"),
    1: ("Poco nuvoloso", "Mainly clear"),
    2: ("Parzialmente nuvoloso", "Partly cloudy"),
    3: ("Coperto", "Overcast"),
    45: ("Nebbia", "Fog"),
    48: ("Nebbia con brina", "Depositing rime fog"),
    51: ("Pioviggine debole", "Light drizzle"),
    53: ("Pioviggine moderata", "Moderate drizzle"),
    55: ("Pioviggine intensa", "Dense drizzle"),
    56: ("Pioviggine gelata debole", "Light freezing drizzle"),
    57: ("Pioviggine gelata intensa", "Dense freezing drizzle"),
    61: ("Pioggia debole", "Slight rain"),
    63: ("Pioggia moderata", "Moderate rain"),
    65: ("Pioggia forte", "Heavy rain"),
    66: ("Pioggia gelata debole", "Light freezing rain"),
    67: ("Pioggia gelata forte", "Heavy freezing rain"),
    71: ("Neve debole", "Slight snowfall"),
    73: ("Neve moderata", "Moderate snowfall"),
    75: ("Neve forte", "Heavy snowfall"),
    77: ("Neve granulare", "Snow grains"),
    80: ("Rovesci deboli", "Slight rain showers"),
    81: ("Rovesci moderati", "Moderate rain showers"),
    82: ("Rovesci violenti", "Violent rain showers"),
    85: ("Rovesci di neve deboli", "Slight snow showers"),
    86: ("Rovesci di neve forti", "Heavy snow showers"),
    95: ("Temporale debole o moderato", "Slight or moderate thunderstorm"),
    96: ("Temporale con grandine debole", "Thunderstorm with slight hail"),
    99: ("Temporale con grandine forte", "Thunderstorm with heavy hail"),
}
UNKNOWN = ("Condizioni non disponibili", "Conditions not available")


def describe(code: object, language: str) -> str:
    """The text for a WMO code; anything else (null, unknown) reads as not available."""
    names = (
        WMO_CODES.get(code, UNKNOWN)
        if isinstance(code, int) and not isinstance(code, bool)
        else UNKNOWN
    )
    return names[1 if language == "en" else 0]
