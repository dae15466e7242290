-- Campaign studio: saved segments, approvals, media library, election switch lives in settings.
CREATE TABLE studio_segments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    definition TEXT NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

-- The compose wizard's drafts until they become a campaign of the broadcast engine.
-- state: editing -> pending (an editor asked for approval) -> launched | rejected.
CREATE TABLE studio_drafts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'editing' CHECK (state IN ('editing', 'pending', 'launched', 'rejected')),
    data TEXT NOT NULL DEFAULT '{}', -- audience, category, content, template, times, essential
    created_by TEXT NOT NULL DEFAULT '',
    decided_by TEXT NOT NULL DEFAULT '',
    decision_note TEXT NOT NULL DEFAULT '',
    campaign_id INTEGER REFERENCES campaigns (id),
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);

-- Files uploaded once through the Cloud API and reused; the bytes stay beside the database so
-- a media id can be renewed before Meta's 30-day expiry.
CREATE TABLE studio_media (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('image', 'document', 'audio', 'video')),
    filename TEXT NOT NULL,
    mime_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    media_id TEXT NOT NULL,
    uploaded_at REAL NOT NULL,
    text_layer INTEGER NOT NULL DEFAULT 1 -- 0: a PDF without text (a scan), warned about
);

-- A tap on a template's "Leggi" button names the template message it answers.
CREATE INDEX studio_outbox_template_wamid ON outbox (wamid) WHERE part = -1;

-- Template messages whose "Leggi" tap has already brought the full content (taps repeat).
CREATE TABLE studio_followups (
    outbox_id INTEGER PRIMARY KEY,
    at REAL NOT NULL
);
