-- Cloud API: raw webhook deliveries, deduplicated events with retries and dead letters,
-- the latest status of every message we sent, and the templates with their latest category.

-- Every verified POST, stored raw before the 200 (Meta has no API to fetch past webhooks).
-- split = 1 once its events are in webhook_events; retention purges old rows.
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    received_at REAL NOT NULL,
    body BLOB NOT NULL,
    split INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX webhook_deliveries_unsplit ON webhook_deliveries (id) WHERE split = 0;

-- One row per distinct event: the dedupe key (m:<wamid>, s:<wamid>:<status>, or a content hash
-- for account webhooks) is unique, so a redelivered or re-batched event is never processed twice.
-- state: pending (to process or retry at next_attempt_at), done, dead (a dead letter).
-- done_handlers lists the subscribers that already succeeded, so a retry skips them.
CREATE TABLE webhook_events (
    id INTEGER PRIMARY KEY,
    dedupe_key TEXT NOT NULL UNIQUE,
    delivery_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    record TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    done_handlers TEXT NOT NULL DEFAULT '',
    last_error TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    processed_at REAL
);
CREATE INDEX webhook_events_delivery ON webhook_events (delivery_id);
CREATE INDEX webhook_events_pending ON webhook_events (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_events_dead ON webhook_events (id) WHERE state = 'dead';

-- Latest status per sent message; rank only grows (sent 1 < delivered 2 < read 3 < played 4,
-- failed 9 is final), whatever order the webhooks arrive in.
CREATE TABLE message_statuses (
    wamid TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    rank INTEGER NOT NULL,
    timestamp INTEGER NOT NULL,
    recipient_id TEXT,
    recipient_user_id TEXT,
    callback_data TEXT,
    error_code INTEGER,
    error_title TEXT,
    error_details TEXT,
    updated_at REAL NOT NULL
);
CREATE INDEX message_statuses_callback ON message_statuses (callback_data)
    WHERE callback_data IS NOT NULL;

-- Templates as Meta knows them, kept current from the Templates API and the template webhooks;
-- the latest category decides the send route (MARKETING goes to /marketing_messages).
CREATE TABLE wa_templates (
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    template_id TEXT NOT NULL DEFAULT '',
    account_id TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT '',
    components TEXT NOT NULL DEFAULT '[]',
    updated_at REAL NOT NULL,
    PRIMARY KEY (name, language)
);
