-- One random id per database file. Keychain entries are named after it
-- (`<database id>/<account id>/<field>`), so a second database (a debug build, `--db`,
-- "start with a new database") never reads or overwrites another database's keys, while a
-- restored backup or a copied file keeps the id and so finds its own keys.
CREATE TABLE database_identity (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    id        TEXT NOT NULL
);
INSERT INTO database_identity (singleton, id) VALUES (1, lower(hex(randomblob(16))));
