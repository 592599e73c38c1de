-- Whether the account's current failing streak (since `failing_since`) was announced. Kept in the
-- file, not in one process's memory: the app started again, or the command line run by a cron job
-- beside it, announced the same streak once per process (every few minutes from cron). Cleared
-- with `failing_since` when a sync works again.
ALTER TABLE accounts ADD COLUMN failing_announced INTEGER NOT NULL DEFAULT 0;
