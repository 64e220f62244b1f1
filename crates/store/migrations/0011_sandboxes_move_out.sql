-- The homologation sandboxes are guests, not tenants: they own their tables and migrations
-- (crates ancv-sandbox and card-sandbox), applied only when they run. cvgate's own schema keeps
-- none of theirs: a production database holds no sandbox table. (Their test data is re-created
-- when a sandbox starts.)

DROP TABLE IF EXISTS sandbox_ancv_deliveries;
DROP TABLE IF EXISTS sandbox_ancv_transaction_events;
DROP TABLE IF EXISTS sandbox_ancv_transactions;
DROP TABLE IF EXISTS sandbox_ancv_beneficiaries;
DROP TABLE IF EXISTS sandbox_ancv_shops;
DROP TABLE IF EXISTS sandbox_card_operations;
DROP TABLE IF EXISTS sandbox_card_transactions;
DROP TABLE IF EXISTS sandbox_faults;
