"""Logging to stdout in a journald-friendly format, with every configured secret masked."""

from __future__ import annotations

import logging
import os
import sys


class RedactSecrets(logging.Filter):
    """Replace any known secret value in a log line with ``***``."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def add(self, *values: str) -> None:
        """Register values that must never appear in a log line."""
        self.secrets.update(v for v in values if v and len(v) >= 4)

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message now and mask secrets in it."""
        if self.secrets:
            message = record.getMessage()
            for secret in self.secrets:
                message = message.replace(secret, "***")
            record.msg, record.args = message, None
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                for secret in self.secrets:
                    record.exc_text = record.exc_text.replace(secret, "***")
        return True


REDACTOR = RedactSecrets()


class _StdoutHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stdout`` is at the time of the record, never a stale stream."""

    @property
    def stream(self):  # type: ignore[override]
        """The current standard output."""
        return sys.stdout

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def setup_logging(level: str = "INFO") -> None:
    """Send logs to stdout; under journald omit the timestamp (journald adds its own)."""
    under_journald = "JOURNAL_STREAM" in os.environ
    fmt = (
        "<%(syslog)s>%(name)s: %(message)s"
        if under_journald
        else ("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler = _StdoutHandler()
    handler.addFilter(REDACTOR)
    handler.addFilter(_syslog_priority)
    handler.setFormatter(logging.Formatter(fmt))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for noisy in ("hypercorn.access", "httpx", "httpcore", "aiosqlite"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


_PRIORITY = {"DEBUG": 7, "INFO": 6, "WARNING": 4, "ERROR": 3, "CRITICAL": 2}


def _syslog_priority(record: logging.LogRecord) -> bool:
    record.syslog = _PRIORITY.get(record.levelname, 6)
    return True
