"""``appliance check``: config, database and Graph API, explained for a technician."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable

import httpx

from appliance.audience.privacy_facts import SETTINGS_QUERY, facts_from
from appliance.core.config import Config, database_path
from appliance.core.db.migrate import current_version, discover


async def run_checks(config: Config, say: Callable[[str], None]) -> int:
    """Print one line per check; return 0 when everything needed to serve is in order."""
    failures = 0
    exposed = config.exposed_secrets()
    if exposed:
        say(f"config: {exposed}")
        failures += 1
    else:
        say(f"config: ok ({config.source or 'defaults and environment'})")
    failures += await asyncio.to_thread(_check_database, config, say)
    await asyncio.to_thread(_check_privacy_facts, config, say)
    failures += await _check_graph_api(config, say)
    failures += await _check_webhook(config, say)
    say("all checks passed" if not failures else f"{failures} check(s) failed")
    return 0 if not failures else 1


def _check_database(config: Config, say: Callable[[str], None]) -> int:
    path = database_path(config)
    latest = discover()[-1].number
    if not path.exists():
        say(f"database: {path} does not exist yet; it is created at first start")
        return 0
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error as err:
        say(f"database: cannot open {path}: {err}")
        return 1
    try:
        version = current_version(conn)
        result = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as err:
        say(f"database: {path} is not a usable SQLite file: {err}")
        return 1
    finally:
        conn.close()
    if result != "ok":
        say(f"database: integrity check failed: {result}; restore the latest backup")
        return 1
    if version > latest:
        say(f"database: schema {version} is newer than this program ({latest}); upgrade Banditore")
        return 1
    pending = latest - version
    say(f"database: ok (schema {version}{f', {pending} migration(s) pending' if pending else ''})")
    return 0


def _check_privacy_facts(config: Config, say: Callable[[str], None]) -> None:
    """Say which legal facts the notice lacks (a warning: the box serves without subscriptions)."""
    path = database_path(config)
    stored: dict[str, str] = {}
    if path.exists():
        with (
            contextlib.suppress(sqlite3.Error),
            contextlib.closing(
                sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
            ) as conn,
        ):
            stored = dict(conn.execute(SETTINGS_QUERY).fetchall())
    missing = [f"[privacy] {key}" for key in facts_from(stored, config).missing]
    if missing:
        say(
            "privacy notice: cannot be published, missing "
            + ", ".join(missing)
            + " (or set them on the LAN page Impostazioni > Dati del comune);"
            " citizens cannot subscribe until it is"
        )
    else:
        say("privacy notice: every legal fact is set")


async def _check_graph_api(config: Config, say: Callable[[str], None]) -> int:
    wa = config.whatsapp
    if not (wa.access_token and wa.phone_number_id):
        say("graph api: skipped (no access_token or phone_number_id configured)")
        return 0
    url = f"{wa.api_base_url.rstrip('/')}/{wa.api_version}/{wa.phone_number_id}"
    try:
        async with httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0)) as client:
            response = await client.get(url, headers={"Authorization": f"Bearer {wa.access_token}"})
    except httpx.HTTPError as err:
        say(f"graph api: cannot reach {wa.api_base_url}: {type(err).__name__}; check internet/DNS")
        return 1
    if response.status_code == 200:
        say("graph api: ok (the token works for this phone number)")
        return 0
    try:
        error = response.json().get("error", {})
    except ValueError:
        error = {}
    code = error.get("code")
    if code == 190:
        hint = "the access token is expired or invalid: create a permanent system-user token"
    elif code in (10, 200) or (isinstance(code, int) and 200 <= code <= 299):
        hint = "the token lacks permissions: grant whatsapp_business_messaging and _management"
    elif code == 100:
        hint = "the phone_number_id is wrong: copy it from Meta's dashboard (WhatsApp > API setup)"
    else:
        hint = error.get("message") or f"HTTP {response.status_code}"
    say(f"graph api: failed (code {code}): {hint}")
    return 1


async def _check_webhook(config: Config, say: Callable[[str], None]) -> int:
    from appliance.operations.selftest import webhook_selftest

    if not config.server.public_url:
        say("webhook self-test: skipped (no [server] public_url configured)")
        return 0
    result = await webhook_selftest(config)
    detail = f" ({result.detail})" if result.detail and not result.ok else ""
    say(f"webhook self-test: {'ok' if result.ok else 'failed'} at {result.url}{detail}")
    say(f"  {result.advice('en')}")
    return 0 if result.ok else 1
