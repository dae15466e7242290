-- Template events apart from the status: FLAGGED or IN_APPEAL warn, they are not a status.
ALTER TABLE wa_templates ADD COLUMN last_event TEXT NOT NULL DEFAULT '';
