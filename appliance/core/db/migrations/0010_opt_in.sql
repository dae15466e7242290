-- The subscription records the opt-in WhatsApp requires; the legal basis of the service is a
-- public-interest task (GDPR art. 6(1)(e)), not consent. Existing records are kept, relabelled:
-- granted -> opted_in, refused -> declined, withdrawn -> opted_out (imported stays).
CREATE TABLE consents_new (
    id INTEGER PRIMARY KEY,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    kind TEXT NOT NULL CHECK (kind IN ('opted_in', 'declined', 'opted_out', 'imported')),
    notice_version INTEGER,
    wamid TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT 'chat',
    detail TEXT NOT NULL DEFAULT ''
);
INSERT INTO consents_new (id, subscriber_id, at, kind, notice_version, wamid, source, detail)
    SELECT id, subscriber_id, at,
        CASE kind WHEN 'granted' THEN 'opted_in' WHEN 'refused' THEN 'declined'
                  WHEN 'withdrawn' THEN 'opted_out' ELSE kind END,
        notice_version, wamid, source, detail
    FROM consents;
DROP TABLE consents;
ALTER TABLE consents_new RENAME TO consents;
CREATE INDEX consents_subscriber ON consents (subscriber_id);
