-- An account's id is never given to another account. Keychain entries are named by the account's
-- id, and SQLite gives a deleted highest row's id again: delete an account, add another, restore a
-- backup, and the restored account read the newer one's key (and sent it to its own address). The
-- last id given is kept here, by the trigger whatever inserts the row.
CREATE TABLE account_ids (last INTEGER NOT NULL);
INSERT INTO account_ids (last) SELECT COALESCE(MAX(id), 0) FROM accounts;
CREATE TRIGGER account_ids_last AFTER INSERT ON accounts BEGIN
    UPDATE account_ids SET last = MAX(last, new.id);
END;
