"""Loading: the TOML file, the secrets file and APPLIANCE_<SECTION>_<KEY> into a Config."""

from __future__ import annotations

import difflib
import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appliance.core.config.settings import BY_SECTION, SETTINGS
from appliance.core.config.validation import (
    INVALID,
    ConfigError,
    check_relations,
    check_value,
    coerce,
    parse_env,
)

ENV_PREFIX = "APPLIANCE_"
_TOP_LEVEL_KEYS = {"secrets_file"}


@dataclass
class Config:
    """Validated settings, read as ``config.section.key`` (``get`` only for loops over SETTINGS)."""

    values: dict[str, dict[str, Any]]
    source: Path | None = None
    secrets_file: Path | None = None
    demo: bool = False
    sample_town: bool = False  # a demo filled with the invented town on first start
    origins: dict[tuple[str, str], str] = field(default_factory=dict)

    def get(self, section: str, key: str) -> Any:
        """Value of one setting named by strings, for code that walks the SETTINGS table."""
        return self.values[section][key]

    def set(self, section: str, key: str, value: Any) -> None:
        """Change one setting at run time (the demo points the appliance at its own hosts)."""
        self.values[section][key] = value

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

    def as_dict(self) -> dict[str, Any]:
        """A copy of the section, for filling texts by key."""
        return dict(self._values)

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
        section: {k: s.default for k, s in keys.items()} for section, keys in BY_SECTION.items()
    }
    origins: dict[tuple[str, str], str] = {}
    for origin, layer in (("config file", raw), ("secrets file", secret_raw)):
        _merge_layer(layer, values, origins, origin, problems)
    for section, keys in BY_SECTION.items():
        for key, setting in keys.items():
            name = f"{ENV_PREFIX}{section.upper()}_{key.upper()}"
            if name in env:
                parsed = parse_env(setting, env[name], problems, name)
                if parsed is not INVALID:
                    values[section][key] = parsed
                    origins[(section, key)] = f"environment {name}"
    for section, keys in (overrides or {}).items():
        for key, value in keys.items():
            values[section][key] = value
            origins[(section, key)] = "override"
    for setting in SETTINGS:
        check_value(setting, values[setting.section][setting.key], problems)
    check_relations(values, problems)
    if problems:
        raise ConfigError(problems)
    return Config(values=values, source=source, secrets_file=secrets_file, origins=origins)


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
            setting = BY_SECTION.get(section, {}).get(key)
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
        if section not in BY_SECTION:
            problems.append(f"{origin}: unknown section [{section}]{_suggest(section, BY_SECTION)}")
            continue
        if not isinstance(keys, dict):
            problems.append(
                f"{origin}: [{section}] must be a table, e.g. [{section}] on its own line"
            )
            continue
        for key, value in keys.items():
            setting = BY_SECTION[section].get(key)
            if setting is None:
                problems.append(
                    f"{origin}: unknown key [{section}] {key}{_suggest(key, BY_SECTION[section])}"
                )
                continue
            coerced = coerce(setting, value, problems, origin)
            if coerced is not INVALID:
                values[section][key] = coerced
                origins[(section, key)] = origin


def _suggest(word: str, options: Any) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def database_path(config: Config) -> Path:
    """Absolute database path; relative paths are taken from the working directory."""
    return Path(config.values["database"]["path"]).expanduser().resolve()
