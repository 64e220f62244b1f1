-- After-sale: one registry of transaction ids (every kind), ANCV refunds as transactions of
-- their own, and the first answer of operations called with a sequenceNumber.

-- Every transaction id cvgate hands out, whatever made it: unique across kinds, and tells
-- doRefund/getTransactionDetails where to look.
CREATE TABLE transaction_ids (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('ANCV_PAYMENT', 'ANCV_REFUND', 'CARD_PAYMENT', 'CARD_OPERATION')),
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    created_at   BIGINT NOT NULL
);

-- The cancellation of an ANCV payment asked for by doRefund or doReset. At most one that did
-- not fail per payment: ANCV refunds are full, once.
CREATE TABLE ancv_refunds (
    id            TEXT PRIMARY KEY REFERENCES transaction_ids (id),
    payment_id    TEXT NOT NULL REFERENCES ancv_payments (payment_id),
    operation     TEXT NOT NULL CHECK (operation IN ('REFUND', 'RESET')),
    amount        BIGINT NOT NULL CHECK (amount > 0),
    state         TEXT NOT NULL CHECK (state IN ('PENDING', 'DONE', 'FAILED')),
    return_code   TEXT,
    partner_code  TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX ancv_refunds_once ON ancv_refunds (payment_id) WHERE state <> 'FAILED';

-- doCapture/doRefund/doReset with a sequenceNumber: the first call's answer, replayed to every
-- repeat. `response` is NULL while the first call is still running.
CREATE TABLE operation_replays (
    merchant_id      TEXT NOT NULL REFERENCES merchants (id),
    operation        TEXT NOT NULL,
    transaction_id   TEXT NOT NULL,
    sequence_number  TEXT NOT NULL,
    response         TEXT,
    created_at       BIGINT NOT NULL,
    completed_at     BIGINT,
    PRIMARY KEY (merchant_id, operation, transaction_id, sequence_number)
);
