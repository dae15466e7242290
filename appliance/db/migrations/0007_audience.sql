-- Audience and conversation: subscribers, consent, topics, profile questions, conversation state.
CREATE TABLE subscribers (
    id INTEGER PRIMARY KEY,
    wa_id TEXT UNIQUE,                 -- phone-based id, may be NULL (BSUID-only users)
    user_id TEXT UNIQUE,               -- business-scoped user id, may be NULL
    status TEXT NOT NULL CHECK (status IN ('pending','active','unsubscribed','erased')),
    language TEXT NOT NULL DEFAULT 'it',
    profile_name TEXT NOT NULL DEFAULT '',   -- untrusted
    subscribed_at TEXT, unsubscribed_at TEXT,
    last_inbound_at REAL,              -- unix seconds of the last inbound message: the 24 h window
    marketing_opt_out INTEGER NOT NULL DEFAULT 0,  -- user_preferences "stop promotions" / 131050
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE TABLE topics (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, name_it TEXT NOT NULL, name_en TEXT NOT NULL DEFAULT '', active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE subscriber_topics (subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE, topic_id INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE, PRIMARY KEY (subscriber_id, topic_id));

INSERT INTO topics (key, name_it, name_en) VALUES
    ('allerte', 'Allerte e protezione civile', 'Alerts and civil protection'),
    ('notizie', 'Notizie dal Comune', 'News from the town hall'),
    ('eventi', 'Eventi', 'Events');
