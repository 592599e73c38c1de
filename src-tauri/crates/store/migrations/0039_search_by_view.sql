-- The inbox search reads only the entries of the view it searches. With one key per line (its id),
-- a fragment common in another view but absent from this one had every entry read, then each
-- checked against the view (60-120 ms at a million lines). Each entry's key is now the line's
-- view slot above its id, so a view reads its own key ranges: new 0, decided by a rule: accepted 2,
-- rejected 3, deleted 4, by hand: accepted 5, rejected 6, deleted 7. Slot 1 is a new line carrying
-- a rule's decision, which no path writes today (an undo clears it); giving it a slot keeps the
-- views exact whatever the data: New (0-1) and Processed (1-4, every line a rule decided) are one
-- range each, the other views two. A decision moves the line's entry to its new slot
-- (`Store::inbox` reads them).
ALTER TABLE lines ADD COLUMN text_slot INTEGER GENERATED ALWAYS AS (
    CASE WHEN decided_by_rule IS NULL
        THEN CASE state WHEN 'new' THEN 0 WHEN 'accepted' THEN 5 WHEN 'rejected' THEN 6 ELSE 7 END
        ELSE CASE state WHEN 'new' THEN 1 WHEN 'accepted' THEN 2 WHEN 'rejected' THEN 3 ELSE 4 END
    END
) VIRTUAL;

DROP TRIGGER lines_text_insert;
DROP TRIGGER lines_text_update;
DROP TRIGGER lines_text_delete;
DROP TRIGGER lines_text_number;
DROP TABLE lines_text;
CREATE VIRTUAL TABLE lines_text USING fts5(
    number, article, name, tokenize = 'trigram', content = '', contentless_delete = 1
);
-- In key order: FTS5 writes out what it holds each time a key comes below the last one, and lines
-- in id order jump between slots (28 s instead of 8 at a million lines, in many small segments).
INSERT INTO lines_text (rowid, number, article, name)
SELECT (l.text_slot << 40) + l.id, o.number, l.offer_id || ' ' || l.sku, l.name
FROM lines l JOIN orders o ON o.id = l.order_id ORDER BY 1;

CREATE TRIGGER lines_text_insert AFTER INSERT ON lines BEGIN
    INSERT INTO lines_text (rowid, number, article, name)
    VALUES ((new.text_slot << 40) + new.id, (SELECT number FROM orders WHERE id = new.order_id),
            new.offer_id || ' ' || new.sku, new.name);
END;
-- One trigger for a new text and a new slot: an update changing both re-indexes the line once
-- (two triggers would each write its entry, and the index would find the line twice). A sync
-- rewrites a line's text with every change of its posting: only a real change re-indexes it.
CREATE TRIGGER lines_text_update AFTER UPDATE OF sku, offer_id, name, state, decided_by_rule ON lines
WHEN old.sku IS NOT new.sku OR old.offer_id IS NOT new.offer_id OR old.name IS NOT new.name
  OR old.text_slot IS NOT new.text_slot BEGIN
    DELETE FROM lines_text WHERE rowid = (old.text_slot << 40) + old.id;
    INSERT INTO lines_text (rowid, number, article, name)
    VALUES ((new.text_slot << 40) + new.id, (SELECT number FROM orders WHERE id = new.order_id),
            new.offer_id || ' ' || new.sku, new.name);
END;
CREATE TRIGGER lines_text_delete AFTER DELETE ON lines BEGIN
    DELETE FROM lines_text WHERE rowid = (old.text_slot << 40) + old.id;
END;
CREATE TRIGGER lines_text_number AFTER UPDATE OF number ON orders WHEN old.number IS NOT new.number BEGIN
    DELETE FROM lines_text WHERE rowid IN (SELECT (text_slot << 40) + id FROM lines WHERE order_id = new.id);
    INSERT INTO lines_text (rowid, number, article, name)
    SELECT (l.text_slot << 40) + l.id, new.number, l.offer_id || ' ' || l.sku, l.name
    FROM lines l WHERE l.order_id = new.id;
END;
