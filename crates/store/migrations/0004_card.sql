-- Card payments: cvgate's card transactions and their after-sale operations, and the card
-- sandbox's own ledger (prefix sandbox_card_). Full card numbers and security codes are never
-- stored anywhere: only the masked number (first 6 + X… + last 4), the card type, the expiry MMYY
-- and the acquirer's opaque token. Amounts in minor units, timestamps in milliseconds (UTC).

-- A card payment as cvgate knows it. Written (PENDING) before the acquirer is called, updated
-- from its answer. Transactions of one web payment session share an attempt_group (the token),
-- numbered 1 to 3: the unique pair makes a fourth attempt impossible, even under races.
CREATE TABLE card_transactions (
    id                    TEXT PRIMARY KEY,
    merchant_id           TEXT NOT NULL REFERENCES merchants (id),
    contract_number       TEXT NOT NULL,
    order_ref             TEXT NOT NULL,
    amount                BIGINT NOT NULL CHECK (amount > 0),
    currency              BIGINT NOT NULL,
    action                BIGINT NOT NULL CHECK (action IN (100, 101)),
    attempt_group         TEXT,
    attempt_number        BIGINT CHECK (attempt_number IS NULL OR attempt_number BETWEEN 1 AND 3),
    state                 TEXT NOT NULL CHECK (state IN ('PENDING', 'CHALLENGE', 'ACCEPTED', 'REFUSED')),
    return_code           TEXT,
    masked_number         TEXT NOT NULL,
    card_type             TEXT NOT NULL,
    expiry                TEXT NOT NULL,
    card_token            TEXT,
    authorization_number  TEXT,
    three_ds              TEXT CHECK (three_ds IS NULL OR three_ds IN ('FRICTIONLESS', 'CHALLENGE')),
    challenge_ref         TEXT UNIQUE,
    challenge_url         TEXT,
    authorized_amount     BIGINT NOT NULL DEFAULT 0 CHECK (authorized_amount >= 0),
    captured_amount       BIGINT NOT NULL DEFAULT 0 CHECK (captured_amount >= 0 AND captured_amount <= authorized_amount),
    reset_amount          BIGINT NOT NULL DEFAULT 0 CHECK (reset_amount >= 0 AND reset_amount <= authorized_amount),
    remitted_amount       BIGINT NOT NULL DEFAULT 0 CHECK (remitted_amount >= 0 AND remitted_amount <= captured_amount),
    refunded_amount       BIGINT NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= remitted_amount),
    authorized_at         BIGINT,
    remitted_at           BIGINT,
    -- Grows with every update: writers update only the version they read.
    version               BIGINT NOT NULL DEFAULT 0,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL,
    FOREIGN KEY (merchant_id, contract_number) REFERENCES contracts (merchant_id, number),
    UNIQUE (attempt_group, attempt_number),
    CHECK ((attempt_group IS NULL) = (attempt_number IS NULL))
);
-- The remittance batch reads the captured transactions not remitted yet.
CREATE INDEX card_transactions_to_remit ON card_transactions (created_at)
    WHERE remitted_at IS NULL AND captured_amount > 0;

-- Captures, resets and refunds of a card transaction, each with its own Payline-style id.
-- Written (PENDING) before the acquirer is called; the id is the acquirer's idempotency key.
-- `position` numbers them per transaction: the history's order, and one writer at a time.
CREATE TABLE card_operations (
    id              TEXT PRIMARY KEY,
    transaction_id  TEXT NOT NULL REFERENCES card_transactions (id),
    position        BIGINT NOT NULL CHECK (position > 0),
    kind            TEXT NOT NULL CHECK (kind IN ('CAPTURE', 'RESET', 'REFUND')),
    amount          BIGINT NOT NULL CHECK (amount > 0),
    state           TEXT NOT NULL CHECK (state IN ('PENDING', 'DONE', 'FAILED')),
    return_code     TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (transaction_id, position)
);

-- The card sandbox's ledger (crate card): one row per authorization request, keyed by cvgate's
-- transaction id, so that a repeated request finds the first result instead of authorizing twice.
CREATE TABLE sandbox_card_transactions (
    reference             TEXT PRIMARY KEY,
    amount                BIGINT NOT NULL CHECK (amount > 0),
    currency              BIGINT NOT NULL,
    action                BIGINT NOT NULL CHECK (action IN (100, 101)),
    state                 TEXT NOT NULL CHECK (state IN ('CHALLENGE_PENDING', 'DECLINED', 'AUTHORIZED', 'CAPTURED', 'CANCELLED', 'REMITTED', 'REFUNDED')),
    decline               TEXT,
    masked_number         TEXT NOT NULL,
    expiry                TEXT NOT NULL,
    card_token            TEXT,
    authorization_number  TEXT,
    three_ds              TEXT,
    challenge_ref         TEXT UNIQUE,
    three_ds_return_url   TEXT,
    authorized_amount     BIGINT NOT NULL DEFAULT 0 CHECK (authorized_amount >= 0),
    captured_amount       BIGINT NOT NULL DEFAULT 0 CHECK (captured_amount >= 0 AND captured_amount <= authorized_amount),
    reset_amount          BIGINT NOT NULL DEFAULT 0 CHECK (reset_amount >= 0 AND reset_amount <= authorized_amount),
    remitted_amount       BIGINT NOT NULL DEFAULT 0 CHECK (remitted_amount >= 0 AND remitted_amount <= captured_amount),
    refunded_amount       BIGINT NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= remitted_amount),
    authorized_at         BIGINT,
    remitted_at           BIGINT,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL,
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
