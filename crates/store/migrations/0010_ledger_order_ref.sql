-- The card sandbox's ledger shows, beside cvgate's transaction id (`reference`, cvgate's payment
-- id), the merchant's order reference that cvgate sends with the authorization, so that a tester
-- can tell which order a row belongs to. Written on insert only; NULL for rows made before this
-- migration or by a client that does not send it.
ALTER TABLE sandbox_card_transactions ADD COLUMN order_ref TEXT;
