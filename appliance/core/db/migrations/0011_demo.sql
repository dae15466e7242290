-- Demo mode: the demo phone's chats, kept across restarts (the simulator forgets at exit).

-- Every message a demo phone received (out: the Cloud API body the appliance sent) or sent
-- (in: the simulated citizen message), in the order the simulator saw them.
CREATE TABLE demo_phone_messages (
    id INTEGER PRIMARY KEY,
    wa_id TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    at REAL NOT NULL,
    wamid TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL
);
CREATE INDEX demo_phone_messages_chat ON demo_phone_messages (wa_id, id);

-- The files those messages carry (uploaded media vanish with the simulator at a restart).
CREATE TABLE demo_phone_media (
    media_id TEXT PRIMARY KEY,
    mime_type TEXT NOT NULL,
    file_size INTEGER NOT NULL,
    data BLOB NOT NULL
);
