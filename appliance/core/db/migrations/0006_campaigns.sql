-- Broadcast engine: campaigns, the durable outbox and the daily messaging-limit bookkeeping.

-- A campaign (or an emergency, or the conversation's replies, which have no campaign row).
-- status: draft -> scheduled -> sending <-> paused -> done | cancelled | expired.
-- Times are unix seconds (UTC). audience/content/template are JSON as the REST API takes them.
CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    lane INTEGER NOT NULL DEFAULT 2 CHECK (lane IN (0, 2)), -- 0 emergency, 2 campaign
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN (
        'draft', 'scheduled', 'sending', 'paused', 'done', 'cancelled', 'expired')),
    category TEXT NOT NULL DEFAULT 'UTILITY' CHECK (category IN ('UTILITY', 'MARKETING')),
    audience TEXT NOT NULL DEFAULT '{}',
    content TEXT NOT NULL DEFAULT '[]',
    template TEXT, -- {"name", "language", "parameters"} for recipients outside the window
    test_numbers TEXT NOT NULL DEFAULT '[]', -- emergency drills: staff numbers instead of everyone
    send_at REAL,
    expires_at REAL,
    spread INTEGER NOT NULL DEFAULT 0, -- news over the tier waits for the next days
    paused_reason TEXT NOT NULL DEFAULT '', -- why the engine paused it (account alert), or ''
    alert_key TEXT UNIQUE, -- the feeds' alert change this campaign announces, if any
    recipients INTEGER NOT NULL DEFAULT 0, -- people enqueued
    created_by TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL
);
CREATE INDEX campaigns_active ON campaigns (status)
    WHERE status IN ('scheduled', 'sending', 'paused');

-- One row per recipient and content part (or per conversation reply). State only moves
-- forward: rank 0 queued, 1 accepted by the API, 2 sent, 3 delivered, 4 read; 9 is final
-- (failed, needs_template, skipped, expired, cancelled). claimed_at marks a send attempt in
-- flight; after a crash such a row is resent only if no status came within the grace period.
-- biz_opaque_callback_data carries the row id, so statuses find their row.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    lane INTEGER NOT NULL CHECK (lane IN (0, 1, 2)), -- 0 emergency, 1 reply, 2 campaign
    campaign_id INTEGER REFERENCES campaigns (id),
    subscriber_id INTEGER, -- NULL for replies and drill numbers
    recipient TEXT NOT NULL, -- wa_id or user_id at enqueue time
    part INTEGER NOT NULL DEFAULT 0, -- index into the campaign's content; -1 the template
    message TEXT, -- replies: the JSON [kind, content] to send
    context_wamid TEXT,
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN (
        'queued', 'accepted', 'sent', 'delivered', 'read',
        'failed', 'needs_template', 'skipped', 'expired', 'cancelled')),
    rank INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before REAL NOT NULL DEFAULT 0,
    claimed_at REAL,
    wamid TEXT,
    error_code INTEGER,
    error_detail TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    updated_at REAL
);
-- What the dispatcher picks from: queued rows not in flight, by lane, campaign and part.
CREATE INDEX outbox_ready ON outbox (lane, campaign_id, part, id)
    WHERE state = 'queued' AND claimed_at IS NULL;
CREATE INDEX outbox_inflight ON outbox (claimed_at) WHERE state = 'queued' AND claimed_at IS NOT NULL;
CREATE INDEX outbox_campaign ON outbox (campaign_id, state, error_code);
CREATE INDEX outbox_recipient ON outbox (campaign_id, recipient, part);

-- Unique recipients of business-initiated templates (outside the 24-hour window), for the
-- moving 24-hour messaging limit: one row per recipient with the last time it counted.
CREATE TABLE tier_recipients (
    recipient TEXT PRIMARY KEY,
    last_at REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX tier_recipients_at ON tier_recipients (last_at);
