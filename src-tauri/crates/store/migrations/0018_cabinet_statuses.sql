-- Issue 15, the statuses the cabinet needs: "Pre-order" (an order that waits for its buyer's
-- details; completing it moves it to the first "new" status) and "Confirmed" right after
-- "Accepted", "Problematic" (a transfer failed; the target's message is on the order) at the end.
-- A shop that removed "Accepted" gets them at the end too. Codes are unique: a second run adds none.
UPDATE shop_statuses SET position = position + 2
 WHERE position > (SELECT position FROM shop_statuses WHERE code = 'accepted');
INSERT OR IGNORE INTO shop_statuses (code, grp, position)
 VALUES ('preorder', 'new', COALESCE((SELECT position + 1 FROM shop_statuses WHERE code = 'accepted'),
                                      (SELECT MAX(position) + 1 FROM shop_statuses), 0));
INSERT OR IGNORE INTO shop_statuses (code, grp, position)
 VALUES ('confirmed', 'in_work', COALESCE((SELECT position + 2 FROM shop_statuses WHERE code = 'accepted'),
                                          (SELECT MAX(position) + 1 FROM shop_statuses), 0));
INSERT OR IGNORE INTO shop_statuses (code, grp, position)
 VALUES ('problematic', 'in_work', (SELECT COALESCE(MAX(position), 0) + 1 FROM shop_statuses));
