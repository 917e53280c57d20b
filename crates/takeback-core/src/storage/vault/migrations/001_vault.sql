-- vault: identity and blob index
-- One row: which profile this database belongs to, so a swapped file is noticed.
CREATE TABLE vault_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- Every encrypted file in blobs/. A file without a row is an orphan from an
-- interrupted write and is swept on open.
CREATE TABLE blobs (
    id         TEXT PRIMARY KEY,
    size       INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
