"""After the service stops or dies, systemd switches the LED off through `appliance led-off`."""

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory

from appliance.box.led import switch_off
from appliance.cli import main

pytestmark = pytest.mark.fast


def test_switch_off_drives_a_lit_pin_low():
    factory = MockFactory()
    try:
        pin = factory.pin(27)
        pin.output_with_state(True)  # what a killed process may leave behind
        switch_off(27, pin_factory=factory)
        assert pin.state is False
    finally:
        factory.reset()


def test_command_with_gpio_disabled_does_nothing(tmp_path, capsys):
    config = tmp_path / "c.toml"
    config.write_text("[gpio]\nenabled = false\n")
    assert main(["led-off", "--config", str(config)]) == 0
    assert "GPIO disabled" in capsys.readouterr().out


def test_command_with_gpio_enabled_switches_the_configured_pin(tmp_path, capsys, monkeypatch):
    factory = MockFactory()
    previous = Device.pin_factory
    Device.pin_factory = factory
    try:
        pin = factory.pin(22)
        pin.output_with_state(True)
        config = tmp_path / "c.toml"
        config.write_text("[gpio]\nenabled = true\nled_pin = 22\n")
        assert main(["led-off", "--config", str(config)]) == 0
        assert pin.state is False
        assert "GPIO22 switched off" in capsys.readouterr().out
    finally:
        Device.pin_factory = previous
        factory.reset()
