-- Job leases, failures and dead letters.
--
-- A worker recognises its own lease by `lease_token` (unique per lease) instead of by the value
-- of `locked_until`, which it now renews while the job runs. `failures` counts consecutive
-- failures (0 again after a success); after too many the job gets `dead_at` and is never leased
-- again, kept for operators until retried or asked for again. SQLite adds one column per statement.
ALTER TABLE jobs ADD COLUMN lease_token TEXT;
ALTER TABLE jobs ADD COLUMN failures BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN dead_at BIGINT;
