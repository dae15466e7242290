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

-- Extra subscriber columns: the conversation's bookkeeping and what an erasure leaves.
ALTER TABLE subscribers ADD COLUMN auto_answer_at REAL;     -- last automatic inbox answer
ALTER TABLE subscribers ADD COLUMN last_wamid TEXT;         -- last inbound handled (crash re-runs)
ALTER TABLE subscribers ADD COLUMN erased_at TEXT;
ALTER TABLE subscribers ADD COLUMN source TEXT NOT NULL DEFAULT 'chat';  -- chat, import:<id>, staff
CREATE INDEX subscribers_status ON subscribers (status);

-- Every consent event: granted (with the notice version and the citizen's message id),
-- refused, withdrawn (STOP), imported (with the stated source and date).
CREATE TABLE consents (
    id INTEGER PRIMARY KEY,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    kind TEXT NOT NULL CHECK (kind IN ('granted', 'refused', 'withdrawn', 'imported')),
    notice_version INTEGER,
    wamid TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT 'chat',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX consents_subscriber ON consents (subscriber_id);

-- The privacy notice, versioned: a published version never changes; version 0 is the draft.
CREATE TABLE notice_versions (
    version INTEGER PRIMARY KEY,
    text_it TEXT NOT NULL,
    text_en TEXT NOT NULL DEFAULT '',
    published_at TEXT,
    published_by TEXT NOT NULL DEFAULT ''
);

-- Profile questions defined by staff; options is a JSON list of {"key", "it", "en"}.
-- kind topics: a multiple choice whose options are the active topics.
CREATE TABLE profile_questions (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('single', 'multiple', 'number', 'text', 'topics')),
    prompt_it TEXT NOT NULL,
    prompt_en TEXT NOT NULL DEFAULT '',
    options TEXT NOT NULL DEFAULT '[]',
    position INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1
);
INSERT INTO profile_questions (key, kind, prompt_it, prompt_en, options, position) VALUES
    ('eta', 'single', 'In quale fascia di età sei?', 'Which age group are you in?',
     '[{"key":"14-29","it":"14-29","en":"14-29"},{"key":"30-49","it":"30-49","en":"30-49"},{"key":"50-64","it":"50-64","en":"50-64"},{"key":"65+","it":"65 e oltre","en":"65 and over"}]', 1),
    ('frazione', 'single', 'In quale frazione abiti?', 'Which hamlet do you live in?',
     '[{"key":"centro","it":"Centro","en":"Centre"},{"key":"frazioni","it":"Una frazione","en":"A hamlet"},{"key":"fuori","it":"Fuori paese","en":"Elsewhere"}]', 2),
    ('interessi', 'topics', 'Quali argomenti ti interessano?', 'Which topics interest you?', '[]', 3);

CREATE TABLE profile_answers (
    subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    question_id INTEGER NOT NULL REFERENCES profile_questions(id) ON DELETE CASCADE,
    value TEXT NOT NULL,  -- JSON: an option key, a list of keys, a number or a text
    answered_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    PRIMARY KEY (subscriber_id, question_id)
);

-- Where a citizen is in a flow (subscribe, profile, erase), surviving restarts.
-- prompt_wamid: our interactive message the next button reply should answer.
CREATE TABLE conversation_state (
    subscriber_id INTEGER PRIMARY KEY REFERENCES subscribers(id) ON DELETE CASCADE,
    flow TEXT NOT NULL,
    step TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}',
    prompt_wamid TEXT NOT NULL DEFAULT '',
    updated_at REAL NOT NULL
);

-- Texts of the bot edited by staff (the defaults live in the code).
CREATE TABLE bot_texts (
    key TEXT NOT NULL,
    language TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    updated_by TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (key, language)
);

-- The conversation as staff see it: inbound and outbound chat lines; inbox = 1 waits for staff.
CREATE TABLE chat_messages (
    id INTEGER PRIMARY KEY,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    at REAL NOT NULL,
    wamid TEXT NOT NULL DEFAULT '',
    type TEXT NOT NULL DEFAULT 'text',
    text TEXT NOT NULL DEFAULT '',
    staff TEXT NOT NULL DEFAULT '',
    inbox INTEGER NOT NULL DEFAULT 0,
    handled INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX chat_messages_subscriber ON chat_messages (subscriber_id, id);
CREATE INDEX chat_messages_inbox ON chat_messages (handled, id) WHERE inbox = 1;
CREATE INDEX chat_messages_at ON chat_messages (at);

-- CSV imports, each undoable as a whole: rows remember what they created or changed.
CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    actor TEXT NOT NULL,
    filename TEXT NOT NULL DEFAULT '',
    consent_source TEXT NOT NULL,
    consent_date TEXT NOT NULL,
    created INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    refused INTEGER NOT NULL DEFAULT 0,
    undone_at TEXT
);
CREATE TABLE import_rows (
    import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    subscriber_id INTEGER NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('created', 'updated')),
    previous TEXT NOT NULL DEFAULT '{}'  -- JSON of the row before an update
);
CREATE INDEX import_rows_import ON import_rows (import_id);
