"""Configuration: one TOML file, environment overrides, a separate secrets file, validated."""

from __future__ import annotations

import difflib
import ipaddress
import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ENV_PREFIX = "APPLIANCE_"
DEFAULT_API_BASE_URL = "https://graph.facebook.com"


class ConfigError(Exception):
    """The configuration cannot be used; the message lists every problem for a technician."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("configuration problems:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class Setting:
    """One documented key: its type, default, example and whether it is a secret."""

    section: str
    key: str
    kind: str  # str, int, float, bool, bind, url, path, list
    default: Any
    help: str
    example: str
    secret: bool = False
    minimum: float | None = None
    maximum: float | None = None


# The declarative table of every setting (Datasette's SETTINGS habit): docs and checks read it.
SETTINGS: tuple[Setting, ...] = (
    Setting("town", "name", "str", "Rota d'Imagna", "Name of the comune", '"Rota d\'Imagna"'),
    Setting(
        "town",
        "keyword",
        "str",
        "",
        "Word that opens the menu (default: first word of the name)",
        '"Rota"',
    ),
    Setting(
        "town",
        "website",
        "url",
        "https://www.comune.rotadimagna.bg.it",
        "The comune's website",
        '"https://www.comune.example.it"',
    ),
    Setting(
        "town",
        "latitude",
        "float",
        45.8297,
        "Latitude for the forecast",
        "45.83",
        minimum=-90,
        maximum=90,
    ),
    Setting(
        "town",
        "longitude",
        "float",
        9.5108,
        "Longitude for the forecast",
        "9.51",
        minimum=-180,
        maximum=180,
    ),
    Setting("town", "istat_code", "str", "016186", "ISTAT code of the comune", '"016186"'),
    Setting("town", "alert_zone", "str", "IM-06", "Civil-protection alert zone", '"IM-06"'),
    Setting("town", "language", "str", "it", "Default language (it or en)", '"it"'),
    Setting(
        "whatsapp",
        "api_base_url",
        "url",
        DEFAULT_API_BASE_URL,
        "Graph API base URL (HTTPS unless loopback)",
        '"https://graph.facebook.com"',
    ),
    Setting("whatsapp", "api_version", "str", "v25.0", "Graph API version", '"v25.0"'),
    Setting(
        "whatsapp",
        "phone_number_id",
        "str",
        "",
        "Phone number id from Meta's dashboard",
        '"200000000000002"',
    ),
    Setting(
        "whatsapp",
        "business_account_id",
        "str",
        "",
        "WhatsApp Business Account id",
        '"100000000000001"',
    ),
    Setting(
        "whatsapp",
        "access_token",
        "str",
        "",
        "Permanent system-user token",
        '"EAAG..."',
        secret=True,
    ),
    Setting(
        "whatsapp",
        "app_secret",
        "str",
        "",
        "App secret (signs webhooks)",
        '"0123abcd..."',
        secret=True,
    ),
    Setting(
        "whatsapp",
        "verify_token",
        "str",
        "",
        "Verify token typed in Meta's dashboard",
        '"a-long-random-string"',
        secret=True,
    ),
    Setting(
        "whatsapp",
        "throughput_per_second",
        "int",
        80,
        "Messages per second of the number",
        "80",
        minimum=1,
        maximum=1000,
    ),
    Setting(
        "campaigns",
        "lane_per_second",
        "int",
        70,
        "Campaign share of the throughput (the rest is kept for inbound, replies, emergencies)",
        "70",
        minimum=1,
        maximum=1000,
    ),
    Setting(
        "campaigns",
        "max_in_flight",
        "int",
        24,
        "Send requests in flight at most (the dispatcher aims at rate x round trip)",
        "24",
        minimum=1,
        maximum=64,
    ),
    Setting(
        "campaigns",
        "inflight_grace_seconds",
        "int",
        120,
        "After a crash, wait this long for a status before resending a message in flight",
        "120",
        minimum=0,
        maximum=86400,
    ),
    Setting(
        "campaigns",
        "messaging_tier",
        "int",
        0,
        "Daily messaging limit (unique template recipients in 24 h); 0 reads it from Meta",
        "0",
        minimum=0,
        maximum=10000000,
    ),
    Setting(
        "campaigns",
        "alert_template",
        "str",
        "allerta_meteo",
        "Approved utility template (one text parameter) for alert campaigns outside the window",
        '"allerta_meteo"',
    ),
    Setting(
        "server",
        "public_bind",
        "bind",
        "127.0.0.1:8081",
        "Public listener (webhook, tunnel side)",
        '"127.0.0.1:8081"',
    ),
    Setting(
        "server",
        "lan_bind",
        "bind",
        "[::]:8080",
        "LAN listener (admin UI, REST API)",
        '"[::]:8080"',
    ),
    Setting(
        "server",
        "tls_certfile",
        "path",
        "",
        "Certificate for HTTPS on the LAN listener",
        '"/etc/banditore/lan.crt"',
    ),
    Setting(
        "server",
        "tls_keyfile",
        "path",
        "",
        "Key for HTTPS on the LAN listener",
        '"/etc/banditore/lan.key"',
    ),
    Setting(
        "server",
        "allowed_networks",
        "list",
        [],
        "Client address ranges allowed on the LAN listener (empty: all)",
        '["192.168.1.0/24"]',
    ),
    Setting(
        "server",
        "allowed_hosts",
        "list",
        [],
        "Extra host names of the LAN UI (its addresses and .local names always work)",
        '["banditore.comune.lan"]',
    ),
    Setting(
        "server",
        "secret_key",
        "str",
        "",
        "Key that signs session cookies (generated when empty)",
        '"random-64-chars"',
        secret=True,
    ),
    Setting(
        "database",
        "path",
        "path",
        "var/banditore.db",
        "SQLite database file",
        '"/var/lib/banditore/banditore.db"',
    ),
    Setting("gpio", "enabled", "bool", False, "Use the real GPIO pins", "true"),
    Setting(
        "gpio",
        "button_pin",
        "int",
        17,
        "BCM pin of the emergency button",
        "17",
        minimum=0,
        maximum=27,
    ),
    Setting("gpio", "led_pin", "int", 27, "BCM pin of the status LED", "27", minimum=0, maximum=27),
    Setting(
        "gpio",
        "hold_seconds",
        "float",
        3.0,
        "Seconds the button must be held",
        "3",
        minimum=0.5,
        # gpiozero joins its hold thread for at most 10 s on close; longer holds cannot stop cleanly.
        maximum=10,
    ),
    Setting("zeroconf", "enabled", "bool", True, "Advertise the LAN UI with mDNS", "true"),
    Setting(
        "feeds",
        "weather_url",
        "url",
        "https://api.open-meteo.com/v1/forecast",
        "Open-Meteo forecast endpoint",
        '"https://api.open-meteo.com/v1/forecast"',
    ),
    Setting(
        "feeds",
        "weather_api_key",
        "str",
        "",
        "Open-Meteo API key (paid plan)",
        '"..."',
        secret=True,
    ),
    Setting("feeds", "alerts_enabled", "bool", True, "Poll the regional alert sources", "true"),
    Setting("logging", "level", "str", "INFO", "Log level", '"INFO"'),
    Setting(
        "server",
        "public_url",
        "url",
        "",
        "Public HTTPS address of the tunnel (for the webhook self-test)",
        '"https://banditore.comune.example.it"',
    ),
    Setting(
        "backup",
        "dir",
        "path",
        "var/backups",
        "Folder of the encrypted backups",
        '"/var/lib/banditore/backups"',
    ),
    Setting(
        "backup",
        "keep",
        "int",
        14,
        "How many nightly backups to keep",
        "14",
        minimum=1,
        maximum=365,
    ),
    Setting(
        "backup",
        "copy_to",
        "path",
        "",
        "Off-device folder (USB stick, network share)",
        '"/media/usb/banditore"',
    ),
    Setting(
        "backup",
        "key_file",
        "path",
        "",
        "File holding the backup encryption key",
        '"/etc/banditore/backup.key"',
    ),
    Setting(
        "emergency",
        "cooldown_seconds",
        "int",
        600,
        "Seconds after a press during which another press sends nothing",
        "600",
        minimum=0,
        maximum=86400,
    ),
    Setting(
        "emergency",
        "expiry_hours",
        "float",
        6.0,
        "Hours after which an emergency is no longer sent",
        "6",
        minimum=0.1,
        maximum=72,
    ),
    Setting(
        "emergency",
        "test_numbers",
        "list",
        [],
        "Staff numbers that receive drills in test mode",
        '["+393331234567"]',
    ),
    Setting(
        "health",
        "webhook_silence_minutes",
        "int",
        1440,
        "Minutes without webhooks before the box reports degraded",
        "1440",
        minimum=1,
        maximum=100000,
    ),
    Setting(
        "feeds",
        "weather_cache_minutes",
        "int",
        30,
        "Minutes a forecast is reused",
        "30",
        minimum=1,
        maximum=1440,
    ),
    Setting(
        "feeds",
        "alerts_auto_level",
        "str",
        "orange",
        "Alert level sent without approval (yellow, orange, red, none)",
        '"orange"',
    ),
    Setting(
        "feeds",
        "alert_sources",
        "list",
        ["lombardy", "dpc"],
        "Alert sources to poll, most authoritative first (lombardy, dpc, cap)",
        '["lombardy", "dpc"]',
    ),
    Setting(
        "feeds",
        "alerts_poll_minutes",
        "int",
        20,
        "Minutes between two polls of each alert source",
        "20",
        minimum=1,
        maximum=1440,
    ),
    Setting(
        "feeds",
        "lombardy_url",
        "url",
        "https://www.allertalom.regione.lombardia.it/lista-zone",
        "allertaLOM zone list (undocumented endpoint)",
        '"https://www.allertalom.regione.lombardia.it/lista-zone"',
    ),
    Setting(
        "feeds",
        "lombardy_risks",
        "list",
        ["9", "10", "7", "8"],
        "allertaLOM risk types (cdTipologiaGis) to poll",
        '["9", "10", "7", "8"]',
    ),
    Setting(
        "feeds",
        "dpc_index_url",
        "url",
        "https://mappe.protezionecivile.gov.it/it/mappe-rischi/bollettino-di-criticita/",
        "Page or listing naming the latest DPC bulletin id (YYYYMMDD_HHMM)",
        '"https://mappe.protezionecivile.gov.it/it/mappe-rischi/bollettino-di-criticita/"',
    ),
    Setting(
        "feeds",
        "dpc_url",
        "str",
        "https://raw.githubusercontent.com/pcm-dpc/DPC-Bollettini-Criticita-Idrogeologica-Idraulica"
        "/master/files/geojson/{id}_{day}.json",
        "DPC bulletin GeoJSON, with {id} and {day} (today or tomorrow)",
        '"https://raw.githubusercontent.com/.../files/geojson/{id}_{day}.json"',
    ),
    Setting(
        "feeds",
        "dpc_zone",
        "str",
        "",
        "DPC zone name (empty: the zone whose Comuni list the town)",
        '"Orobie bergamasche"',
    ),
    Setting(
        "feeds",
        "cap_urls",
        "list",
        [],
        "CAP 1.2 documents to poll as the 'cap' source",
        '["https://alerts.example.it/latest.xml"]',
    ),
    Setting(
        "conversation",
        "auto_answer_hours",
        "int",
        24,
        "Hours before a citizen gets the automatic inbox answer again",
        "24",
        minimum=0,
        maximum=720,
    ),
    Setting(
        "conversation",
        "stale_flow_hours",
        "int",
        24,
        "Hours after which a half-finished flow (subscription…) is forgotten",
        "24",
        minimum=1,
        maximum=720,
    ),
    Setting(
        "conversation",
        "flood_per_minute",
        "int",
        12,
        "Messages per minute one citizen gets answers to; beyond, answers slow down",
        "12",
        minimum=1,
        maximum=600,
    ),
    Setting(
        "retention",
        "webhook_days",
        "int",
        30,
        "Days raw webhook payloads are kept",
        "30",
        minimum=1,
        maximum=3650,
    ),
    Setting(
        "retention",
        "inbox_days",
        "int",
        180,
        "Days chat and inbox texts are kept",
        "180",
        minimum=1,
        maximum=3650,
    ),
    Setting(
        "retention",
        "recipient_log_days",
        "int",
        365,
        "Days per-recipient delivery logs are kept",
        "365",
        minimum=1,
        maximum=3650,
    ),
    Setting(
        "retention",
        "contact_days",
        "int",
        365,
        "Days a number that never subscribed (or unsubscribed) keeps its profile",
        "365",
        minimum=1,
        maximum=3650,
    ),
)

_BY_SECTION: dict[str, dict[str, Setting]] = {}
for _s in SETTINGS:
    _BY_SECTION.setdefault(_s.section, {})[_s.key] = _s
_TOP_LEVEL_KEYS = {"secrets_file"}


@dataclass
class Config:
    """Validated settings, reachable as ``config.get("section", "key")`` or ``config.section.key``."""

    values: dict[str, dict[str, Any]]
    source: Path | None = None
    secrets_file: Path | None = None
    demo: bool = False
    origins: dict[tuple[str, str], str] = field(default_factory=dict)

    def get(self, section: str, key: str) -> Any:
        """Value of one setting."""
        return self.values[section][key]

    def __getattr__(self, section: str) -> Any:
        try:
            values = self.__dict__["values"][section]
        except KeyError as err:
            raise AttributeError(section) from err
        return _Section(values)

    def secrets(self) -> list[str]:
        """Every non-empty secret value, for the log redactor."""
        return [
            str(self.values[s.section][s.key])
            for s in SETTINGS
            if s.secret and self.values[s.section][s.key]
        ]

    def exposed_secrets(self) -> str:
        """A one-line problem when the main config file holds secrets others can read, or ""."""
        if self.source is None:
            return ""
        held = [
            f"[{s.section}] {s.key}"
            for s in SETTINGS
            if s.secret and self.origins.get((s.section, s.key)) == "config file"
        ]
        try:
            mode = stat.S_IMODE(self.source.stat().st_mode)
        except OSError:
            return ""
        if not held or not mode & stat.S_IROTH:
            return ""
        return (
            f"config file {self.source} holds secrets ({', '.join(held)}) and is readable by "
            f"every user (mode {mode:04o}): move them to the secrets file, or run: "
            f"chmod 640 {self.source}"
        )

    @property
    def has_real_credentials(self) -> bool:
        """True when a Meta token or app secret is configured."""
        wa = self.values["whatsapp"]
        return bool(wa["access_token"] or wa["app_secret"])

    @property
    def keyword(self) -> str:
        """The keyword that opens the menu."""
        return (
            self.values["town"]["keyword"] or self.values["town"]["name"].split()[0].split("'")[0]
        )


class _Section:
    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def __getattr__(self, key: str) -> Any:
        try:
            return self._values[key]
        except KeyError as err:
            raise AttributeError(key) from err


def load_config(
    path: str | os.PathLike[str] | None = None,
    environ: dict[str, str] | None = None,
    *,
    overrides: dict[str, dict[str, Any]] | None = None,
) -> Config:
    """Read the TOML file, the secrets file and the environment; raise ConfigError on any problem."""
    env = dict(os.environ if environ is None else environ)
    problems: list[str] = []
    raw: dict[str, Any] = {}
    source: Path | None = None
    path = path or env.get(ENV_PREFIX + "CONFIG") or None
    if path:
        source = Path(path)
        raw = _read_toml(source, problems, what="config file")
    secrets_path = env.get(ENV_PREFIX + "SECRETS_FILE") or raw.pop("secrets_file", None)
    secrets_file: Path | None = None
    secret_raw: dict[str, Any] = {}
    if secrets_path:
        secrets_file = Path(secrets_path)
        if source and not secrets_file.is_absolute():
            secrets_file = source.parent / secrets_file
        secret_raw = _read_secrets(secrets_file, problems)

    values: dict[str, dict[str, Any]] = {
        section: {k: s.default for k, s in keys.items()} for section, keys in _BY_SECTION.items()
    }
    origins: dict[tuple[str, str], str] = {}
    for origin, layer in (("config file", raw), ("secrets file", secret_raw)):
        _merge_layer(layer, values, origins, origin, problems)
    for section, keys in _BY_SECTION.items():
        for key, setting in keys.items():
            name = f"{ENV_PREFIX}{section.upper()}_{key.upper()}"
            if name in env:
                parsed = _parse_env(setting, env[name], problems, name)
                if parsed is not _INVALID:
                    values[section][key] = parsed
                    origins[(section, key)] = f"environment {name}"
    for section, keys in (overrides or {}).items():
        for key, value in keys.items():
            values[section][key] = value
            origins[(section, key)] = "override"
    for setting in SETTINGS:
        _check_value(setting, values[setting.section][setting.key], problems)
    _check_relations(values, problems)
    if problems:
        raise ConfigError(problems)
    return Config(values=values, source=source, secrets_file=secrets_file, origins=origins)


_INVALID = object()


def _read_toml(path: Path, problems: list[str], *, what: str) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        problems.append(f"{what} {path} does not exist")
    except IsADirectoryError:
        problems.append(f"{what} {path} is a directory; give the path of the file itself")
    except PermissionError:
        problems.append(f"{what} {path} cannot be read (permission denied)")
    except tomllib.TOMLDecodeError as err:
        problems.append(f"{what} {path} is not valid TOML: {err}")
    except UnicodeDecodeError:
        problems.append(f"{what} {path} is not UTF-8 text")
    return {}


def _read_secrets(path: Path, problems: list[str]) -> dict[str, Any]:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        problems.append(f"secrets file {path} does not exist (create it with mode 0600)")
        return {}
    if stat.S_ISDIR(mode):
        problems.append(f"secrets file {path} is a directory; give the path of the file itself")
        return {}
    if mode & 0o077:
        # Only the service's own user may read it: a group (or everybody) reading is refused.
        who = "every user" if mode & (stat.S_IROTH | stat.S_IWOTH) else "its group"
        problems.append(
            f"secrets file {path} is readable by {who} (mode {stat.S_IMODE(mode):04o}); "
            f"run: chmod 600 {path}"
        )
        return {}
    layer = _read_toml(path, problems, what="secrets file")
    for section, keys in layer.items():
        for key in keys if isinstance(keys, dict) else ():
            setting = _BY_SECTION.get(section, {}).get(key)
            if setting is not None and not setting.secret:
                problems.append(f"[{section}] {key} is not a secret; move it to the config file")
    return layer


def _merge_layer(
    layer: dict[str, Any],
    values: dict[str, dict[str, Any]],
    origins: dict[tuple[str, str], str],
    origin: str,
    problems: list[str],
) -> None:
    for section, keys in layer.items():
        if section in _TOP_LEVEL_KEYS:
            continue
        if section not in _BY_SECTION:
            problems.append(
                f"{origin}: unknown section [{section}]{_suggest(section, _BY_SECTION)}"
            )
            continue
        if not isinstance(keys, dict):
            problems.append(
                f"{origin}: [{section}] must be a table, e.g. [{section}] on its own line"
            )
            continue
        for key, value in keys.items():
            setting = _BY_SECTION[section].get(key)
            if setting is None:
                problems.append(
                    f"{origin}: unknown key [{section}] {key}{_suggest(key, _BY_SECTION[section])}"
                )
                continue
            coerced = _coerce(setting, value, problems, origin)
            if coerced is not _INVALID:
                values[section][key] = coerced
                origins[(section, key)] = origin


def _suggest(word: str, options: Any) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _bad(setting: Setting, got: Any, what: str, where: str) -> str:
    return (
        f"{where}: [{setting.section}] {setting.key}: expected {what}, got {got!r} "
        f"(example: {setting.key} = {setting.example})"
    )


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


def _coerce(setting: Setting, value: Any, problems: list[str], where: str) -> Any:
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
        return _INVALID
    return float(value) if kind == "float" else value


def _parse_env(setting: Setting, text: str, problems: list[str], name: str) -> Any:
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
        return _INVALID
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


def _check_value(setting: Setting, value: Any, problems: list[str]) -> None:
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


def _check_relations(values: dict[str, dict[str, Any]], problems: list[str]) -> None:
    if values["town"]["language"] not in ("it", "en"):
        problems.append('[town] language: expected "it" or "en"')
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


def require_credentials(config: Config) -> None:
    """Raise ConfigError when the keys needed to talk to Meta are missing."""
    wa = config.values["whatsapp"]
    missing = [
        f"[whatsapp] {key} is required to serve (example: {key} = {_BY_SECTION['whatsapp'][key].example})"
        for key in ("phone_number_id", "access_token", "app_secret", "verify_token")
        if not wa[key]
    ]
    if missing:
        raise ConfigError(missing)


def database_path(config: Config) -> Path:
    """Absolute database path; relative paths are taken from the working directory."""
    return Path(config.values["database"]["path"]).expanduser().resolve()
