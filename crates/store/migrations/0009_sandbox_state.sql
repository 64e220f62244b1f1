-- Sandbox state shared by every cvgate instance on one database (several `cvgate serve` behind a
-- load balancer): whichever instance serves a step finds what it needs here, never in the memory
-- of the instance that served the step before. (0007 and 0008 are reserved for other work.)

-- The card sandbox decides, when it asks for a 3-D Secure challenge, what passing the challenge
-- will lead to (`ACCEPT`, or the card's decline: `DO_NOT_HONOUR`, …), and keeps only that: the
-- card number and security code are dropped at once, and any instance can answer the ACS page.
-- NULL for rows that never had a challenge (and for challenges pending before this migration).
ALTER TABLE sandbox_card_transactions ADD COLUMN authenticated_decision TEXT;

-- The fault switches of each sandbox (`card`, `ancv`), as the JSON its admin API shows. Read on
-- every use, so a fault set through one instance applies to calls served by the others. No row:
-- no fault.
CREATE TABLE sandbox_faults (
    sandbox     TEXT PRIMARY KEY,
    settings    TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- The ANCV sandbox's admin lists a beneficiary's transactions.
CREATE INDEX sandbox_ancv_transactions_by_beneficiary ON sandbox_ancv_transactions (beneficiary_id, created_at);
