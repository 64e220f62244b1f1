-- The ANCV Connect homologation sandbox's own tables (crate ancv-sandbox): ANCV's side of the
-- protocol, applied only when the sandbox runs: a production database never holds them. Amounts
-- in cents, timestamps in milliseconds since the Unix epoch (UTC).

-- The merchants' Shop IDs ANCV knows.
CREATE TABLE sandbox_ancv_shops (
    shop_id     TEXT PRIMARY KEY,
    created_at  BIGINT NOT NULL
);

-- Voucher holders. The secret code is kept only as a hash; the balance is what can still be spent.
CREATE TABLE sandbox_ancv_beneficiaries (
    beneficiary_id    TEXT PRIMARY KEY,
    email             TEXT NOT NULL UNIQUE,
    balance           BIGINT NOT NULL CHECK (balance >= 0),
    secret_code_hash  TEXT NOT NULL,
    behaviour         TEXT NOT NULL CHECK (behaviour IN ('manual', 'auto_full', 'auto_partial', 'auto_decline', 'auto_expire', 'blocked')),
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);

-- Payment transactions as ANCV holds them. (shop_id, payment_id) is the idempotency key of create.
CREATE TABLE sandbox_ancv_transactions (
    id                    TEXT PRIMARY KEY,
    shop_id               TEXT NOT NULL REFERENCES sandbox_ancv_shops (shop_id),
    service_provider_id   TEXT NOT NULL,
    order_id              TEXT NOT NULL,
    payment_id            TEXT NOT NULL,
    label                 TEXT,
    amount                BIGINT NOT NULL CHECK (amount > 0),
    currency              BIGINT NOT NULL,
    tspd_mode             TEXT NOT NULL,
    capture_mode          TEXT NOT NULL CHECK (capture_mode IN ('NORMAL', 'DEFERRED')),
    capture_date          TEXT,
    capture_at            BIGINT,
    return_url            TEXT NOT NULL,
    cancel_url            TEXT NOT NULL,
    state                 TEXT NOT NULL CHECK (state IN ('INITIALIZED', 'PROCESSING', 'AUTHORIZED', 'VALIDATED', 'CONSIGNED', 'PAID', 'ABORTED', 'EXPIRED', 'REJECTED', 'CANCELLED')),
    -- The payer as the merchant named it (ANCV id or e-mail), and the account it resolved to.
    payer_ref             TEXT,
    beneficiary_id        TEXT REFERENCES sandbox_ancv_beneficiaries (beneficiary_id),
    payer_amount          BIGINT,
    validated_amount      BIGINT CHECK (validated_amount IS NULL OR (validated_amount > 0 AND validated_amount <= amount)),
    authorization_number  TEXT,
    validated_at          BIGINT,
    cancel_reason         TEXT,
    expires_at            BIGINT NOT NULL,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL,
    UNIQUE (shop_id, payment_id),
    CHECK ((state = 'INITIALIZED') OR (state = 'EXPIRED') OR (beneficiary_id IS NOT NULL))
);
-- One request waiting in a beneficiary's app at a time (OTHER_TRANSACTION_PENDING), even under races.
CREATE UNIQUE INDEX sandbox_ancv_one_processing_per_beneficiary
    ON sandbox_ancv_transactions (beneficiary_id) WHERE state = 'PROCESSING';
CREATE INDEX sandbox_ancv_transactions_by_state ON sandbox_ancv_transactions (state);

-- Every state a transaction went through, once each (settlement records CONSIGNED and PAID).
CREATE TABLE sandbox_ancv_transaction_events (
    id              {{identity}},
    transaction_id  TEXT NOT NULL REFERENCES sandbox_ancv_transactions (id),
    state           TEXT NOT NULL,
    at              BIGINT NOT NULL,
    UNIQUE (transaction_id, state)
);

-- Notifications to the merchant's returnUrl / cancelUrl: one per state change, body frozen at the
-- change, retried by a job until a 2xx. The fault switches in force at the change are kept with it.
CREATE TABLE sandbox_ancv_deliveries (
    id               {{identity}},
    transaction_id   TEXT NOT NULL REFERENCES sandbox_ancv_transactions (id),
    state            TEXT NOT NULL,
    url              TEXT NOT NULL,
    body             TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'abandoned', 'dropped')),
    duplicate        BIGINT NOT NULL CHECK (duplicate IN (0, 1)),
    attempts         BIGINT NOT NULL DEFAULT 0,
    last_error       TEXT,
    next_attempt_at  BIGINT,
    created_at       BIGINT NOT NULL,
    finished_at      BIGINT,
    UNIQUE (transaction_id, state)
);

-- The admin lists a beneficiary's transactions.
CREATE INDEX sandbox_ancv_transactions_by_beneficiary ON sandbox_ancv_transactions (beneficiary_id, created_at);

-- The fault switches, as the JSON the admin API shows (one row; none: no fault). Read on every
-- API call and at each state change, so a fault set through one instance applies to calls
-- served by the others.
CREATE TABLE sandbox_ancv_faults (
    id          BIGINT PRIMARY KEY CHECK (id = 1),
    settings    TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);
