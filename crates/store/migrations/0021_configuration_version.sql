-- The version of the merchants' configuration (merchants, access keys, points of sale, contracts):
-- every change adds one in the same transaction, so that an instance caching the configuration
-- sees, with the version every API call reads anyway, that its copy is out of date.
CREATE TABLE configuration_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  BIGINT NOT NULL
);
INSERT INTO configuration_version (id, version) VALUES (1, 0);
