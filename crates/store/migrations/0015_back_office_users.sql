-- Back-office users: a merchant's staff (admin, operator, viewer) and the platform's operators
-- (role platform, no merchant). The e-mail address is the sign-in name, unique across cvgate;
-- the password is kept only as an argon2id hash (PHC string).
CREATE TABLE back_office_users (
    id                    {{identity}},
    email                 TEXT NOT NULL UNIQUE,
    merchant_id           TEXT REFERENCES merchants (id),
    role                  TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer', 'platform')),
    status                TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    password_hash         TEXT NOT NULL,
    must_change_password  BIGINT NOT NULL,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL,
    CHECK ((role = 'platform' AND merchant_id IS NULL) OR (role <> 'platform' AND merchant_id IS NOT NULL))
);
CREATE INDEX back_office_users_by_merchant ON back_office_users (merchant_id);
