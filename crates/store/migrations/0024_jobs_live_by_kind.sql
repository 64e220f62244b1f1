-- The worker looks for the next job of each kind it has room for. Walking every job in time
-- order and skipping the other kinds' cost a scan of 100,000 rows per lease once that many
-- merchant notifications were waiting (a merchant's server down): each kind now has its own
-- range of live jobs in time order.
CREATE INDEX jobs_live_by_kind ON jobs (kind, run_at, id) WHERE dead_at IS NULL;
