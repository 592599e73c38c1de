-- Two counts that read too much at a million rows.
--
-- The statistics bar of "All orders" (orders per status under the other filters) counted every
-- order those filters let through: 86 ms at a million orders with no filter at all. Orders are now
-- counted per combination of what the bar's filters other than search and period look at, kept by
-- triggers on every insert, change and delete of an order, so the bar sums a few hundred rows.
-- NULLs are kept as 0 / '' so that each combination is one key (NULLs never conflict).
CREATE TABLE shop_order_counts (
    status_id       INTEGER NOT NULL,   -- 0: no status yet
    order_type      TEXT    NOT NULL,
    payment_method  TEXT    NOT NULL,   -- '': none
    paid            INTEGER NOT NULL,
    account_id      INTEGER NOT NULL,   -- 0: no account
    manual          INTEGER NOT NULL,   -- source_order_id IS NULL (the "made by hand" filter)
    n               INTEGER NOT NULL,
    PRIMARY KEY (status_id, order_type, payment_method, paid, account_id, manual)
) WITHOUT ROWID;

INSERT INTO shop_order_counts
SELECT COALESCE(status_id, 0), order_type, COALESCE(payment_method, ''), paid, COALESCE(account_id, 0),
       source_order_id IS NULL, COUNT(*)
FROM shop_orders
GROUP BY 1, 2, 3, 4, 5, 6;

CREATE TRIGGER shop_order_counts_insert AFTER INSERT ON shop_orders BEGIN
    INSERT INTO shop_order_counts VALUES (
        COALESCE(new.status_id, 0), new.order_type, COALESCE(new.payment_method, ''), new.paid,
        COALESCE(new.account_id, 0), new.source_order_id IS NULL, 1
    ) ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER shop_order_counts_delete AFTER DELETE ON shop_orders BEGIN
    UPDATE shop_order_counts SET n = n - 1
    WHERE status_id = COALESCE(old.status_id, 0) AND order_type = old.order_type
      AND payment_method = COALESCE(old.payment_method, '') AND paid = old.paid
      AND account_id = COALESCE(old.account_id, 0) AND manual = (old.source_order_id IS NULL);
END;

-- Also fires for the foreign keys' ON DELETE SET NULL (a status, an account or a marketplace
-- order deleted).
CREATE TRIGGER shop_order_counts_update
AFTER UPDATE OF status_id, order_type, payment_method, paid, account_id, source_order_id ON shop_orders
WHEN old.status_id IS NOT new.status_id OR old.order_type IS NOT new.order_type
    OR old.payment_method IS NOT new.payment_method OR old.paid IS NOT new.paid
    OR old.account_id IS NOT new.account_id
    OR (old.source_order_id IS NULL) IS NOT (new.source_order_id IS NULL)
BEGIN
    UPDATE shop_order_counts SET n = n - 1
    WHERE status_id = COALESCE(old.status_id, 0) AND order_type = old.order_type
      AND payment_method = COALESCE(old.payment_method, '') AND paid = old.paid
      AND account_id = COALESCE(old.account_id, 0) AND manual = (old.source_order_id IS NULL);
    INSERT INTO shop_order_counts VALUES (
        COALESCE(new.status_id, 0), new.order_type, COALESCE(new.payment_method, ''), new.paid,
        COALESCE(new.account_id, 0), new.source_order_id IS NULL, 1
    ) ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- The unread badge counts the lines waiting in active accounts after every decision. It read each
-- new line and its order (0.2 s at 100,000 new lines in a million, inside every accept); lines
-- waiting now have an index of their own, and the orders of inactive accounts are left out by id.
-- (Its first two columns make it the index SQLite picks for that count: both terms are equalities.)
CREATE INDEX lines_unread ON lines(state, removed_by_marketplace, order_id)
WHERE state = 'new' AND removed_by_marketplace = 0;
