-- Claims become leases: a row in flight belongs to one process (its owner id) until its lease
-- expires; another process may take it over only then (and checks the marketplace first).
ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
ALTER TABLE outbox ADD COLUMN lease_until TEXT;

-- Rows a version without leases left in flight: that process is gone, so their lease has expired.
UPDATE outbox SET lease_until = '1970-01-01T00:00:00.000000Z' WHERE state = 'in_flight';

-- Until when a marketplace asked this account to wait (its Retry-After, capped), for the health
-- line "waiting until HH:MM (server asked)".
ALTER TABLE accounts ADD COLUMN server_wait_until TEXT;
