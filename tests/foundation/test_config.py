"""Configuration errors read like advice to a technician."""

import os

import pytest

from appliance.core.config import ConfigError, load_config, require_credentials

pytestmark = pytest.mark.fast


def write(path, text, mode=0o600):
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


def problems_of(*args, **kwargs):
    with pytest.raises(ConfigError) as info:
        load_config(*args, **kwargs)
    return "\n".join(info.value.problems)


def test_defaults_are_valid_without_a_file():
    config = load_config(None, environ={})
    assert config.server.lan_bind == "[::]:8080"
    assert config.server.public_bind == "127.0.0.1:8081"
    assert config.whatsapp.api_base_url == "https://graph.facebook.com"
    assert config.keyword == "Rota"


def test_missing_config_file_is_named(tmp_path):
    text = problems_of(tmp_path / "nope.toml", environ={})
    assert "nope.toml does not exist" in text


def test_invalid_toml_is_reported_with_position(tmp_path):
    path = write(tmp_path / "c.toml", "[town\nname = 1")
    assert "is not valid TOML" in problems_of(path, environ={})


def test_unknown_key_suggests_the_right_one(tmp_path):
    path = write(tmp_path / "c.toml", "[whatsapp]\nphone_numberid = '1'\n[towm]\nname='x'\n")
    text = problems_of(path, environ={})
    assert "unknown key [whatsapp] phone_numberid (did you mean 'phone_number_id'?)" in text
    assert "unknown section [towm] (did you mean 'town'?)" in text


def test_bad_type_names_key_expectation_and_example(tmp_path):
    path = write(tmp_path / "c.toml", "[whatsapp]\nthroughput_per_second = 'fast'\n")
    text = problems_of(path, environ={})
    assert "[whatsapp] throughput_per_second: expected a whole number, got 'fast'" in text
    assert "example: throughput_per_second = 80" in text


def test_every_problem_is_listed_at_once(tmp_path):
    path = write(
        tmp_path / "c.toml",
        "[server]\nlan_bind = 'localhost'\npublic_bind = '127.0.0.1:99999'\n"
        "[town]\nlatitude = 123.0\n",
    )
    text = problems_of(path, environ={})
    assert "[server] lan_bind: 'localhost' is not host:port" in text
    assert "[server] public_bind: '127.0.0.1:99999' is not host:port" in text
    assert "[town] latitude: 123 is above the maximum 90" in text


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://graph.facebook.com", True),
        ("http://127.0.0.1:9999", True),
        ("http://[::1]:9999", True),
        ("http://localhost:9999", True),
        ("http://graph.example.org", False),
        ("ftp://127.0.0.1", False),
    ],
)
def test_api_base_url_must_be_https_unless_loopback(url, ok):
    env = {"APPLIANCE_WHATSAPP_API_BASE_URL": url}
    if ok:
        assert load_config(None, environ=env).whatsapp.api_base_url == url
    else:
        assert "api_base_url" in problems_of(None, environ=env)


def test_environment_overrides_file_and_is_typed(tmp_path):
    path = write(tmp_path / "c.toml", "[whatsapp]\nthroughput_per_second = 80\n")
    env = {
        "APPLIANCE_WHATSAPP_THROUGHPUT_PER_SECOND": "20",
        "APPLIANCE_GPIO_ENABLED": "yes",
        "APPLIANCE_SERVER_ALLOWED_NETWORKS": "192.168.1.0/24, 10.0.0.0/8",
    }
    config = load_config(path, environ=env)
    assert config.whatsapp.throughput_per_second == 20
    assert config.gpio.enabled is True
    assert config.server.allowed_networks == ["192.168.1.0/24", "10.0.0.0/8"]
    assert config.origins[("whatsapp", "throughput_per_second")].startswith("environment")


def test_environment_value_of_wrong_type_is_named():
    text = problems_of(None, environ={"APPLIANCE_GPIO_BUTTON_PIN": "seventeen"})
    assert (
        "environment APPLIANCE_GPIO_BUTTON_PIN: [gpio] button_pin: expected a whole number" in text
    )


def test_config_path_from_environment(tmp_path):
    path = write(tmp_path / "c.toml", "[town]\nname = 'Fuipiano'\n")
    assert load_config(None, environ={"APPLIANCE_CONFIG": str(path)}).town.name == "Fuipiano"


def test_secrets_file_supplies_secrets(tmp_path):
    secrets = write(tmp_path / "secrets.toml", "[whatsapp]\naccess_token = 'tok-123456'\n")
    path = write(tmp_path / "c.toml", "secrets_file = 'secrets.toml'\n")
    config = load_config(path, environ={})
    assert config.whatsapp.access_token == "tok-123456"
    assert config.secrets_file == secrets
    assert "tok-123456" in config.secrets()


def test_world_readable_secrets_file_is_refused(tmp_path):
    write(tmp_path / "secrets.toml", "[whatsapp]\naccess_token = 'tok'\n", mode=0o644)
    path = write(tmp_path / "c.toml", "secrets_file = 'secrets.toml'\n")
    text = problems_of(path, environ={})
    assert "readable by every user (mode 0644)" in text
    assert "chmod 600" in text


def test_missing_secrets_file_is_reported(tmp_path):
    path = write(tmp_path / "c.toml", "secrets_file = '/nonexistent/secrets.toml'\n")
    assert "secrets file /nonexistent/secrets.toml does not exist" in problems_of(path, environ={})


def test_non_secret_in_secrets_file_is_refused(tmp_path):
    write(tmp_path / "secrets.toml", "[town]\nname = 'x'\n")
    path = write(tmp_path / "c.toml", "secrets_file = 'secrets.toml'\n")
    assert "[town] name is not a secret" in problems_of(path, environ={})


def test_serve_requires_credentials():
    with pytest.raises(ConfigError) as info:
        require_credentials(load_config(None, environ={}))
    text = "\n".join(info.value.problems)
    for key in ("phone_number_id", "access_token", "app_secret", "verify_token"):
        assert f"[whatsapp] {key} is required" in text


def test_tls_needs_both_files():
    assert "tls_certfile and tls_keyfile" in problems_of(
        None, environ={"APPLIANCE_SERVER_TLS_CERTFILE": "/x.crt"}
    )


def test_every_setting_has_help_and_example():
    from appliance.core.config import SETTINGS

    for setting in SETTINGS:
        assert setting.help and setting.example, setting
