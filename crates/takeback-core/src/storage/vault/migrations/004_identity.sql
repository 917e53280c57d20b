-- letters: the identity letters are signed with
CREATE TABLE IF NOT EXISTS identity (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    postal TEXT,
    phone TEXT,
    country TEXT,
    rep_name TEXT,
    rep_email TEXT,
    rep_organisation TEXT,
    rep_postal TEXT,
    rep_phone TEXT
);
