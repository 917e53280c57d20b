-- enrollment: consent records and reference faces
CREATE TABLE consents (
    id            INTEGER PRIMARY KEY,
    attested_by   TEXT NOT NULL CHECK (attested_by IN ('owner', 'advocate')),
    advocate_name TEXT,
    method        TEXT NOT NULL,
    statement     TEXT NOT NULL,
    at            TEXT NOT NULL
);
CREATE TABLE enrolled_faces (
    id          INTEGER PRIMARY KEY,
    consent_id  INTEGER NOT NULL REFERENCES consents(id),
    blob_id     TEXT NOT NULL REFERENCES blobs(id),
    image_sha256 TEXT NOT NULL,
    descriptor  BLOB NOT NULL,
    box_x       REAL NOT NULL,
    box_y       REAL NOT NULL,
    box_width   REAL NOT NULL,
    box_height  REAL NOT NULL,
    score       REAL NOT NULL,
    sharpness   REAL NOT NULL,
    age         REAL NOT NULL,
    added_at    TEXT NOT NULL
);
