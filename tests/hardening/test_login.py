"""Login throttling under concurrency and from several addresses; redirects after login."""

import asyncio
import threading

import httpx
import pytest

from appliance.accounts import users as accounts
from appliance.accounts.throttle import FREE_FAILURES, VERIFY_SLOTS
from appliance.lan.forms import safe_next
from tests.support.staff import PASSWORD, add_user, client, login

# In the fast subset: the unit-level tests and one real appliance per capability.


def _from(running, address: str) -> httpx.Client:
    """A same-origin browser on the LAN at ``address`` (any 127.x address is this machine)."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(
        base_url=running.lan_url,
        headers={"Origin": running.lan_url},
        timeout=30,
        transport=transport,
    )


async def _post_all(url: str, count: int, data: dict, address: str = "127.0.0.1") -> list[int]:
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(
        base_url=url, headers={"Origin": url}, timeout=60, transport=transport
    ) as http:
        answers = await asyncio.gather(*(http.post("/login", data=data) for _ in range(count)))
    return [a.status_code for a in answers]


def test_sixty_parallel_wrong_passwords_are_not_all_judged(running):
    add_user(running, "opera", "operator")
    wrong = {"username": "opera", "password": "wrong-password"}
    statuses = asyncio.run(_post_all(running.lan_url, 60, wrong))
    # Judged sequentially, only the free failures and one more are; in parallel, the same.
    assert statuses.count(401) == FREE_FAILURES + 1
    assert statuses.count(429) == 60 - (FREE_FAILURES + 1)


def test_a_stranger_cannot_keep_the_operator_locked_out(running):
    add_user(running, "opera", "operator")
    attacker = _from(running, "127.0.0.66")
    for _ in range(FREE_FAILURES + 3):
        attacker.post("/login", data={"username": "opera", "password": "wrong-password"})
    assert (
        attacker.post("/login", data={"username": "opera", "password": PASSWORD}).status_code == 429
    )
    # The real operator, at her own desk, is not slowed by the stranger's failures.
    operator = _from(running, "127.0.0.7")
    response = operator.post("/login", data={"username": "opera", "password": PASSWORD})
    assert response.status_code == 303
    assert operator.get("/").status_code == 200


def test_password_checks_at_once_are_bounded_whatever_the_addresses(running, monkeypatch):
    add_user(running, "opera", "operator")
    busy = {"now": 0, "most": 0}
    lock = threading.Lock()
    real = accounts.HASHER

    class CountingHasher:
        """The real argon2 hasher, counting how many checks run at the same moment."""

        def verify(self, hashed, password):
            with lock:
                busy["now"] += 1
                busy["most"] = max(busy["most"], busy["now"])
            try:
                return real.verify(hashed, password)
            finally:
                with lock:
                    busy["now"] -= 1

    monkeypatch.setattr(accounts, "HASHER", CountingHasher())
    wrong = {"username": "opera", "password": "wrong-password"}

    async def flood() -> list[int]:
        addresses = [f"127.0.1.{n}" for n in range(1, 25)]
        batches = await asyncio.gather(
            *(_post_all(running.lan_url, 1, wrong, address) for address in addresses)
        )
        return [status for batch in batches for status in batch]

    statuses = asyncio.run(flood())
    assert set(statuses) <= {401, 429}
    assert 1 <= busy["most"] <= VERIFY_SLOTS


@pytest.fixture(scope="module")
def with_anna(shared_running):
    """The module's appliance with the account "anna" (each case logs in on its own)."""
    add_user(shared_running, "anna")
    return shared_running


@pytest.mark.fast
@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "/%09/evil.example".replace("%09", "\t"),
        "\t//evil.example",
        "/\n/evil.example",
        "/\r\n/evil.example",
        "\\\\evil.example",
        "/\x00/evil.example",
        " //evil.example",
        "javascript:alert(1)",
    ],
)
def test_next_never_leaves_the_box_after_browser_normalisation(with_anna, target):
    response = client(with_anna).post(
        "/login", data={"username": "anna", "password": PASSWORD, "next": target}
    )
    assert response.headers["location"] == "/"


@pytest.mark.fast
def test_next_keeps_a_local_path_with_its_query(running):
    add_user(running, "anna")
    http = login(running, "anna")
    response = http.get("/login", params={"next": "/audit?page=2"})
    assert response.headers["location"] == "/audit?page=2"
    assert safe_next("/studio/drafts/3") == "/studio/drafts/3"
