"""Validation of settings: coercion of file and environment values, range and relation checks."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from appliance.core.config.settings import BY_SECTION, Setting

if TYPE_CHECKING:
    from appliance.core.config.loader import Config


class ConfigError(Exception):
    """The configuration cannot be used; the message lists every problem for a technician."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("configuration problems:\n" + "\n".join(f"  - {p}" for p in problems))


# What coerce and parse_env return for a value they rejected (None can be a real value).
INVALID = object()

_KIND_WORDS = {
    "str": "text",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "bind": "host:port",
    "url": "a URL",
    "path": "a file path",
    "list": "a list",
}


def _bad(setting: Setting, got: Any, what: str, where: str) -> str:
    return (
        f"{where}: [{setting.section}] {setting.key}: expected {what}, got {got!r} "
        f"(example: {setting.key} = {setting.example})"
    )


def coerce(setting: Setting, value: Any, problems: list[str], where: str) -> Any:
    """A TOML value as the setting's kind, or INVALID (and a problem) when of the wrong type."""
    kind = setting.kind
    ok = {
        "str": isinstance(value, str),
        "bind": isinstance(value, str),
        "url": isinstance(value, str),
        "path": isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, int | float) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "list": isinstance(value, list) and all(isinstance(v, str) for v in value),
    }[kind]
    if not ok:
        problems.append(_bad(setting, value, _KIND_WORDS[kind], where))
        return INVALID
    return float(value) if kind == "float" else value


def parse_env(setting: Setting, text: str, problems: list[str], name: str) -> Any:
    """An environment variable's text as the setting's kind, or INVALID (and a problem)."""
    kind = setting.kind
    try:
        if kind == "int":
            return int(text)
        if kind == "float":
            return float(text)
        if kind == "bool":
            low = text.strip().lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off"):
                return False
            raise ValueError(text)
        if kind == "list":
            return [part.strip() for part in text.split(",") if part.strip()]
    except ValueError:
        problems.append(_bad(setting, text, _KIND_WORDS[kind], f"environment {name}"))
        return INVALID
    return text


def parse_bind(text: str) -> tuple[str, int]:
    """Split ``host:port`` or ``[v6]:port`` into host and port; raise ValueError when malformed."""
    if text.startswith("["):
        host, sep, port = text[1:].partition("]:")
        if not sep:
            raise ValueError(text)
        ipaddress.IPv6Address(host)
    else:
        host, sep, port = text.rpartition(":")
        if not sep or not host or ":" in host:
            raise ValueError(text)
    number = int(port)
    if not 0 <= number <= 65535:
        raise ValueError(text)
    return host, number


def is_loopback_host(host: str) -> bool:
    """True for localhost and loopback addresses."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_value(setting: Setting, value: Any, problems: list[str]) -> None:
    """Add a problem when a well-typed value is still unusable (address, URL, range)."""
    name = f"[{setting.section}] {setting.key}"
    if setting.kind == "bind":
        try:
            parse_bind(value)
        except ValueError:
            problems.append(
                f"{name}: {value!r} is not host:port (example: {setting.key} = {setting.example})"
            )
    elif setting.kind == "url" and value:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            problems.append(
                f"{name}: {value!r} is not an http(s) URL (example: {setting.key} = {setting.example})"
            )
        elif parts.scheme == "http" and not is_loopback_host(parts.hostname):
            problems.append(
                f"{name}: {value!r} must use https:// (plain http is allowed only for loopback)"
            )
    elif setting.kind in ("int", "float"):
        if setting.minimum is not None and value < setting.minimum:
            problems.append(f"{name}: {value:g} is below the minimum {setting.minimum:g}")
        if setting.maximum is not None and value > setting.maximum:
            problems.append(f"{name}: {value:g} is above the maximum {setting.maximum:g}")
    elif setting.kind == "list" and setting.key == "allowed_networks":
        for net in value:
            try:
                ipaddress.ip_network(net, strict=False)
            except ValueError:
                problems.append(
                    f"{name}: {net!r} is not an address range (example: 192.168.1.0/24)"
                )


def check_relations(values: dict[str, dict[str, Any]], problems: list[str]) -> None:
    """Add a problem for each rule that spans settings or a closed list of words."""
    if values["town"]["language"] not in ("it", "en"):
        problems.append('[town] language: expected "it" or "en"')
    if not _known_zone(values["town"]["timezone"]):
        problems.append('[town] timezone: not a known time zone (example: "Europe/Rome")')
    if not values["town"]["name"].strip():
        problems.append('[town] name: must not be empty (example: name = "Rota d\'Imagna")')
    server = values["server"]
    if bool(server["tls_certfile"]) != bool(server["tls_keyfile"]):
        problems.append("[server] tls_certfile and tls_keyfile must be set together")
    level = str(values["logging"]["level"]).upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        problems.append(
            '[logging] level: expected DEBUG, INFO, WARNING or ERROR (example: level = "INFO")'
        )


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        return False
    return True


def require_credentials(config: Config) -> None:
    """Raise ConfigError when the keys needed to talk to Meta are missing."""
    wa = config.values["whatsapp"]
    missing = [
        f"[whatsapp] {key} is required to serve (example: {key} = {BY_SECTION['whatsapp'][key].example})"
        for key in ("phone_number_id", "access_token", "app_secret", "verify_token")
        if not wa[key]
    ]
    if missing:
        raise ConfigError(missing)
