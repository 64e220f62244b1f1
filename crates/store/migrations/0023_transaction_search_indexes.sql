-- transactionsSearch reads a merchant's transactions of a period, oldest first: with a year of
-- history, a scan of every payment and a sort took most of a second. Each kind now has an index
-- in the search's own order (merchant, creation time, id), so a page is an index range read.
-- Refunds and operations are few and filtered by their parent's merchant: their creation time
-- is enough.
CREATE INDEX ancv_payments_by_merchant_time ON ancv_payments (merchant_id, created_at, payment_id);
CREATE INDEX card_transactions_by_merchant_time ON card_transactions (merchant_id, created_at, id);
CREATE INDEX ancv_refunds_by_time ON ancv_refunds (created_at, id);
CREATE INDEX card_operations_by_time ON card_operations (created_at, id);
