"""The wiring contract: typed part keys fail loudly, and a wrong set-up order is refused."""

import pytest

import appliance.app as app_module
from appliance import campaigns, cloudapi, conversation, demo
from appliance.app import create_app
from appliance.cloudapi.deliveries import DELIVERIES
from appliance.core.capability import Capability, WiringError, check_order
from appliance.core.parts import MissingPart, PartKey, Parts
from tests.support.appliance import make_config

pytestmark = pytest.mark.fast


def _moved(name: str, after: str) -> tuple[Capability, ...]:
    """The real order with capability ``name`` moved just behind ``after``."""
    order = [c for c in app_module.CAPABILITIES if c.name != name]
    moved = next(c for c in app_module.CAPABILITIES if c.name == name)
    order.insert(next(i for i, c in enumerate(order) if c.name == after) + 1, moved)
    return tuple(order)


def test_a_part_nobody_provided_fails_and_says_which():
    parts = Parts()
    with pytest.raises(MissingPart, match="'deliveries' was never provided"):
        parts[DELIVERIES]
    assert parts.get(DELIVERIES) is None and DELIVERIES not in parts


def test_a_string_is_no_part_key():
    parts = Parts()
    with pytest.raises(TypeError, match="PartKey"):
        parts["deliveries"]  # type: ignore[index]


def test_a_part_is_provided_once():
    parts, key = Parts(), PartKey[int]("answer")
    parts.provide(key, 42)
    with pytest.raises(ValueError, match="'answer' is provided twice"):
        parts.provide(key, 43)
    assert parts[key] == 42 and parts.remove(key) == 42 and key not in parts


def test_the_appliance_provides_every_part_under_its_key(tmp_path):
    appliance = create_app(make_config(tmp_path))
    assert appliance.parts[DELIVERIES] is not None
    assert {"cloudapi", "deliveries", "campaigns", "audience", "conversation"} <= set(
        appliance.parts.names
    )


def test_a_capability_set_up_before_what_it_requires_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(app_module, "CAPABILITIES", _moved("campaigns", after="conversation"))
    with pytest.raises(WiringError) as refused:
        create_app(make_config(tmp_path))
    assert str(refused.value) == (
        "conversation requires campaigns to be set up before it, but campaigns comes after"
        " conversation"
    )


def test_the_demo_after_the_cloud_api_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(app_module, "CAPABILITIES", _moved("demo", after="cloudapi"))
    with pytest.raises(WiringError, match="demo must be set up before cloudapi"):
        create_app(make_config(tmp_path))


def test_a_requirement_not_set_up_at_all_is_named():
    with pytest.raises(WiringError, match="conversation requires audience, which is not set up"):
        check_order([cloudapi.CAPABILITY, campaigns.CAPABILITY, conversation.CAPABILITY])


def test_the_real_order_keeps_every_declaration():
    check_order(app_module.CAPABILITIES)
    assert demo.CAPABILITY in app_module.CAPABILITIES
