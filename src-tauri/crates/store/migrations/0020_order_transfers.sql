-- Each sending of a shop order to another system (a CRM, a delivery service): one row per order
-- and target, updated by every re-send, so the order shows where it is and how that went.
CREATE TABLE order_transfers (
    id             INTEGER PRIMARY KEY,
    shop_order_id  INTEGER NOT NULL REFERENCES shop_orders(id) ON DELETE CASCADE,
    -- A transfer target's id (core delivery::TRANSFER_TARGETS: retailcrm, moysklad, …).
    target         TEXT    NOT NULL,
    remote_id      TEXT,
    link           TEXT,
    -- pending, sent, failed
    state          TEXT    NOT NULL,
    last_error     TEXT,
    updated_at     TEXT    NOT NULL,
    UNIQUE (shop_order_id, target)
);
