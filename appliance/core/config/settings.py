"""The settings table: every documented key, section by section; docs and checks read it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

DEFAULT_API_BASE_URL = "https://graph.facebook.com"


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


def _key(
    key: str,
    kind: str,
    default: Any,
    help: str,
    example: str | None = None,
    *,
    secret: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
) -> dict[str, Any]:
    """One row of a section; without an example, the default as a TOML file writes it."""
    if example is None:
        example = json.dumps(default, ensure_ascii=False)  # TOML writes these values like JSON
    return {
        "key": key,
        "kind": kind,
        "default": default,
        "help": help,
        "example": example,
        "secret": secret,
        "minimum": minimum,
        "maximum": maximum,
    }


def _section(section: str, *rows: dict[str, Any]) -> tuple[Setting, ...]:
    """The settings of one section, in the order written."""
    return tuple(Setting(section, **row) for row in rows)


# Sections in the order of the product brief's configuration list, then the others; each
# section is written once. The table stays one row per setting: ruff format keeps off it.
# fmt: off
SETTINGS: tuple[Setting, ...] = (
    *_section(
        "town",
        _key("name", "str", "Rota d'Imagna", "Name of the comune"),
        _key("keyword", "str", "", "Word that opens the menu (default: first word of the name)", '"Rota"'),
        _key("website", "url", "https://www.comune.rotadimagna.bg.it",
             "The comune's website", '"https://www.comune.example.it"'),
        _key("latitude", "float", 45.8297, "Latitude for the forecast", "45.83", minimum=-90, maximum=90),
        _key("longitude", "float", 9.5108, "Longitude for the forecast", "9.51", minimum=-180, maximum=180),
        _key("istat_code", "str", "016186", "ISTAT code of the comune"),
        _key("alert_zone", "str", "IM-06", "Civil-protection alert zone"),
        _key("language", "str", "it", "Default language (it or en)"),
        _key("timezone", "str", "Europe/Rome", "Time zone of every time shown on pages, exports and messages"),
    ),
    *_section(
        "whatsapp",
        _key("api_base_url", "url", DEFAULT_API_BASE_URL, "Graph API base URL (HTTPS unless loopback)"),
        _key("api_version", "str", "v25.0", "Graph API version"),
        _key("phone_number_id", "str", "", "Phone number id from Meta's dashboard", '"200000000000002"'),
        _key("business_account_id", "str", "", "WhatsApp Business Account id", '"100000000000001"'),
        _key("access_token", "str", "", "Permanent system-user token", '"EAAG..."', secret=True),
        _key("app_secret", "str", "", "App secret (signs webhooks)", '"0123abcd..."', secret=True),
        _key("verify_token", "str", "",
             "Verify token typed in Meta's dashboard", '"a-long-random-string"', secret=True),
        _key("throughput_per_second", "int", 80,
             "Messages per second of the number", minimum=1, maximum=1000),
    ),
    *_section(
        "server",
        _key("public_bind", "bind", "127.0.0.1:8081", "Public listener (webhook, tunnel side)"),
        _key("lan_bind", "bind", "[::]:8080", "LAN listener (admin UI, REST API)"),
        _key("tls_certfile", "path", "",
             "Certificate for HTTPS on the LAN listener", '"/etc/banditore/lan.crt"'),
        _key("tls_keyfile", "path", "", "Key for HTTPS on the LAN listener", '"/etc/banditore/lan.key"'),
        _key("allowed_networks", "list", [],
             "Client address ranges allowed on the LAN listener (empty: all)", '["192.168.1.0/24"]'),
        _key("allowed_hosts", "list", [],
             "Extra host names of the LAN UI (its addresses and .local names always work)",
             '["banditore.comune.lan"]'),
        _key("secret_key", "str", "",
             "Key that signs session cookies (generated when empty)", '"random-64-chars"', secret=True),
        _key("public_url", "url", "", "Public HTTPS address of the tunnel (for the webhook self-test)",
             '"https://banditore.comune.example.it"'),
    ),
    *_section(
        "database",
        _key("path", "path", "var/banditore.db", "SQLite database file", '"/var/lib/banditore/banditore.db"'),
    ),
    *_section(
        "gpio",
        _key("enabled", "bool", False, "Use the real GPIO pins", "true"),
        _key("button_pin", "int", 17, "BCM pin of the emergency button", minimum=0, maximum=27),
        _key("led_pin", "int", 27, "BCM pin of the status LED", minimum=0, maximum=27),
        # gpiozero joins its hold thread for at most 10 s on close; longer holds cannot stop cleanly.
        _key("hold_seconds", "float", 3.0, "Seconds the button must be held", "3", minimum=0.5, maximum=10),
    ),
    *_section(
        "zeroconf",
        _key("enabled", "bool", True, "Advertise the LAN UI with mDNS"),
    ),
    *_section(
        "feeds",
        _key("weather_url", "url", "https://api.open-meteo.com/v1/forecast", "Open-Meteo forecast endpoint"),
        _key("weather_api_key", "str", "", "Open-Meteo API key (paid plan)", '"..."', secret=True),
        _key("weather_cache_minutes", "int", 30, "Minutes a forecast is reused", minimum=1, maximum=1440),
        _key("alerts_enabled", "bool", True, "Poll the regional alert sources"),
        _key("alerts_auto_level", "str", "orange",
             "Alert level sent without approval (yellow, orange, red, none)"),
        _key("alert_sources", "list", ["lombardy", "dpc"],
             "Alert sources to poll, most authoritative first (lombardy, dpc, cap, meteoalarm)"),
        _key("alerts_poll_minutes", "int", 20,
             "Minutes between two polls of each alert source", minimum=1, maximum=1440),
        _key("lombardy_url", "url", "https://www.allertalom.regione.lombardia.it/lista-zone",
             "allertaLOM zone list (undocumented endpoint)"),
        _key("lombardy_risks", "list", ["9", "10", "7", "8"],
             "allertaLOM risk types (cdTipologiaGis) to poll"),
        _key("dpc_index_url", "url", "https://mappe.protezionecivile.gov.it/it/mappe-rischi/bollettino-di-criticita/",
             "Page or listing naming the latest DPC bulletin id (YYYYMMDD_HHMM)"),
        _key("dpc_url", "str",
             "https://raw.githubusercontent.com/pcm-dpc/DPC-Bollettini-Criticita-Idrogeologica-Idraulica"
             "/master/files/geojson/{id}_{day}.json",
             "DPC bulletin GeoJSON, with {id} and {day} (today or tomorrow)",
             '"https://raw.githubusercontent.com/.../files/geojson/{id}_{day}.json"'),
        _key("dpc_zone", "str", "",
             "DPC zone name (empty: the zone whose Comuni list the town)", '"Orobie bergamasche"'),
        _key("meteoalarm_url", "url", "https://feeds.meteoalarm.org/feeds/meteoalarm-legacy-atom-italy",
             "MeteoAlarm Atom feed (source 'meteoalarm': region-wide, not the official alert)"),
        _key("cap_urls", "list", [],
             "CAP 1.2 documents to poll as the 'cap' source", '["https://alerts.example.it/latest.xml"]'),
    ),
    *_section(
        "campaigns",
        _key("lane_per_second", "int", 70,
             "Campaign share of the throughput (the rest is kept for inbound, replies, emergencies)", minimum=1, maximum=1000),
        _key("max_in_flight", "int", 24,
             "Send requests in flight at most (the dispatcher aims at rate x round trip)", minimum=1, maximum=64),
        _key("inflight_grace_seconds", "int", 120,
             "After a crash, wait this long for a status before resending a message in flight", minimum=0, maximum=86400),
        _key("messaging_tier", "int", 0,
             "Daily messaging limit (unique template recipients in 24 h); 0 reads it from Meta", minimum=0, maximum=10000000),
        _key("alert_template", "str", "allerta_meteo",
             "Approved utility template (one text parameter) for alert campaigns outside the window"),
    ),
    *_section(
        "logging",
        _key("level", "str", "INFO", "Log level"),
    ),
    *_section(
        "backup",
        _key("dir", "path", "var/backups", "Folder of the encrypted backups", '"/var/lib/banditore/backups"'),
        _key("keep", "int", 14, "How many nightly backups to keep", minimum=1, maximum=365),
        _key("copy_to", "path", "", "Off-device folder (USB stick, network share)", '"/media/usb/banditore"'),
        _key("key_file", "path", "", "File holding the backup encryption key", '"/etc/banditore/backup.key"'),
    ),
    *_section(
        "emergency",
        _key("cooldown_seconds", "int", 600,
             "Seconds after a press during which another press sends nothing", minimum=0, maximum=86400),
        _key("expiry_hours", "float", 6.0,
             "Hours after which an emergency is no longer sent", "6", minimum=0.1, maximum=72),
        _key("test_numbers", "list", [],
             "Staff numbers that receive drills in test mode", '["+393331234567"]'),
    ),
    *_section(
        "health",
        _key("webhook_silence_minutes", "int", 1440,
             "Minutes without webhooks before the box reports degraded", minimum=1, maximum=100000),
    ),
    *_section(
        "conversation",
        _key("auto_answer_hours", "int", 24,
             "Hours before a citizen gets the automatic inbox answer again", minimum=0, maximum=720),
        _key("stale_flow_hours", "int", 24,
             "Hours after which a half-finished flow (subscription…) is forgotten", minimum=1, maximum=720),
        _key("flood_per_minute", "int", 12,
             "Messages per minute one citizen gets answers to; beyond, answers slow down", minimum=1, maximum=600),
    ),
    *_section(
        "retention",
        _key("webhook_days", "int", 30, "Days raw webhook payloads are kept", minimum=1, maximum=3650),
        _key("inbox_days", "int", 180, "Days chat and inbox texts are kept", minimum=1, maximum=3650),
        _key("recipient_log_days", "int", 365,
             "Days per-recipient delivery logs are kept", minimum=1, maximum=3650),
        _key("contact_days", "int", 365,
             "Days a number that never subscribed (or unsubscribed) keeps its profile", minimum=1, maximum=3650),
    ),
    # The legal facts of the privacy notice (GDPR art. 13); staff may also set them on the
    # settings page, which wins. No notice is published while a required one is missing.
    *_section(
        "privacy",
        _key("legal_basis_act", "str", "",
             "The act that lays down the service (public-interest task, Codice privacy art. 2-ter)",
             '"Deliberazione del Consiglio comunale n. 12 del 3 marzo 2026"'),
        _key("controller_name", "str", "",
             "The controller (default: Comune di NAME)", '"Comune di Rota d\'Imagna"'),
        _key("controller_address", "str", "", "The controller's postal address",
             '"Piazza del Municipio 1, 24030 Rota d\'Imagna (BG)"'),
        _key("controller_pec", "str", "",
             "The controller's certified e-mail (PEC)", '"protocollo@pec.comune.example.it"'),
        _key("dpo_contact", "str", "",
             "How to reach the data protection officer (RPD/DPO)", '"rpd@comune.example.it"'),
        _key("integrator", "str", "",
             "The technology provider acting as processor, if any", '"Servizi Digitali Srl, Bergamo"'),
    ),
)
# fmt: on

BY_SECTION: dict[str, dict[str, Setting]] = {}
for _setting in SETTINGS:
    BY_SECTION.setdefault(_setting.section, {})[_setting.key] = _setting
