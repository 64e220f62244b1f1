-- The secrets a point of sale's merchant notifications are signed with (a cvgate extension,
-- off unless the merchant asks). The current secret has no end; after a rotation the previous
-- one stays valid until `valid_until`, so that the merchant can switch without refusing a call.
CREATE TABLE notification_secrets (
    id           {{identity}},
    pos_id       BIGINT NOT NULL REFERENCES points_of_sale (id),
    secret       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    valid_until  BIGINT
);
CREATE INDEX notification_secrets_by_pos ON notification_secrets (pos_id, id);
