-- findings: evidence captured on confirm, re-check log, removal time
-- What was fetched when a finding was confirmed: one row per image or page, with the
-- bytes in an encrypted blob, or the reason the fetch failed.
CREATE TABLE evidence (
    id            INTEGER PRIMARY KEY,
    finding_id    INTEGER NOT NULL REFERENCES findings(id),
    kind          TEXT NOT NULL CHECK (kind IN ('image', 'page')),
    requested_url TEXT NOT NULL,
    final_url     TEXT,
    http_status   INTEGER,
    content_type  TEXT,
    blob_id       TEXT REFERENCES blobs(id),
    byte_len      INTEGER,
    sha256        TEXT,
    failure       TEXT,
    captured_at   TEXT NOT NULL
);
CREATE INDEX evidence_by_finding ON evidence (finding_id, id);
-- Every re-check of a confirmed finding.
CREATE TABLE recheck_log (
    id          INTEGER PRIMARY KEY,
    finding_id  INTEGER NOT NULL REFERENCES findings(id),
    checked_at  TEXT NOT NULL,
    http_status INTEGER,
    outcome     TEXT NOT NULL CHECK (outcome IN ('still_up', 'removed', 'unreachable')),
    reason      TEXT,
    sha256      TEXT
);
CREATE INDEX recheck_log_by_finding ON recheck_log (finding_id, id);
-- When a re-check found the image gone.
ALTER TABLE findings ADD COLUMN removed_at TEXT;
