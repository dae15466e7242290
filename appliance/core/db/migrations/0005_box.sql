-- The box: the armed emergency message and every press of the emergency button.

-- At most one armed message (id is always 1); no row means nothing is armed.
CREATE TABLE emergency_armed (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    template_name TEXT NOT NULL,
    language TEXT NOT NULL,
    parameters TEXT NOT NULL DEFAULT '[]', -- JSON list of the template's body parameters
    follow_up TEXT NOT NULL DEFAULT '', -- free text for those inside the 24-hour window
    test_mode INTEGER NOT NULL DEFAULT 0 CHECK (test_mode IN (0, 1)), -- drills: staff numbers only
    armed_by TEXT NOT NULL,
    armed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Every press of the button, counted or not (bounces are only logged). The outcome of a
-- counted press moves launching -> launched -> finished; every other outcome is final.
CREATE TABLE emergency_presses (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    source TEXT NOT NULL, -- "button" or "virtual button" (demo)
    held_seconds REAL NOT NULL,
    counted INTEGER NOT NULL CHECK (counted IN (0, 1)),
    outcome TEXT NOT NULL CHECK (outcome IN (
        'short', 'cooldown', 'nothing_armed', 'no_test_numbers', 'unavailable',
        'launching', 'launched', 'failed', 'finished'
    )),
    detail TEXT NOT NULL DEFAULT '',
    template_name TEXT NOT NULL DEFAULT '',
    test_mode INTEGER NOT NULL DEFAULT 0,
    reference TEXT NOT NULL DEFAULT '', -- the emergency broadcast's id from the launcher
    recipients INTEGER,
    finished_at TEXT
);
CREATE INDEX emergency_presses_at ON emergency_presses (at);
