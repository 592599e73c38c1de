-- The inbox views (New, Accepted, Rejected, Deleted) list lines of one state, newest marketplace
-- order first. That order was a column of `orders`, so SQLite read every line in the state, joined
-- its order and sorted them all before returning the first page: at a million accepted lines the
-- Accepted view read a million rows. Each line now carries its order's creation time (it never
-- changes once the order is stored) and one index serves the filter and the order, so a view reads
-- only the lines it shows.
ALTER TABLE lines ADD COLUMN order_created_at TEXT;
UPDATE lines SET order_created_at = (SELECT created_at FROM orders WHERE orders.id = lines.order_id);
CREATE INDEX lines_state_inbox ON lines(state, order_created_at DESC, order_id DESC, id);
-- Lines written without it (older code paths, hand-made test data) get it from their order.
CREATE TRIGGER lines_order_created_at AFTER INSERT ON lines WHEN new.order_created_at IS NULL BEGIN
    UPDATE lines SET order_created_at = (SELECT created_at FROM orders WHERE orders.id = new.order_id)
    WHERE id = new.id;
END;
