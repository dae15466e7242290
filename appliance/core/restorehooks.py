"""After-restore hooks: fix-ups run on a restored database before it goes live."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

log = logging.getLogger(__name__)

# Called with a connection to the restored copy, inside a transaction that commits only if every
# hook succeeds; e.g. re-applying the suppression list so nobody who unsubscribed is messaged.
AfterRestoreHook = Callable[[sqlite3.Connection], None]


class AfterRestore:
    """The registry capabilities add their hooks to (``appliance.after_restore``), in their setup."""

    def __init__(self) -> None:
        self._hooks: dict[str, AfterRestoreHook] = {}

    def add(self, name: str, hook: AfterRestoreHook) -> None:
        """Register (or replace) the hook called ``name``."""
        self._hooks[name] = hook

    @property
    def names(self) -> list[str]:
        """Registered hook names, in the order they run."""
        return list(self._hooks)

    def run(self, conn: sqlite3.Connection) -> None:
        """Run every hook in one transaction; any failure undoes them all and propagates."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            for name, hook in self._hooks.items():
                log.info("after-restore hook: %s", name)
                hook(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
