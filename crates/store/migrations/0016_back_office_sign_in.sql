-- Back-office sign-in: sessions (only a SHA-256 of the cookie's value is kept, so a database
-- leak does not hand out sessions) and failed attempts counted in a window per subject:
-- `account:<e-mail>` (known or not, so a lockout does not tell which addresses are users) and
-- `address:<ip>`.
CREATE TABLE back_office_sessions (
    token_hash    TEXT PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES back_office_users (id),
    csrf_secret   TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL
);
CREATE INDEX back_office_sessions_by_user ON back_office_sessions (user_id);

CREATE TABLE sign_in_failures (
    subject       TEXT PRIMARY KEY,
    window_start  BIGINT NOT NULL,
    failures      BIGINT NOT NULL
);
