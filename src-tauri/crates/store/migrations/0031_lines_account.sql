-- The unread badge leaves out the lines of inactive accounts. It did so by a list of those accounts'
-- order ids (0027), read whole for every count: 124 ms for an inactive account of 333,333 orders,
-- after every decision. Each line now carries its order's account (an order never changes account),
-- and the badge's index ends with it, so the count reads that index alone.
ALTER TABLE lines ADD COLUMN account_id INTEGER;
UPDATE lines SET account_id = (SELECT account_id FROM orders WHERE orders.id = lines.order_id);
-- A line stored without it (any path but a sync's new orders, which set it) takes its order's.
CREATE TRIGGER lines_account AFTER INSERT ON lines WHEN new.account_id IS NULL BEGIN
    UPDATE lines SET account_id = (SELECT account_id FROM orders WHERE orders.id = new.order_id)
    WHERE id = new.id;
END;
DROP INDEX lines_unread;
CREATE INDEX lines_unread ON lines(state, removed_by_marketplace, account_id)
WHERE state = 'new' AND removed_by_marketplace = 0;
