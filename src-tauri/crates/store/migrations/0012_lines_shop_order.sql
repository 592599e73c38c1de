-- Lines are looked up by the shop order they were placed on at every accept and every sync of an
-- accepted posting (the shop order's items and totals are refreshed from them); without an index
-- each lookup scanned every line, holding the write lock long enough at a million lines for the
-- manager's triage to fail with "database is locked".
CREATE INDEX lines_shop_order ON lines(shop_order_id) WHERE shop_order_id IS NOT NULL;
