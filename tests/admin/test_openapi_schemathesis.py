"""The OpenAPI document is valid and the running API keeps to it (schemathesis, kept short).

schemathesis' own pytest plugin does not run under pytest 9, so each operation's strategies
(valid and invalid inputs) drive a small hypothesis test here.
"""

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from appliance.core import audit
from appliance.lan.tokens import create_token
from tests.support.appliance import RunningAppliance, make_config

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live_api(tmp_path_factory):
    running = RunningAppliance(make_config(tmp_path_factory.mktemp("api"))).start()
    try:
        db = running.appliance.db
        token = running.call(create_token(db, "schemathesis", "viewer", "test"))
        running.call(audit.record(db, "anna", "login", "anna", "<b>detail</b>", "127.0.0.1"))
        yield running, {"Authorization": f"Bearer {token}"}
    finally:
        running.stop()


@pytest.fixture(scope="module")
def api_schema(live_api):
    running, auth = live_api
    document = httpx.get(running.lan_url + "/api/v1/openapi.json", headers=auth).json()
    return schemathesis.openapi.from_dict(document)


def _operations(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 4
    return operations


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_conforms_to_its_document(live_api, api_schema, mode):
    running, auth = live_api
    for operation in _operations(api_schema):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(base_url=running.lan_url, headers=auth)

        check()
