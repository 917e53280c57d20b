-- search: sources, registered photos, findings, scan jobs, provider records
-- Everything a scan learns is written as it is learned, each step in one transaction with the
-- record that the step is done (scan_job_items), so a crash loses at most the step under way and
-- a resumed job never repeats a finished one.
-- Sites and folders the owner asked to watch.
CREATE TABLE sources (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('site', 'folder')),
    location    TEXT NOT NULL,
    max_depth   INTEGER,
    max_pages   INTEGER,
    interval_ms INTEGER,
    added_at    TEXT NOT NULL,
    UNIQUE (kind, location)
);
-- Photos of the owner given to `scan --image`, after the gate: the query for copy finders,
-- and PDQ copies of them are findings.
CREATE TABLE registered_photos (
    id               INTEGER PRIMARY KEY,
    blob_id          TEXT NOT NULL REFERENCES blobs(id),
    sha256           TEXT NOT NULL UNIQUE,
    pdq              TEXT,
    attested_no_face INTEGER NOT NULL,
    gate_audit_seq   INTEGER NOT NULL,
    added_at         TEXT NOT NULL
);
CREATE TABLE findings (
    id                INTEGER PRIMARY KEY,
    url_key           TEXT NOT NULL UNIQUE,
    image_url         TEXT NOT NULL,
    page_url          TEXT,
    site              TEXT NOT NULL,
    verdict           TEXT NOT NULL,
    unverified_reason TEXT,
    distance          REAL,
    pdq_distance      INTEGER,
    sha256            TEXT NOT NULL,
    pdq               TEXT,
    cluster_id        INTEGER,
    face_descriptor   BLOB,
    thumbnail_blob    TEXT REFERENCES blobs(id),
    status            TEXT NOT NULL DEFAULT 'new'
                      CHECK (status IN ('new', 'confirmed', 'dismissed', 'removed')),
    first_seen        TEXT NOT NULL,
    last_seen         TEXT NOT NULL,
    first_job         INTEGER,
    reviewed_at       TEXT
);
CREATE INDEX findings_by_site ON findings (site, id);
CREATE TABLE finding_providers (
    finding_id INTEGER NOT NULL REFERENCES findings(id),
    provider   TEXT NOT NULL,
    score      REAL,
    PRIMARY KEY (finding_id, provider)
) WITHOUT ROWID;
-- Faces the owner dismissed as not theirs: lookalikes suppressed from then on.
CREATE TABLE not_me_faces (
    id         INTEGER PRIMARY KEY,
    finding_id INTEGER REFERENCES findings(id),
    descriptor BLOB NOT NULL,
    added_at   TEXT NOT NULL
);
CREATE TABLE scan_jobs (
    id             INTEGER PRIMARY KEY,
    plan           TEXT NOT NULL,
    status         TEXT NOT NULL
                   CHECK (status IN ('running', 'finished', 'cancelled', 'failed')),
    started_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    finished_at    TEXT,
    pages_crawled  INTEGER NOT NULL DEFAULT 0,
    images_checked INTEGER NOT NULL DEFAULT 0,
    hits           INTEGER NOT NULL DEFAULT 0,
    error          TEXT
);
-- Steps of a job already done: an image checked, a folder file, a provider queried.
CREATE TABLE scan_job_items (
    job_id INTEGER NOT NULL REFERENCES scan_jobs(id),
    item   TEXT NOT NULL,
    PRIMARY KEY (job_id, item)
) WITHOUT ROWID;
-- A provider's hits, kept as soon as the provider answers, so a resumed job re-checks them
-- without paying for the search again.
CREATE TABLE scan_candidates (
    id          INTEGER PRIMARY KEY,
    job_id      INTEGER NOT NULL REFERENCES scan_jobs(id),
    provider    TEXT NOT NULL,
    match_kind  TEXT NOT NULL,
    image_url   TEXT,
    page_url    TEXT,
    score       REAL,
    thumbnail   TEXT,
    checked     INTEGER NOT NULL DEFAULT 0
);
-- The provider's answer as received, encrypted, for the record.
CREATE TABLE provider_responses (
    id       INTEGER PRIMARY KEY,
    job_id   INTEGER NOT NULL REFERENCES scan_jobs(id),
    provider TEXT NOT NULL,
    blob_id  TEXT NOT NULL REFERENCES blobs(id),
    hits     INTEGER NOT NULL,
    at       TEXT NOT NULL
);
CREATE TABLE provider_credits (
    provider   TEXT PRIMARY KEY,
    remaining  INTEGER NOT NULL,
    unit       TEXT NOT NULL,
    checked_at TEXT NOT NULL
);
