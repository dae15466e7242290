"""After a restore: broadcasts caught mid-send wait for staff instead of resending by themselves.

A backup is one moment of a send; everything sent after it is queued again in the copy. The
outbox cannot know who got the message in between, so the campaign is paused with the reason
and staff choose: resume (some may receive it twice) or cancel. Stale conversation replies
are not sent at all.
"""

from __future__ import annotations

import sqlite3
import time

RESTORED_REASON = (
    "ripristino da backup: chi l'ha ricevuto dopo il backup potrebbe riceverlo di nuovo;"
    " riprendi o annulla"
)


def hold_after_restore(conn: sqlite3.Connection) -> None:
    """The after-restore hook: pause what was sending (or due), expire queued replies."""
    now = time.time()
    conn.execute(
        "UPDATE campaigns SET status = 'paused', paused_reason = ? WHERE status = 'sending'"
        " OR (status = 'scheduled' AND coalesce(send_at, 0) <= ?)",
        (RESTORED_REASON, now),
    )
    conn.execute(
        "UPDATE outbox SET state = 'expired', rank = 9, claimed_at = NULL,"
        " error_detail = 'restored from a backup', updated_at = ?"
        " WHERE lane = 1 AND state = 'queued'",
        (now,),
    )
