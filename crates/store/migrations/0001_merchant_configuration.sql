-- Merchant configuration: merchants, points of sale, contracts.
-- Shared by SQLite and PostgreSQL: BIGINT is an integer in both; {{identity}} is the backend's
-- auto-generated integer primary key. Timestamps are milliseconds since the Unix epoch (UTC).

CREATE TABLE server_secrets (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE merchants (
    id                     TEXT PRIMARY KEY,
    name                   TEXT NOT NULL,
    status                 TEXT NOT NULL CHECK (status IN ('active', 'inactive')),
    access_key_hash        TEXT NOT NULL,
    access_key_rotated_at  BIGINT NOT NULL,
    created_at             BIGINT NOT NULL
);

CREATE TABLE points_of_sale (
    id               {{identity}},
    merchant_id      TEXT NOT NULL REFERENCES merchants (id),
    label            TEXT NOT NULL,
    session_minutes  BIGINT NOT NULL CHECK (session_minutes BETWEEN 10 AND 90),
    created_at       BIGINT NOT NULL
);
CREATE INDEX points_of_sale_by_merchant ON points_of_sale (merchant_id);

CREATE TABLE contracts (
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    number       TEXT NOT NULL,
    pos_id       BIGINT NOT NULL REFERENCES points_of_sale (id),
    card_code    TEXT NOT NULL CHECK (card_code IN ('ANCV_CONNECT', 'CB', 'VISA', 'MASTERCARD', 'AMEX')),
    label        TEXT NOT NULL,
    currency     BIGINT NOT NULL,
    description  TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('active', 'inactive')),
    shop_id      TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, number),
    CHECK ((card_code = 'ANCV_CONNECT') = (shop_id IS NOT NULL))
);

CREATE TABLE contract_complementaries (
    merchant_id           TEXT NOT NULL,
    contract_number       TEXT NOT NULL,
    position              BIGINT NOT NULL,
    complementary_number  TEXT NOT NULL,
    PRIMARY KEY (merchant_id, contract_number, position),
    UNIQUE (merchant_id, contract_number, complementary_number),
    FOREIGN KEY (merchant_id, contract_number) REFERENCES contracts (merchant_id, number),
    FOREIGN KEY (merchant_id, complementary_number) REFERENCES contracts (merchant_id, number)
);

-- Marks fixtures created once per database (the homologation demo merchant), so that
-- several instances starting together create them once.
CREATE TABLE demo_fixtures (
    name         TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    created_at   BIGINT NOT NULL
);
