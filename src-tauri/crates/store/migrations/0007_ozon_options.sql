-- Ozon account options: where an order came from, marketplace extras (barcodes, cargo places), and
-- the tracking number the manager enters (sent to Ozon for seller-delivered postings).
ALTER TABLE shop_orders ADD COLUMN source TEXT;
-- JSON object of marketplace facts that have no column of their own.
ALTER TABLE shop_orders ADD COLUMN extra TEXT;
ALTER TABLE shop_orders ADD COLUMN tracking_number TEXT NOT NULL DEFAULT '';
