-- Orders a platform has that the import rules leave out (no items, no customer, no way to reach
-- the customer): the account's sync log shows each with its number and reason. One row per order,
-- kept up to date while it stays skipped, removed when the order arrives after all.
CREATE TABLE skipped_orders (
    account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    external_id  TEXT    NOT NULL,
    number       TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    at           TEXT    NOT NULL,
    PRIMARY KEY (account_id, external_id)
);
CREATE INDEX skipped_orders_recent ON skipped_orders(account_id, at);

ALTER TABLE sync_runs ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;

-- How the platform will deliver the order, as it last said (a change adds a timeline entry).
ALTER TABLE orders ADD COLUMN delivery_note TEXT;
