-- The back office's audit trail: who did what, when, from which address. Rows are only ever
-- added (the store has no statement that changes or deletes one).
CREATE TABLE audit_events (
    id           {{identity}},
    at           BIGINT NOT NULL,
    merchant_id  TEXT REFERENCES merchants (id),
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    subject      TEXT NOT NULL,
    detail       TEXT NOT NULL,
    address      TEXT NOT NULL
);
CREATE INDEX audit_events_by_merchant ON audit_events (merchant_id, id);
