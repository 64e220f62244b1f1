-- The JSON API's Idempotency-Key shares the sequenceNumber store: a key used again with another
-- request body is refused (422), so the digest of the first request is kept with its answer.
-- SOAP calls record none (Payline replays a sequenceNumber whatever the request says).
ALTER TABLE operation_replays ADD COLUMN request_digest TEXT;
