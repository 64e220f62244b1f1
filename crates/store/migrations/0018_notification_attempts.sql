-- Each call to a merchant's notificationURL and what it answered (the back office shows them
-- on a payment's page). A failing notification adds one row per retry, at most one a minute
-- for its two-hour window. Rows are only ever added.
CREATE TABLE notification_attempts (
    id       {{identity}},
    subject  TEXT NOT NULL,
    kind     TEXT NOT NULL,
    at       BIGINT NOT NULL,
    url      TEXT NOT NULL,
    status   INTEGER,
    outcome  TEXT NOT NULL,
    detail   TEXT NOT NULL
);
CREATE INDEX notification_attempts_by_subject ON notification_attempts (subject, id);
