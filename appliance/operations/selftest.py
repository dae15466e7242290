"""Webhook self-test: prove Meta can reach this box by doing Meta's own verification round trip."""

from __future__ import annotations

import secrets
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from appliance.core.config import Config

TIMEOUT = httpx.Timeout(10.0, connect=5.0)

# What each outcome means and what to do, Italian first (dashboard) and English (console).
ADVICE: dict[str, tuple[str, str]] = {
    "ok": (
        "Meta può verificare il webhook: in App Dashboard > WhatsApp > Configurazione inserire "
        "questo URL di callback e lo stesso verify token.",
        "Meta can verify the webhook: enter this callback URL and the same verify token in "
        "App Dashboard > WhatsApp > Configuration.",
    ),
    "not_configured": (
        "Indirizzo pubblico non impostato: scrivere l'indirizzo HTTPS del tunnel in "
        "[server] public_url.",
        "No public address: set [server] public_url to the tunnel's HTTPS address.",
    ),
    "tls": (
        "Il certificato HTTPS dell'indirizzo pubblico non è valido; Meta accetta solo certificati "
        "rilasciati da un'autorità: controllare il nome host del tunnel.",
        "The public address has no valid HTTPS certificate, and Meta accepts only CA-issued "
        "ones: check the tunnel's hostname.",
    ),
    "unreachable": (
        "L'indirizzo pubblico non risponde: il nome non esiste nel DNS o il tunnel è spento "
        "(systemctl status banditore-tunnel).",
        "The public address does not answer: its DNS name does not exist or the tunnel is down "
        "(systemctl status banditore-tunnel).",
    ),
    "timeout": (
        "Nessuna risposta entro 10 secondi: il tunnel è spento o la connessione è troppo lenta.",
        "No answer within 10 seconds: the tunnel is down or the connection is too slow.",
    ),
    "tunnel_down": (
        "Il tunnel risponde ma non raggiunge questa scatola: Banditore è avviato e il servizio "
        "del tunnel è connesso? (systemctl status banditore banditore-tunnel)",
        "The tunnel answers but cannot reach this box: is Banditore running and the tunnel "
        "service connected? (systemctl status banditore banditore-tunnel)",
    ),
    "no_webhook": (
        "L'indirizzo risponde ma non inoltra /webhook: la regola del tunnel deve inoltrare /webhook "
        "a 127.0.0.1:8081, oppure public_url è sbagliato.",
        "The address answers but does not forward /webhook: the tunnel's ingress must send "
        "/webhook to 127.0.0.1:8081, or public_url is wrong.",
    ),
    "wrong_token": (
        "A questo indirizzo risponde un Banditore con un altro verify token: il tunnel punta a "
        "un'altra scatola, o Banditore non è stato riavviato dopo aver cambiato il token.",
        "A Banditore with another verify token answers at this address: the tunnel points to "
        "another box, or Banditore was not restarted after the token changed.",
    ),
    "redirect": (
        "L'indirizzo reindirizza altrove e Meta non segue i reindirizzamenti: usare l'indirizzo "
        "HTTPS finale in public_url e nel pannello di Meta.",
        "The address redirects and Meta does not follow redirects: use the final HTTPS address "
        "in public_url and in Meta's dashboard.",
    ),
    "wrong_answer": (
        "All'indirizzo risponde un altro programma, non Banditore: controllare che il tunnel "
        "inoltri a 127.0.0.1:8081.",
        "Another program, not Banditore, answers at this address: check that the tunnel forwards "
        "to 127.0.0.1:8081.",
    ),
}


@dataclass(frozen=True)
class SelfTestResult:
    """The outcome: ``code`` keys ADVICE; ``detail`` is what was observed."""

    code: str
    url: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        """True when the nonce came back."""
        return self.code == "ok"

    def advice(self, language: str = "it") -> str:
        """What it means and what to do."""
        italian, english = ADVICE[self.code]
        return italian if language == "it" else english


def callback_url(config: Config) -> str:
    """The webhook URL to type in Meta's dashboard."""
    base = config.server.public_url.rstrip("/")
    return f"{base}/webhook" if base else ""


async def webhook_selftest(
    config: Config, client: httpx.AsyncClient | None = None
) -> SelfTestResult:
    """GET the public webhook with a fresh nonce, exactly as Meta does, and explain the outcome."""
    url = callback_url(config)
    if not url:
        return SelfTestResult("not_configured", url)
    nonce = secrets.token_urlsafe(24)
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": config.whatsapp.verify_token,
        "hub.challenge": nonce,
    }
    own = client is None
    client = client or httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False)
    try:
        response = await client.get(url, params=params)
    except httpx.TimeoutException as err:
        return SelfTestResult("timeout", url, type(err).__name__)
    except httpx.ConnectError as err:
        if _is_tls(err):
            return SelfTestResult("tls", url, str(err))
        return SelfTestResult("unreachable", url, f"{urlsplit(url).hostname}: {err}")
    except httpx.HTTPError as err:
        return SelfTestResult("unreachable", url, f"{type(err).__name__}: {err}")
    finally:
        if own:
            await client.aclose()
    return _judge(url, response, nonce)


def _is_tls(err: BaseException) -> bool:
    cause: BaseException | None = err
    while cause is not None:
        if isinstance(cause, ssl.SSLError) or "CERTIFICATE" in str(cause).upper():
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _judge(url: str, response: httpx.Response, nonce: str) -> SelfTestResult:
    status = response.status_code
    if status == 200:
        if response.text == nonce:
            return SelfTestResult("ok", url)
        return SelfTestResult("wrong_answer", url, "HTTP 200 without the challenge")
    if 300 <= status < 400:
        return SelfTestResult(
            "redirect", url, f"HTTP {status} to {response.headers.get('location')}"
        )
    if status == 403 and "html" not in response.headers.get("content-type", ""):
        return SelfTestResult("wrong_token", url, "HTTP 403")
    if status in (404, 405):
        return SelfTestResult("no_webhook", url, f"HTTP {status}")
    if status in (502, 503, 504, 530):
        return SelfTestResult("tunnel_down", url, f"HTTP {status}")
    return SelfTestResult("wrong_answer", url, f"HTTP {status}")
