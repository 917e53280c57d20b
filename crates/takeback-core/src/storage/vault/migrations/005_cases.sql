-- cases: one per letter, with events and clock pauses
CREATE TABLE IF NOT EXISTS cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    regime TEXT NOT NULL,
    basis TEXT NOT NULL,
    rung TEXT NOT NULL,
    state TEXT NOT NULL,
    recipient_name TEXT NOT NULL,
    recipient_address TEXT,
    subject TEXT NOT NULL,
    letter_text TEXT NOT NULL,
    findings_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    received_at TEXT,
    extension_notified_at TEXT,
    closed_at TEXT
);
CREATE TABLE IF NOT EXISTS case_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    event TEXT NOT NULL,
    note TEXT
);
CREATE TABLE IF NOT EXISTS case_pauses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    paused_from TEXT NOT NULL,
    paused_to TEXT
);
