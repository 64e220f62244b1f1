-- The worker asks after every job when the next lease runs out: an index walk, not a scan of
-- every pending job (thousands of sessions each keep an expiry job).
CREATE INDEX jobs_lease_ends ON jobs (locked_until);
