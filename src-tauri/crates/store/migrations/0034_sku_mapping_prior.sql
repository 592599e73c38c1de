-- What a SKU was bound to before the latest accept wrote it: undoing that accept puts it back. A
-- wrong offer accepted and undone left its binding, which the next lines of the SKU were offered
-- (and the rules, picking the cheapest candidate, could accept).
ALTER TABLE sku_mappings ADD COLUMN prior_brand_key TEXT;
ALTER TABLE sku_mappings ADD COLUMN prior_article_key TEXT;
ALTER TABLE sku_mappings ADD COLUMN prior_updated_at TEXT;
