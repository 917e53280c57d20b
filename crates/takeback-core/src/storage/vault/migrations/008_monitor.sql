-- monitor: revisit intervals, the runner's cycles, the events inbox
-- How often the monitor revisits a source, in seconds (NULL: the default, one day).
ALTER TABLE sources ADD COLUMN every_secs INTEGER;
-- A new finding that is a confirmed or removed picture seen again at a new address.
ALTER TABLE findings ADD COLUMN reappeared_from INTEGER REFERENCES findings(id);
-- What the monitor knows of each source between cycles.
CREATE TABLE monitor_sources (
    source_id            INTEGER PRIMARY KEY,
    last_visit_at        TEXT,
    failures             INTEGER NOT NULL DEFAULT 0,
    reported_unreachable INTEGER NOT NULL DEFAULT 0
);
-- One row per monitoring cycle. A cycle left `running` by a crash is finished by the next run:
-- its scan job is resumed and every step it records is idempotent.
CREATE TABLE monitor_cycles (
    id                  INTEGER PRIMARY KEY,
    started_at          TEXT NOT NULL,
    finished_at         TEXT,
    forced              INTEGER NOT NULL,
    allow_local_network INTEGER NOT NULL,
    scan_job_id         INTEGER REFERENCES scan_jobs(id),
    scan_processed      INTEGER NOT NULL DEFAULT 0,
    status              TEXT NOT NULL CHECK (status IN ('running', 'finished', 'cancelled'))
);
-- What monitoring found. `dedupe_key` makes recording an event idempotent, so a cycle repeated
-- after a crash records nothing twice.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('new_finding', 'reappeared', 'removed', 'changed',
                   'still_up_after_deadline', 'source_unreachable', 'budget_reached')),
    finding_id INTEGER,
    case_id    INTEGER,
    source_id  INTEGER,
    text       TEXT NOT NULL,
    read       INTEGER NOT NULL DEFAULT 0,
    dedupe_key TEXT NOT NULL UNIQUE,
    cycle_id   INTEGER
);
CREATE INDEX events_by_finding ON events (finding_id, id);
-- Small counters of the monitor (the re-check log rows already turned into events).
CREATE TABLE monitor_state (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
-- Standing consents: the owner lets the monitor re-query one provider with one photo, at most
-- every `every_secs` and `max_per_month` times a calendar month (UTC). Revoked ones are kept
-- for the record.
CREATE TABLE standing_consents (
    id            INTEGER PRIMARY KEY,
    provider      TEXT NOT NULL,
    photo_id      INTEGER NOT NULL REFERENCES registered_photos(id),
    sha256        TEXT NOT NULL,
    -- The origin the owner agreed to send to (see search/scan/consent.rs).
    destination   TEXT NOT NULL DEFAULT '',
    every_secs    INTEGER NOT NULL,
    max_per_month INTEGER NOT NULL,
    granted_at    TEXT NOT NULL,
    revoked_at    TEXT
);
CREATE UNIQUE INDEX standing_consents_active ON standing_consents (provider) WHERE revoked_at IS NULL;
-- Every query the monitor sent (or was about to send: the row is written first, so a crash
-- can only over-count, never exceed the cap).
CREATE TABLE monitor_provider_queries (
    id         INTEGER PRIMARY KEY,
    provider   TEXT NOT NULL,
    at         TEXT NOT NULL,
    cycle_id   INTEGER NOT NULL REFERENCES monitor_cycles(id),
    job_id     INTEGER REFERENCES scan_jobs(id),
    processed  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX monitor_provider_queries_by_provider ON monitor_provider_queries (provider, at);
-- What a site looked like at the last visit (search/crawl/memory.rs), per source: validators
-- and links of pages, validators and SHA-256 of images, so a repeat visit asks conditionally and
-- does not check an unchanged image again. `reference` names what images were checked against;
-- image entries are ignored once it changes.
CREATE TABLE crawl_memory (
    source_id INTEGER NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('page', 'image')),
    address   TEXT NOT NULL,
    memo      TEXT NOT NULL,
    reference TEXT NOT NULL,
    PRIMARY KEY (source_id, kind, address)
) WITHOUT ROWID;
