-- Substring search in the inbox: a line is found by its order's number, its article (offer id or
-- marketplace SKU) or its product name (trigram: any three characters, Unicode case folded, so
-- Cyrillic names are found whatever the case). Contentless: the text stays in `lines` and
-- `orders` only. The inbox reads it for rare fragments and checks common ones row by row (see
-- `Store::inbox`).
CREATE VIRTUAL TABLE lines_text USING fts5(
    number, article, name, tokenize = 'trigram', content = '', contentless_delete = 1
);
INSERT INTO lines_text (rowid, number, article, name)
SELECT l.id, o.number, l.offer_id || ' ' || l.sku, l.name FROM lines l JOIN orders o ON o.id = l.order_id;

CREATE TRIGGER lines_text_insert AFTER INSERT ON lines BEGIN
    INSERT INTO lines_text (rowid, number, article, name)
    VALUES (new.id, (SELECT number FROM orders WHERE id = new.order_id), new.offer_id || ' ' || new.sku, new.name);
END;
-- A sync rewrites a line's text with every change of its posting: only a real change re-indexes it.
CREATE TRIGGER lines_text_update AFTER UPDATE OF sku, offer_id, name ON lines
WHEN old.sku IS NOT new.sku OR old.offer_id IS NOT new.offer_id OR old.name IS NOT new.name BEGIN
    DELETE FROM lines_text WHERE rowid = old.id;
    INSERT INTO lines_text (rowid, number, article, name)
    VALUES (new.id, (SELECT number FROM orders WHERE id = new.order_id), new.offer_id || ' ' || new.sku, new.name);
END;
CREATE TRIGGER lines_text_delete AFTER DELETE ON lines BEGIN
    DELETE FROM lines_text WHERE rowid = old.id;
END;
CREATE TRIGGER lines_text_number AFTER UPDATE OF number ON orders WHEN old.number IS NOT new.number BEGIN
    DELETE FROM lines_text WHERE rowid IN (SELECT id FROM lines WHERE order_id = new.id);
    INSERT INTO lines_text (rowid, number, article, name)
    SELECT l.id, new.number, l.offer_id || ' ' || l.sku, l.name FROM lines l WHERE l.order_id = new.id;
END;
