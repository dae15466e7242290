-- Every status of an outbox row with its time: the row keeps only the latest, staff see each.
-- state is the row state it reached (accepted, sent, delivered, read, failed, needs_template,
-- skipped, expired, cancelled); a status arriving twice, or out of order, is kept once.
CREATE TABLE outbox_history (
    outbox_id INTEGER NOT NULL,
    state TEXT NOT NULL,
    at REAL NOT NULL, -- Meta's time for webhook statuses, ours for the API's answer
    error_code INTEGER,
    error_detail TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (outbox_id, state)
) WITHOUT ROWID;
CREATE INDEX outbox_history_at ON outbox_history (at);

-- Rows sent before this version: their latest state is all that is known.
INSERT INTO outbox_history (outbox_id, state, at, error_code, error_detail)
    SELECT id, state, coalesce(updated_at, created_at), error_code, error_detail FROM outbox
    WHERE state != 'queued';

-- Every media id the library ever got, so a campaign holding an older id of a file is renewed
-- too (studio_media keeps only the current one).
CREATE TABLE studio_media_uploads (
    media_id TEXT PRIMARY KEY,
    media_row INTEGER NOT NULL REFERENCES studio_media (id),
    uploaded_at REAL NOT NULL
) WITHOUT ROWID;
INSERT INTO studio_media_uploads (media_id, media_row, uploaded_at)
    SELECT media_id, id, uploaded_at FROM studio_media;
