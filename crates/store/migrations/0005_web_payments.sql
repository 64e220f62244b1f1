-- Web payment sessions (doWebPayment → hosted page → getWebPaymentDetails).

CREATE TABLE web_payments (
    token                  TEXT PRIMARY KEY,
    merchant_id            TEXT NOT NULL REFERENCES merchants (id),
    pos_id                 BIGINT NOT NULL REFERENCES points_of_sale (id),
    payment_contract       TEXT NOT NULL,
    -- Contract numbers, comma-separated (their alphabet has no comma), in the order offered.
    offered                TEXT NOT NULL,
    offered_after_failure  TEXT NOT NULL,
    amount                 BIGINT NOT NULL CHECK (amount > 0),
    currency               BIGINT NOT NULL,
    action                 TEXT NOT NULL CHECK (action IN ('100', '101')),
    order_ref              TEXT NOT NULL,
    order_amount           BIGINT NOT NULL,
    order_date             TEXT NOT NULL,
    return_url             TEXT NOT NULL,
    cancel_url             TEXT NOT NULL,
    notification_url       TEXT,
    language               TEXT NOT NULL,
    buyer_title            TEXT,
    buyer_last_name        TEXT,
    buyer_first_name       TEXT,
    buyer_email            TEXT,
    buyer_mobile_phone     TEXT,
    buyer_customer_id      TEXT,
    soft_descriptor        TEXT,
    merchant_name          TEXT,
    -- Proves that a form post comes from this session's page (compared in constant time).
    page_secret            TEXT NOT NULL,
    -- The session's progress.
    state                  TEXT NOT NULL,
    attempts               BIGINT NOT NULL DEFAULT 0,
    ancv_payment_id        TEXT REFERENCES ancv_payments (payment_id),
    ancv_validated         BIGINT,
    card_transaction_id    TEXT,
    last_code              TEXT,
    expires_at             BIGINT NOT NULL,
    opened_at              BIGINT,
    finalized_at           BIGINT,
    -- When getWebPaymentDetails first returned the final result (stops the notifications).
    merchant_read_at       BIGINT,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL,
    -- Grows with every change: writers update only the version they read.
    version                BIGINT NOT NULL DEFAULT 0,
    FOREIGN KEY (merchant_id, payment_contract) REFERENCES contracts (merchant_id, number)
);
CREATE INDEX web_payments_by_ancv_payment ON web_payments (ancv_payment_id);

CREATE TABLE web_payment_private_data (
    token     TEXT NOT NULL REFERENCES web_payments (token),
    position  BIGINT NOT NULL,
    data_key  TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (token, position)
);
