-- The card sandbox's own tables (crate card-sandbox), applied only when the sandbox runs: a
-- production database never holds them. Full card numbers and security codes are never stored:
-- only the masked number, the expiry MMYY and an opaque token. Amounts in minor units,
-- timestamps in milliseconds since the Unix epoch (UTC).

-- The ledger: one row per authorization request, keyed by cvgate's transaction id (its payment
-- id), so that a repeated request finds the first result instead of authorizing twice.
CREATE TABLE sandbox_card_transactions (
    reference               TEXT PRIMARY KEY,
    -- The merchant's order reference cvgate sends (NULL from a client that does not).
    order_ref               TEXT,
    amount                  BIGINT NOT NULL CHECK (amount > 0),
    currency                BIGINT NOT NULL,
    action                  BIGINT NOT NULL CHECK (action IN (100, 101)),
    state                   TEXT NOT NULL CHECK (state IN ('CHALLENGE_PENDING', 'DECLINED', 'AUTHORIZED', 'CAPTURED', 'CANCELLED', 'REMITTED', 'REFUNDED')),
    decline                 TEXT,
    masked_number           TEXT NOT NULL,
    expiry                  TEXT NOT NULL,
    card_token              TEXT,
    authorization_number    TEXT,
    three_ds                TEXT,
    challenge_ref           TEXT UNIQUE,
    three_ds_return_url     TEXT,
    -- For a 3-D Secure challenge: what passing it leads to (`ACCEPT`, or the card's decline),
    -- decided when the challenge is asked for, so that the card itself is never kept and any
    -- instance can answer the ACS page.
    authenticated_decision  TEXT,
    authorized_amount       BIGINT NOT NULL DEFAULT 0 CHECK (authorized_amount >= 0),
    captured_amount         BIGINT NOT NULL DEFAULT 0 CHECK (captured_amount >= 0 AND captured_amount <= authorized_amount),
    reset_amount            BIGINT NOT NULL DEFAULT 0 CHECK (reset_amount >= 0 AND reset_amount <= authorized_amount),
    remitted_amount         BIGINT NOT NULL DEFAULT 0 CHECK (remitted_amount >= 0 AND remitted_amount <= captured_amount),
    refunded_amount         BIGINT NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= remitted_amount),
    authorized_at           BIGINT,
    remitted_at             BIGINT,
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL,
    CHECK ((state = 'DECLINED') = (decline IS NOT NULL))
);
CREATE INDEX sandbox_card_transactions_by_state ON sandbox_card_transactions (state);

-- Captures, resets and refunds the sandbox received, keyed by cvgate's operation id: a repeat
-- gets the first outcome back.
CREATE TABLE sandbox_card_operations (
    reference              TEXT PRIMARY KEY,
    transaction_reference  TEXT NOT NULL REFERENCES sandbox_card_transactions (reference),
    kind                   TEXT NOT NULL CHECK (kind IN ('CAPTURE', 'RESET', 'REFUND')),
    requested_amount       BIGINT,
    amount                 BIGINT NOT NULL CHECK (amount >= 0),
    outcome                TEXT NOT NULL,
    created_at             BIGINT NOT NULL
);

-- The fault switches, as the JSON the admin API shows (one row; none: no fault). Read on every
-- request, so a fault set through one instance applies to calls served by the others.
CREATE TABLE sandbox_card_faults (
    id          BIGINT PRIMARY KEY CHECK (id = 1),
    settings    TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);
