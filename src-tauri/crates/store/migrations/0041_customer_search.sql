-- The Customers screen's search: a fragment of a customer's name, phone or e-mail, whatever the
-- case of its letters, as the inbox and All orders search theirs (trigram). The text is read from
-- `customers` itself (external content), not kept twice; unlike the contentless indexes of
-- migration 0039, this one also opens in an SQLite older than 3.43 (the `sqlite3` shell that
-- support and the end-to-end tests use to write customers).
CREATE VIRTUAL TABLE customers_text USING fts5(
    name, phone, email, tokenize = 'trigram', content = 'customers', content_rowid = 'id'
);
INSERT INTO customers_text (customers_text) VALUES ('rebuild');

CREATE TRIGGER customers_text_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customers_text (rowid, name, phone, email) VALUES (new.id, new.name, new.phone, new.email);
END;
-- An external-content entry is taken out with the text it was made from. Every order of a
-- returning buyer writes its customer's name, phone and e-mail again (`find_or_add_customer` fills
-- in what was missing): only a change of the searched text re-indexes it.
CREATE TRIGGER customers_text_update AFTER UPDATE OF name, phone, email ON customers
WHEN old.name IS NOT new.name OR old.phone IS NOT new.phone OR old.email IS NOT new.email BEGIN
    INSERT INTO customers_text (customers_text, rowid, name, phone, email)
    VALUES ('delete', old.id, old.name, old.phone, old.email);
    INSERT INTO customers_text (rowid, name, phone, email) VALUES (new.id, new.name, new.phone, new.email);
END;
CREATE TRIGGER customers_text_delete AFTER DELETE ON customers BEGIN
    INSERT INTO customers_text (customers_text, rowid, name, phone, email)
    VALUES ('delete', old.id, old.name, old.phone, old.email);
END;
-- Customers are written one at a time (an accept, an edit): merged beside the writers like the
-- other two indexes (migration 0040, `index_merges.rs`).
INSERT INTO customers_text (customers_text, rank) VALUES ('automerge', 0);
