-- Money integrity: what ties each partner call and each merchant repeat to the work that
-- finishes it.

-- The web payment session an ANCV payment was asked for. It stays known when the session moves
-- on to another payment, so that vouchers nobody wants any more can always be given back.
ALTER TABLE ancv_payments ADD COLUMN web_payment_token TEXT;
CREATE INDEX ancv_payments_by_session ON ancv_payments (web_payment_token);

-- The merchant request (merchant, operation, transaction, sequenceNumber) that made a capture,
-- reset, refund or ANCV refund: a repeat finds the operation instead of making another one.
ALTER TABLE card_operations ADD COLUMN request_key TEXT;
CREATE UNIQUE INDEX card_operations_by_request ON card_operations (request_key);
ALTER TABLE ancv_refunds ADD COLUMN request_key TEXT;
CREATE UNIQUE INDEX ancv_refunds_by_request ON ancv_refunds (request_key);

-- Who asked for a card operation: the merchant, or cvgate itself giving back a card payment
-- that no session counts on (a late acceptance after the session ended).
ALTER TABLE card_operations ADD COLUMN initiator TEXT NOT NULL DEFAULT 'MERCHANT';

-- A claim on a sequenceNumber lasts until claimed_until: a repeat after a crash takes it over
-- (NULL: claimed before leases existed, taken over at once).
ALTER TABLE operation_replays ADD COLUMN claimed_until BIGINT;
