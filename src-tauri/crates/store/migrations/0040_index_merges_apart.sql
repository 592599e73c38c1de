-- The search indexes written a line at a time no longer merge their segments inside the writer's
-- commit (a random single accept paid 5-20 ms for it at a million lines): the store merges them in
-- short steps of their own once the writers pause (`index_merges.rs`). FTS5 keeps the setting in the index:
-- a migration that recreates either table must set it again.
INSERT INTO lines_text (lines_text, rank) VALUES ('automerge', 0);
INSERT INTO shop_orders_text (shop_orders_text, rank) VALUES ('automerge', 0);
