-- An offer's id is never given to another offer. Offers had the table's row ids, which SQLite gives
-- again once the highest rows are gone: a re-imported list took the ids of the offers it replaced,
-- and an accept chosen on the old list (an inbox shown before the import) bound whatever new offer
-- had the id, where it should have been told the offer is gone. The last id given is kept here.
CREATE TABLE offer_ids (last INTEGER NOT NULL);
INSERT INTO offer_ids (last) SELECT COALESCE(MAX(id), 0) FROM offers;
