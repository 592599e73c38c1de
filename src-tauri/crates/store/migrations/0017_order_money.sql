-- Issue 15, money: the declared value follows the items until the manager types one, and the
-- cash-on-delivery amount may be typed (NULL: the order's total). See ShopOrderDraft::followed.
ALTER TABLE shop_orders ADD COLUMN declared_value_auto INTEGER NOT NULL DEFAULT 1;
ALTER TABLE shop_orders ADD COLUMN cod_amount TEXT;
-- Orders saved before with a declared value keep it as typed; those left at 0 follow their items.
UPDATE shop_orders SET declared_value_auto = 0 WHERE CAST(declared_value AS REAL) <> 0;
