-- The marketplace's ship-by deadline of an order (format_ts text, so text order is time order),
-- and which of its alerts already fired: NULL none, 'near' the "ship-by near" one, 'overdue'
-- both (or the overdue one alone when the order was first seen late). A new deadline resets it.
ALTER TABLE orders ADD COLUMN ship_by TEXT;
ALTER TABLE orders ADD COLUMN ship_by_alert TEXT;
