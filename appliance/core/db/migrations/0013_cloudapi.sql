-- Template events apart from the status: FLAGGED or IN_APPEAL warn, they are not a status.
ALTER TABLE wa_templates ADD COLUMN last_event TEXT NOT NULL DEFAULT '';

-- What Meta charges for each message (per-message pricing since July 2025), from its statuses.
ALTER TABLE message_statuses ADD COLUMN pricing_category TEXT;
ALTER TABLE message_statuses ADD COLUMN billable INTEGER;
ALTER TABLE message_statuses ADD COLUMN pricing_model TEXT;
