-- The outbox for several processes and for destinations other than marketplaces.
--
-- Claims become leases: a row in flight belongs to one process (its owner id) until its lease
-- expires; another process may take it over only then (and checks the marketplace first).
--
-- A row is addressed to a destination (a marketplace account, later a transfer target such as a
-- CRM) and is about a subject (a marketplace order, or a shop order); rows of one subject are
-- delivered in order. The payload is the integration's own JSON, described in words when queued.
-- `account_id`, `order_id` and `shop_order_id` repeat the destination and subject as foreign keys,
-- so that deleting an account, an order or a shop order deletes its rows.
CREATE TABLE outbox_new (
    id               INTEGER PRIMARY KEY,
    destination_kind TEXT    NOT NULL CHECK (destination_kind IN ('account', 'transfer_target')),
    destination_id   INTEGER NOT NULL,
    subject_kind     TEXT    NOT NULL CHECK (subject_kind IN ('external_order', 'shop_order')),
    subject_id       INTEGER NOT NULL,
    account_id       INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
    order_id         INTEGER REFERENCES orders(id) ON DELETE CASCADE,
    shop_order_id    INTEGER REFERENCES shop_orders(id) ON DELETE CASCADE,
    kind             TEXT    NOT NULL,
    payload          TEXT    NOT NULL,
    description      TEXT,
    idempotency_key  TEXT    NOT NULL UNIQUE,
    state            TEXT    NOT NULL DEFAULT 'pending',
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT    NOT NULL,
    last_error       TEXT,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    lease_owner      TEXT,
    lease_until      TEXT,
    CHECK ((destination_kind = 'account') = (account_id IS NOT NULL)),
    CHECK ((subject_kind = 'external_order') = (order_id IS NOT NULL)),
    CHECK ((subject_kind = 'shop_order') = (shop_order_id IS NOT NULL))
);

-- Every existing row is a marketplace call about a marketplace order (the app always wrote an
-- order; a row without one has no subject and is not carried over).
-- Rows a version without leases left in flight: that process is gone, so their lease has expired.
INSERT INTO outbox_new (id, destination_kind, destination_id, subject_kind, subject_id, account_id,
                        order_id, kind, payload, idempotency_key, state, attempts, next_attempt_at,
                        last_error, created_at, updated_at, lease_until)
SELECT id, 'account', account_id, 'external_order', order_id, account_id, order_id, kind, payload,
       idempotency_key, state, attempts, next_attempt_at, last_error, created_at, updated_at,
       CASE WHEN state = 'in_flight' THEN '1970-01-01T00:00:00.000000Z' END
FROM outbox WHERE order_id IS NOT NULL;

DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(state, next_attempt_at, id);
CREATE INDEX outbox_account ON outbox(account_id, state);
CREATE INDEX outbox_subject ON outbox(subject_kind, subject_id, id);
CREATE INDEX outbox_order ON outbox(order_id, created_at);

-- Until when a marketplace asked this account to wait (its Retry-After, capped), for the health
-- line "waiting until HH:MM (server asked)".
ALTER TABLE accounts ADD COLUMN server_wait_until TEXT;
