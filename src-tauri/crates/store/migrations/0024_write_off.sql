-- Statuses that write an order's items off (stock leaves): from then on the platform's quantity
-- changes no longer apply to the order. By default the statuses of the done group.
ALTER TABLE shop_statuses ADD COLUMN writes_off INTEGER NOT NULL DEFAULT 0;
UPDATE shop_statuses SET writes_off = 1 WHERE grp = 'done';

-- When the order's items were written off; NULL: not yet.
ALTER TABLE shop_orders ADD COLUMN written_off_at TEXT;
UPDATE shop_orders SET written_off_at = COALESCE(updated_at, created_at)
    WHERE status_id IN (SELECT id FROM shop_statuses WHERE writes_off = 1);
