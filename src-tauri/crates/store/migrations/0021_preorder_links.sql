-- A pre-order's buyer link: the buyer completes the order on a page the intake serves. Only the
-- token's SHA-256 is kept (the link itself is shown once, when it is made); one link per order,
-- a new one replaces the old.
CREATE TABLE preorder_links (
    id             INTEGER PRIMARY KEY,
    shop_order_id  INTEGER NOT NULL UNIQUE REFERENCES shop_orders(id) ON DELETE CASCADE,
    token_sha256   TEXT    NOT NULL UNIQUE,
    created_at     TEXT    NOT NULL,
    expires_at     TEXT    NOT NULL,
    used_at        TEXT
);
