-- One person across identifiers: the portfolio-wide user id and the username beside wa_id and
-- user_id; rows that stored statuses prove to be one person are queued for merging (the audience
-- merges them at start, with every consent, answer, message and outbox row kept); webhook events
-- parked because two rows of one person collided are given fresh attempts.
ALTER TABLE subscribers ADD COLUMN parent_user_id TEXT;     -- Meta's parent (portfolio) user id
ALTER TABLE subscribers ADD COLUMN username TEXT NOT NULL DEFAULT '';  -- untrusted, display only
CREATE INDEX subscribers_parent_user ON subscribers (parent_user_id)
    WHERE parent_user_id IS NOT NULL;

CREATE TABLE identity_merges (
    keep INTEGER NOT NULL,
    drop_id INTEGER NOT NULL,
    PRIMARY KEY (keep, drop_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO identity_merges (keep, drop_id)
    SELECT DISTINCT min(a.id, b.id), max(a.id, b.id) FROM message_statuses ms
    JOIN subscribers a ON a.wa_id = ms.recipient_id
    JOIN subscribers b ON b.user_id = ms.recipient_user_id
    WHERE a.id != b.id;

UPDATE webhook_events SET state = 'pending', attempts = 0, next_attempt_at = 0
    WHERE state = 'dead' AND last_error LIKE '%UNIQUE constraint failed: subscribers.%';
