"""Configuration: one TOML file, environment overrides, a separate secrets file, validated."""

from appliance.core.config.loader import ENV_PREFIX, Config, database_path, load_config
from appliance.core.config.settings import DEFAULT_API_BASE_URL, SETTINGS, Setting
from appliance.core.config.validation import (
    ConfigError,
    is_loopback_host,
    parse_bind,
    require_credentials,
)

__all__ = [
    "DEFAULT_API_BASE_URL",
    "ENV_PREFIX",
    "SETTINGS",
    "Config",
    "ConfigError",
    "Setting",
    "database_path",
    "is_loopback_host",
    "load_config",
    "parse_bind",
    "require_credentials",
]
