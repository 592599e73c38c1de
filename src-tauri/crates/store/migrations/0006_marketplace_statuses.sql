-- Status codes a marketplace lists for an account (ZZAP's GetCodesTrack), as last loaded.
CREATE TABLE marketplace_statuses (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    position   INTEGER NOT NULL,
    loaded_at  TEXT NOT NULL,
    PRIMARY KEY (account_id, code)
);
