-- Which orders a customer holds: undo asks it before taking back the customer its accept made, and
-- deleting an account before deleting the customers its orders brought. Without an index each asked
-- by reading every order (~100 ms at a million) while holding the write lock. Most orders have no
-- customer until accepted, so the index keeps only those that have one.
CREATE INDEX orders_customer ON orders(customer_id) WHERE customer_id IS NOT NULL;
