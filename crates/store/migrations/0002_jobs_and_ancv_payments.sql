-- Background work as leased rows, and cvgate's view of its ANCV Connect transactions.

-- One row per pending piece of background work. A worker leases a due row (locked_until),
-- does the work, then deletes it or sets its next run. `generation` grows when the same work is
-- asked for again while leased, so the running worker knows to run it once more.
CREATE TABLE jobs (
    id            {{identity}},
    kind          TEXT NOT NULL,
    subject       TEXT NOT NULL,
    run_at        BIGINT NOT NULL,
    locked_until  BIGINT,
    generation    BIGINT NOT NULL DEFAULT 0,
    attempts      BIGINT NOT NULL DEFAULT 0,
    last_error    TEXT,
    created_at    BIGINT NOT NULL,
    UNIQUE (kind, subject)
);
CREATE INDEX jobs_due ON jobs (run_at);

-- An ANCV Connect transaction as cvgate knows it. The row is written before ANCV is called
-- (state REQUESTED, no ancv_id yet) and updated from ANCV's answers, notifications and polls.
CREATE TABLE ancv_payments (
    payment_id            TEXT PRIMARY KEY,
    merchant_id           TEXT NOT NULL REFERENCES merchants (id),
    contract_number       TEXT NOT NULL,
    shop_id               TEXT NOT NULL,
    order_ref             TEXT NOT NULL,
    label                 TEXT,
    amount                BIGINT NOT NULL CHECK (amount > 0),
    currency              BIGINT NOT NULL,
    beneficiary_id        TEXT NOT NULL,
    ancv_id               TEXT UNIQUE,
    state                 TEXT NOT NULL,
    validated_amount      BIGINT CHECK (validated_amount IS NULL OR (validated_amount > 0 AND validated_amount <= amount)),
    authorization_number  TEXT,
    holder                TEXT,
    partner_code          TEXT,
    expires_at            BIGINT,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL,
    FOREIGN KEY (merchant_id, contract_number) REFERENCES contracts (merchant_id, number)
);

-- Every state an ANCV payment went through, once each, with what told cvgate.
CREATE TABLE ancv_payment_events (
    id          {{identity}},
    payment_id  TEXT NOT NULL REFERENCES ancv_payments (payment_id),
    state       TEXT NOT NULL,
    source      TEXT NOT NULL,
    at          BIGINT NOT NULL,
    UNIQUE (payment_id, state)
);
