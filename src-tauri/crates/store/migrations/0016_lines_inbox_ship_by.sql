-- The inbox lists orders the buyer cancelled first, then by the nearest ship-by deadline (orders
-- without one last) or newest first (migration 0014, issue 19). Both are columns of `orders`, so
-- sorting by them would read and sort every line in the state again (see 0015). Each line now
-- carries them too, kept in step with its order by triggers, and each sort has its own index that
-- serves the filter and the order.
--
-- order_cancelled: 1 when the order's status is one of ordertray_core::CANCELLED_STATUSES
-- ('cancelled', 'not_accepted'); a change to that list needs a migration that rewrites these
-- triggers and the column (tests/ship_by.rs checks them).
-- NULL only until the insert trigger below fills it.
ALTER TABLE lines ADD COLUMN order_ship_by TEXT;
ALTER TABLE lines ADD COLUMN order_cancelled INTEGER;
UPDATE lines SET (order_ship_by, order_cancelled) = (
    SELECT ship_by, status IN ('cancelled', 'not_accepted') FROM orders WHERE orders.id = lines.order_id
);

-- Newest first: 0015's index, with the cancelled orders first.
DROP INDEX lines_state_inbox;
CREATE INDEX lines_state_inbox ON lines(state, order_cancelled DESC, order_created_at DESC, order_id DESC, id);
-- Most urgent first: cancelled, then the nearest deadline, orders without one last (newest first).
CREATE INDEX lines_state_ship_by ON lines(
    state, order_cancelled DESC, order_ship_by IS NULL, order_ship_by, order_created_at DESC, order_id DESC, id
);

-- Lines written without them (the single-order path, hand-made test data) get them from their order.
CREATE TRIGGER lines_order_ship_by AFTER INSERT ON lines WHEN new.order_cancelled IS NULL BEGIN
    UPDATE lines SET (order_ship_by, order_cancelled) = (
        SELECT ship_by, status IN ('cancelled', 'not_accepted') FROM orders WHERE orders.id = new.order_id
    )
    WHERE id = new.id;
END;
-- A moved deadline or a cancellation (or its reversal) moves the order's lines.
CREATE TRIGGER orders_ship_by_to_lines AFTER UPDATE OF ship_by, status ON orders
WHEN old.ship_by IS NOT new.ship_by
    OR (old.status IN ('cancelled', 'not_accepted')) IS NOT (new.status IN ('cancelled', 'not_accepted'))
BEGIN
    UPDATE lines SET order_ship_by = new.ship_by, order_cancelled = new.status IN ('cancelled', 'not_accepted')
    WHERE order_id = new.id;
END;
