-- The last sync error of an account and the last error of a marketplace call, as a code plus
-- arguments (JSON) the UI words in the manager's language; `last_error` keeps the English text
-- for the CLI and for rows written before.
ALTER TABLE accounts ADD COLUMN last_error_words TEXT;
ALTER TABLE outbox ADD COLUMN last_error_words TEXT;
