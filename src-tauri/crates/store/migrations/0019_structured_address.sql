-- Addresses field by field (what delivery services and CRMs take). `address` stays the one-line
-- form: the parts joined, or the line as received when it could not be split.
ALTER TABLE shop_orders ADD COLUMN country TEXT NOT NULL DEFAULT '';
ALTER TABLE shop_orders ADD COLUMN region TEXT NOT NULL DEFAULT '';
ALTER TABLE shop_orders ADD COLUMN city TEXT NOT NULL DEFAULT '';
ALTER TABLE shop_orders ADD COLUMN street TEXT NOT NULL DEFAULT '';
ALTER TABLE shop_orders ADD COLUMN house TEXT NOT NULL DEFAULT '';
ALTER TABLE shop_orders ADD COLUMN flat TEXT NOT NULL DEFAULT '';
ALTER TABLE shop_orders ADD COLUMN pickup_point_id TEXT NOT NULL DEFAULT '';
ALTER TABLE shop_orders ADD COLUMN pickup_point_address TEXT NOT NULL DEFAULT '';

-- The buyer's address as the marketplace gave it field by field (JSON of the core's Address);
-- NULL when it came as one line that could not be split.
ALTER TABLE orders ADD COLUMN buyer_address_parts TEXT;
ALTER TABLE customers ADD COLUMN address_parts TEXT;

-- Work a migration cannot do in SQL, done once by the store right after migrating (splitting the
-- one-line addresses stored before this version needs the core's rules).
CREATE TABLE IF NOT EXISTS pending_upgrades (name TEXT PRIMARY KEY);
INSERT OR IGNORE INTO pending_upgrades (name) VALUES ('split_addresses');
