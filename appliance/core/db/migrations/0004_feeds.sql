-- Feeds: forecast cache, alert state per source/zone/risk, alert changes, source status.

-- The last Open-Meteo daily block per point, served when the service is down.
CREATE TABLE forecast_cache (
    latitude REAL NOT NULL,
    longitude REAL NOT NULL,
    fetched_at TEXT NOT NULL,
    daily TEXT NOT NULL,
    PRIMARY KEY (latitude, longitude)
);

-- What each source last said for each zone and risk; only a successful poll writes here.
CREATE TABLE alert_state (
    source TEXT NOT NULL,
    zone TEXT NOT NULL,
    risk TEXT NOT NULL,
    zone_name TEXT NOT NULL DEFAULT '',
    level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 3),
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    issued_id TEXT NOT NULL DEFAULT '',
    link TEXT NOT NULL DEFAULT '',
    content_hash TEXT NOT NULL,
    -- Level changes so far; each change's key includes it, so keys never repeat.
    seq INTEGER NOT NULL DEFAULT 0,
    checked_at TEXT NOT NULL,
    PRIMARY KEY (source, zone, risk)
);

-- Every level change, with its unique key and what staff or the broadcast engine did with it.
CREATE TABLE alert_events (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    zone TEXT NOT NULL,
    zone_name TEXT NOT NULL DEFAULT '',
    risk TEXT NOT NULL,
    old_level INTEGER CHECK (old_level BETWEEN 0 AND 3),
    new_level INTEGER NOT NULL CHECK (new_level BETWEEN 0 AND 3),
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    issued_id TEXT NOT NULL DEFAULT '',
    link TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}',
    lane TEXT NOT NULL CHECK (lane IN ('auto', 'approval')),
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'approved', 'sent', 'dismissed')),
    note TEXT NOT NULL DEFAULT '',
    detected_at TEXT NOT NULL,
    decided_by TEXT NOT NULL DEFAULT '',
    decided_at TEXT
);
CREATE INDEX alert_events_status ON alert_events (status, id);
CREATE INDEX alert_events_risk ON alert_events (risk, id);

-- Last success and last error of each source, for the health page and stale-data notes.
CREATE TABLE feed_status (
    source TEXT PRIMARY KEY,
    last_success TEXT,
    last_error TEXT NOT NULL DEFAULT '',
    last_error_at TEXT,
    failures INTEGER NOT NULL DEFAULT 0
);
