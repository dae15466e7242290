-- The Costi page and the dashboard's allowance line count this month's priced messages by
-- category: an index over the priced rows only, so neither reads the whole status table.
CREATE INDEX message_statuses_priced ON message_statuses (pricing_category, timestamp, billable)
    WHERE pricing_category IS NOT NULL;
