-- A new order's follow-up (the rules, accepting what the marketplace's cabinet decided, the popup)
-- runs when the sync run that stored it ends. A run that never ends (Quit during a backfill, a
-- crash) left its committed orders without any of it for good; each new order waits here instead
-- until its follow-up is done, and a later run picks up those of runs that died.
CREATE TABLE order_arrivals (
    order_id   INTEGER PRIMARY KEY REFERENCES orders(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL,
    -- The sync run that stored it (not a reference: old runs are deleted); NULL when pushed.
    run_id     INTEGER,
    -- The engine instance that stored it.
    owner      TEXT    NOT NULL,
    arrived_at TEXT    NOT NULL,
    -- Its lines are accepted on arrival (decided in the marketplace's cabinet, or the account's option).
    accept     INTEGER NOT NULL,
    -- It is announced and the rules see it (it waits for a decision).
    announce   INTEGER NOT NULL
);
CREATE INDEX order_arrivals_account ON order_arrivals(account_id);

-- Which engine instance runs it, and until when it is known to be alive (renewed with each page).
ALTER TABLE sync_runs ADD COLUMN owner TEXT;
ALTER TABLE sync_runs ADD COLUMN alive_until TEXT;
