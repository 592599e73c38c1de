-- Every request that reached an order intake address (Gettzap pushes orders to us), kept for
-- audit: Gettzap's format is unpublished, so the raw body is the only record of what it sent.
-- Refused requests (wrong token) keep no body; the token is never stored.
CREATE TABLE intake_requests (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
    received_at   TEXT NOT NULL,
    remote        TEXT NOT NULL DEFAULT '',
    content_type  TEXT NOT NULL DEFAULT '',
    -- The body exactly as received (NULL when refused before reading it).
    body          BLOB,
    body_bytes    INTEGER NOT NULL DEFAULT 0,
    http_status   INTEGER NOT NULL,
    -- stored | partial | malformed | refused | disabled | unknown_account
    outcome       TEXT NOT NULL,
    message       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX intake_requests_by_account ON intake_requests (account_id, id);
