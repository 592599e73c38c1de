-- All orders as a cabinet: the order's own status, recipient, payment, delivery and items, a search
-- index over number and recipient, and the statuses Delete and a transfer set.

ALTER TABLE shop_orders ADD COLUMN status_id INTEGER REFERENCES shop_statuses(id) ON DELETE SET NULL;
ALTER TABLE shop_orders ADD COLUMN order_type TEXT NOT NULL DEFAULT 'standard';
ALTER TABLE shop_orders ADD COLUMN payment_method TEXT;
ALTER TABLE shop_orders ADD COLUMN paid INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shop_orders ADD COLUMN cod INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shop_orders ADD COLUMN declared_value TEXT NOT NULL DEFAULT '0';
ALTER TABLE shop_orders ADD COLUMN recipient_name TEXT NOT NULL DEFAULT '';
ALTER TABLE shop_orders ADD COLUMN recipient_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE shop_orders ADD COLUMN recipient_email TEXT NOT NULL DEFAULT '';
ALTER TABLE shop_orders ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE shop_orders ADD COLUMN postal_code TEXT NOT NULL DEFAULT '';
ALTER TABLE shop_orders ADD COLUMN auto_dimensions INTEGER NOT NULL DEFAULT 1;
ALTER TABLE shop_orders ADD COLUMN weight_g INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shop_orders ADD COLUMN length_cm INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shop_orders ADD COLUMN width_cm INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shop_orders ADD COLUMN height_cm INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shop_orders ADD COLUMN delivery_method TEXT NOT NULL DEFAULT '';
ALTER TABLE shop_orders ADD COLUMN delivery_cost TEXT NOT NULL DEFAULT '0';
-- Items plus delivery, in minor units (kopecks): sorted on and summed for revenue.
ALTER TABLE shop_orders ADD COLUMN total_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shop_orders ADD COLUMN currency TEXT NOT NULL DEFAULT 'RUB';
ALTER TABLE shop_orders ADD COLUMN preorder INTEGER NOT NULL DEFAULT 0;
-- Where a transfer (CRM, delivery service) sent the order; NULL when it was never transferred.
ALTER TABLE shop_orders ADD COLUMN transferred_to TEXT;
ALTER TABLE shop_orders ADD COLUMN updated_at TEXT;

-- The order's items: copied from the accepted lines, or picked by hand.
CREATE TABLE shop_order_items (
    id             INTEGER PRIMARY KEY,
    shop_order_id  INTEGER NOT NULL REFERENCES shop_orders(id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    line_id        INTEGER REFERENCES lines(id) ON DELETE SET NULL,
    offer_id       INTEGER,
    article        TEXT    NOT NULL DEFAULT '',
    brand          TEXT    NOT NULL DEFAULT '',
    name           TEXT    NOT NULL DEFAULT '',
    quantity       INTEGER NOT NULL,
    price          TEXT    NOT NULL,
    weight_g       INTEGER NOT NULL DEFAULT 0,
    length_cm      INTEGER NOT NULL DEFAULT 0,
    width_cm       INTEGER NOT NULL DEFAULT 0,
    height_cm      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (shop_order_id, line_id)
);
CREATE INDEX shop_order_items_order ON shop_order_items(shop_order_id, position);

-- Events of a shop order (edits, status changes) beside those of the marketplace order.
ALTER TABLE events ADD COLUMN shop_order_id INTEGER;
CREATE INDEX events_shop_order ON events(shop_order_id, id) WHERE shop_order_id IS NOT NULL;

INSERT INTO shop_statuses (code, grp, position)
    SELECT 'deleted', 'removed', COALESCE(MAX(position), 0) + 1 FROM shop_statuses;
INSERT INTO shop_statuses (code, grp, position)
    SELECT 'transferred', 'in_work', COALESCE(MAX(position), 0) + 1 FROM shop_statuses;

-- Orders made before this version: recipient from the marketplace order, items from its lines.
UPDATE shop_orders SET
    recipient_name = COALESCE((SELECT buyer_name FROM orders o WHERE o.id = shop_orders.source_order_id), ''),
    recipient_phone = COALESCE((SELECT buyer_phone FROM orders o WHERE o.id = shop_orders.source_order_id), ''),
    recipient_email = COALESCE((SELECT buyer_email FROM orders o WHERE o.id = shop_orders.source_order_id), ''),
    address = COALESCE((SELECT buyer_address FROM orders o WHERE o.id = shop_orders.source_order_id), ''),
    payment_method = 'prepaid',
    currency = COALESCE((SELECT currency FROM lines l WHERE l.shop_order_id = shop_orders.id LIMIT 1), 'RUB'),
    status_id = (SELECT l.shop_status_id FROM lines l WHERE l.shop_order_id = shop_orders.id
                 AND l.state = 'accepted' ORDER BY l.id LIMIT 1);
INSERT INTO shop_order_items (shop_order_id, position, line_id, article, name, quantity, price)
    SELECT shop_order_id, id, id, offer_id, name, quantity, price FROM lines WHERE shop_order_id IS NOT NULL;
UPDATE shop_orders SET total_minor = COALESCE((SELECT SUM(CAST(ROUND(CAST(price AS REAL) * 100) AS INTEGER) * quantity)
    FROM shop_order_items i WHERE i.shop_order_id = shop_orders.id), 0);

-- Each holds the id too, so one status's or account's orders come newest first straight from it.
CREATE INDEX shop_orders_status ON shop_orders(status_id);
CREATE INDEX shop_orders_account ON shop_orders(account_id);
CREATE INDEX shop_orders_number ON shop_orders(number, id);
CREATE INDEX shop_orders_recipient ON shop_orders(recipient_name, id);
CREATE INDEX shop_orders_total ON shop_orders(total_minor, id);

-- Substring search over number and recipient (trigram: any three characters, Unicode case folded).
CREATE VIRTUAL TABLE shop_orders_text USING fts5(
    number, recipient, tokenize = 'trigram', content = '', contentless_delete = 1
);
INSERT INTO shop_orders_text (rowid, number, recipient) SELECT id, number, recipient_name FROM shop_orders;
CREATE TRIGGER shop_orders_text_insert AFTER INSERT ON shop_orders BEGIN
    INSERT INTO shop_orders_text (rowid, number, recipient) VALUES (new.id, new.number, new.recipient_name);
END;
CREATE TRIGGER shop_orders_text_update AFTER UPDATE OF number, recipient_name ON shop_orders BEGIN
    DELETE FROM shop_orders_text WHERE rowid = old.id;
    INSERT INTO shop_orders_text (rowid, number, recipient) VALUES (new.id, new.number, new.recipient_name);
END;
CREATE TRIGGER shop_orders_text_delete AFTER DELETE ON shop_orders BEGIN
    DELETE FROM shop_orders_text WHERE rowid = old.id;
END;
