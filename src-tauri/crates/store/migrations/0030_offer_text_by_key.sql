-- The offers' search index holds each article in its comparable form only (`article_key`): the
-- article as written was a second copy of nearly the same trigrams, a sixth of the index and about
-- a tenth of a price-list import's time. A typed word with a digit is looked for in both forms
-- (`Store::search_offers`), so "W-77" still finds W-77 and "ос90" now finds OC-90 too.
INSERT INTO offers_text (offers_text) VALUES ('delete-all');
INSERT INTO offers_text (rowid, text) SELECT id, brand || ' ' || article_key || ' ' || name FROM offers;
