-- Issue 16, transfers: a target is an account of a transfer integration (RetailCRM, Shiptor, …),
-- so an order's transfers are kept per target account rather than per kind of system. Rows of
-- the earlier shape (never written by a released version) are kept for the first account of
-- their kind, if there is one. States are the words the manager sees: pending, transferred,
-- problematic.
CREATE TABLE order_transfers_by_account (
    id              INTEGER PRIMARY KEY,
    shop_order_id   INTEGER NOT NULL REFERENCES shop_orders(id) ON DELETE CASCADE,
    account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    remote_id       TEXT,
    link            TEXT,
    state           TEXT    NOT NULL,
    last_error      TEXT,
    -- ErrorWords as JSON, for the UI to word the target's refusal.
    last_error_words TEXT,
    -- What the target made of it, read back: its status in its words, a delivery service's
    -- tracking number and history of operations (JSON [{at, text}]).
    remote_status   TEXT,
    tracking_number TEXT,
    remote_history  TEXT,
    read_at         TEXT,
    updated_at      TEXT    NOT NULL,
    UNIQUE (shop_order_id, account_id)
);
INSERT INTO order_transfers_by_account (shop_order_id, account_id, remote_id, link, state, last_error, updated_at)
SELECT t.shop_order_id, a.id, t.remote_id, t.link,
       CASE t.state WHEN 'sent' THEN 'transferred' WHEN 'failed' THEN 'problematic' ELSE 'pending' END,
       t.last_error, t.updated_at
  FROM order_transfers t
  JOIN accounts a ON a.id = (SELECT MIN(id) FROM accounts WHERE kind = t.target);
DROP TABLE order_transfers;
ALTER TABLE order_transfers_by_account RENAME TO order_transfers;
CREATE INDEX order_transfers_by_target ON order_transfers (account_id, state);

-- Our key for an order at a target is this prefix and the order's id: two shops (two databases)
-- sending to one CRM never collide.
INSERT OR IGNORE INTO app_settings (key, value) VALUES ('transfer_key_prefix', '"ot' || lower(hex(randomblob(3))) || '"');

-- A target's rule sends the orders that reached a status since it last looked: found by status and
-- the time of their last change.
CREATE INDEX shop_orders_status_changed ON shop_orders (status_id, updated_at);
