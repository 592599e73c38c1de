-- One order type's orders newest first, with the period's id bound (order type + period in the
-- cabinet, and a type few orders have): the store uses it only for a single type read in id
-- order, since with more types or another sort column SQLite would sort every match.
CREATE INDEX shop_orders_type ON shop_orders(order_type, id);
