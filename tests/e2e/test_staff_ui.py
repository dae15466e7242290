"""The admin shell in Chromium: login, roles, CSRF, XSS, dashboard, axe, keyboard, phone."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from appliance.accounts.users import create_user
from appliance.core import audit
from appliance.core.health import WARN, Check
from appliance.lan.registry import NavItem, add_pages
from tests.support.appliance import RunningAppliance, make_config
from tests.support.browser import HOST, assert_accessible, live_server, log_in
from tests.support.pages import sample_campaigns_pages
from tests.support.staff import PASSWORD

pytestmark = pytest.mark.slow

XSS = ["<script>window.__xss = 1</script>", '"><img src=x onerror="window.__xss = 1">']
PROBLEM = "Il token della Cloud API è scaduto: generarne uno nuovo nel pannello di Meta."


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = RunningAppliance(make_config(tmp_path_factory.mktemp("staff")))
    app = running.appliance
    add_pages(
        app.lan, sample_campaigns_pages(), NavItem("campaigns.index", "Invii di prova", order=50)
    )

    async def expired_token() -> Check:
        return Check("cloudapi", WARN, "Token Cloud API", "scaduto", PROBLEM)

    app.health.add("cloudapi", expired_token)
    yield from live_server(running)


@pytest.fixture(scope="module", autouse=True)
def staff(server):
    for role in ("admin", "operator", "editor", "viewer"):
        server.call(create_user(server.running.appliance.db, role, PASSWORD, role))


@pytest.fixture(autouse=True)
def forget_failures(server):
    """Every test starts without failed-login delays (they are per address: all are 127.0.0.1)."""
    yield
    server.call(server.running.appliance.db.execute("DELETE FROM login_failures"))


def test_login_over_plain_http_on_a_lan_name_and_logout(page: Page, server):
    log_in(page, server, "admin")
    [cookie] = [c for c in page.context.cookies() if c["name"] == "banditore_session"]
    assert cookie["domain"] == HOST and cookie["httpOnly"] and not cookie["secure"]
    assert cookie["sameSite"] == "Lax"
    page.get_by_role("button", name="Esci").click()
    expect(page.get_by_role("heading", name="Accesso")).to_be_visible()
    page.goto(server.url + "/audit")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Faudit$"))


def test_wrong_passwords_bring_growing_delays(page: Page, server):
    page.goto(server.url + "/login")
    messages = []
    for attempt in range(6):
        page.get_by_label("Nome utente").fill("admin")
        page.get_by_label("Password").fill("wrong-password")
        page.get_by_role("button", name="Accedi").click()
        messages.append(page.locator("#login-error").inner_text())
        if attempt == 4:
            time.sleep(1.1)  # let the 1 s delay pass, then fail again
    assert messages[:4] == ["Nome utente o password non corretti."] * 4
    assert messages[4] == "Troppi tentativi errati: riprova tra 1 secondi."
    assert messages[5] == "Nome utente o password non corretti."
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    expect(page.locator("#login-error")).to_have_text(
        "Troppi tentativi errati: riprova tra 2 secondi."
    )


def test_editor_sees_no_send_or_admin_buttons_and_forced_posts_fail(page: Page, server):
    log_in(page, server, "editor")
    nav = page.get_by_role("navigation", name="Navigazione principale")
    expect(nav.get_by_role("link", name="Invii di prova")).to_be_visible()
    expect(nav.get_by_role("link", name="Impostazioni")).to_have_count(0)
    page.goto(server.url + "/campaigns")
    expect(page.get_by_role("button", name="Invia")).to_have_count(0)
    for action in ("/campaigns/1/send", "/settings/users"):
        page.evaluate(
            """action => { const f = document.createElement('form'); f.method = 'post';
            f.action = action; document.body.append(f); f.submit(); }""",
            action,
        )
        expect(page.get_by_role("heading", name="Operazione non consentita")).to_be_visible()
    page.get_by_role("button", name="Esci").click()
    log_in(page, server, "operator")
    page.goto(server.url + "/campaigns")
    expect(page.get_by_role("button", name="Invia")).to_be_visible()


def test_viewer_changes_nothing(page: Page, server):
    log_in(page, server, "viewer")
    for path in ("/settings/users", "/settings/tokens", "/settings/town"):
        response = page.goto(server.url + path)
        assert response.status == 403
    users_before = server.rows("SELECT COUNT(*) FROM users")
    page.evaluate(
        """() => { const f = document.createElement('form'); f.method = 'post';
        f.action = '/settings/tokens'; const i = document.createElement('input');
        i.name = 'name'; i.value = 'x'; f.append(i); document.body.append(f); f.submit(); }"""
    )
    expect(page.get_by_role("heading", name="Operazione non consentita")).to_be_visible()
    assert server.rows("SELECT COUNT(*) FROM api_tokens") == [(0,)]
    assert server.rows("SELECT COUNT(*) FROM users") == users_before


def test_cross_origin_form_post_is_refused(page: Page, server):
    log_in(page, server, "admin")
    # Same site (a sibling host name, so the Lax cookie IS sent) but another origin.
    attacker = f"http://evil.{HOST}:9/"
    form = f"""<!doctype html><html lang="en"><title>x</title><body>
      <form method="post" action="{server.url}/settings/users">
        <input name="username" value="mallory"><input name="password" value="a-long-password">
        <input name="role" value="admin"></form>
      <script>document.forms[0].submit()</script></body></html>"""
    page.route(attacker, lambda route: route.fulfill(body=form, content_type="text/html"))
    with page.expect_response(server.url + "/settings/users") as posted:
        page.goto(attacker)
    assert posted.value.status == 403
    assert server.rows("SELECT COUNT(*) FROM users WHERE username = 'mallory'") == [(0,)]
    # The same form from the box's own origin goes through: the check is the Origin, not luck.
    page.goto(server.url + "/settings/users")
    page.get_by_label("Nome utente").fill("legit")
    page.get_by_label("Password iniziale").fill("a-long-password")
    page.get_by_role("button", name="Crea account").click()
    expect(page.get_by_role("status")).to_contain_text("Account «legit» creato.")


def test_untrusted_text_never_runs(page: Page, server):
    db = server.running.appliance.db
    for payload in XSS:
        server.call(audit.record(db, "anonymous", "login.failed", payload, payload, "127.0.0.1"))
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in(page, server, "admin")
    page.goto(server.url + "/settings/town")
    page.get_by_label("Nome mostrato ai cittadini").fill(XSS[1])
    page.get_by_label("Orari di apertura").fill(XSS[0])
    page.get_by_role("button", name="Salva").click()
    for path in ("/audit?action=login.failed", "/settings/town", "/accessibility"):
        page.goto(server.url + path)
        assert page.evaluate("window.__xss") is None, path
        assert page.locator("img[src='x']").count() == 0, path
        assert page.locator("main script").count() == 0, path
    page.goto(server.url + "/audit?action=login.failed")
    expect(page.get_by_role("cell", name=XSS[0]).first).to_be_visible()
    expect(page.get_by_role("cell", name=XSS[1]).first).to_be_visible()
    assert dialogs == []


def test_dashboard_shows_health_with_explanations(page: Page, server):
    log_in(page, server, "viewer")
    expect(page.get_by_text("Qualcosa richiede attenzione")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("^Token Cloud API"))).to_be_visible()
    expect(page.get_by_text(PROBLEM)).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("^Versione"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("^Disco"))).to_be_visible()


def _pages_without_parameters(server) -> list[str]:
    rules = server.running.appliance.lan.url_map.iter_rules()
    return sorted(
        r.rule
        for r in rules
        if "GET" in r.methods and not r.arguments and not r.rule.startswith(("/api/", "/static"))
    )


def test_every_page_passes_axe_and_fits_a_phone(page: Page, server, axe):
    page.goto(server.url + "/login")
    assert_accessible(axe, page)
    log_in(page, server, "admin")
    paths = _pages_without_parameters(server)
    assert {"/", "/audit", "/settings/users", "/accessibility"} <= set(paths)
    page.set_viewport_size({"width": 360, "height": 740})
    for path in [*paths, "/no-such-page"]:
        page.goto(server.url + path)
        assert_accessible(axe, page)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    # Pages reached through forms: a created token and a form with errors.
    page.goto(server.url + "/settings/tokens")
    page.get_by_label("Nome").fill("sito")
    page.get_by_role("button", name="Crea token").click()
    expect(page.get_by_role("heading", name="Token creato")).to_be_visible()
    assert_accessible(axe, page)
    page.goto(server.url + "/settings/users")
    page.get_by_label("Nome utente").fill("x")
    page.get_by_label("Password iniziale").fill("short")
    page.locator("form.stack").evaluate("f => f.noValidate = true")
    page.get_by_role("button", name="Crea account").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(axe, page)


def test_keyboard_only_login_and_navigation(page: Page, server):
    page.goto(server.url + "/login")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Vai al contenuto principale")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Nome utente")).to_be_focused()
    page.keyboard.type("admin")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Cruscotto")).to_be_visible()
    audit_link = page.get_by_role("link", name="Registro attività")
    for _ in range(15):
        page.keyboard.press("Tab")
        if audit_link.evaluate("el => el === document.activeElement"):
            break
    expect(audit_link).to_be_focused()
    outline = audit_link.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"  # focus is visible
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Registro attività")).to_be_visible()


def test_works_without_javascript(browser, server):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, server, "admin")
        page.goto(server.url + "/settings/users")
        page.get_by_label("Nome utente").fill("nojs")
        page.get_by_label("Password iniziale").fill("a-long-password")
        page.get_by_role("button", name="Crea account").click()
        expect(page.get_by_role("status")).to_contain_text("Account «nojs» creato.")
        page.get_by_role("button", name="English").click()
        expect(page.get_by_role("heading", name="Users and roles")).to_be_visible()
        page.get_by_role("button", name="Italiano").click()
    finally:
        context.close()
