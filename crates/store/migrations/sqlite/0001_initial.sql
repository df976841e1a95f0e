-- Tværs case-processing store, SQLite. Released migrations are never edited: add a new file.
-- Times are microseconds since the Unix epoch (*_us), dates ISO text (YYYY-MM-DD).

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    username        TEXT    NOT NULL UNIQUE,
    display_name    TEXT    NOT NULL,
    role            TEXT    NOT NULL,
    department      TEXT,
    password_hash   TEXT    NOT NULL,
    created_us      INTEGER NOT NULL,
    disabled_us     INTEGER
);

CREATE TABLE sessions (
    token_hash      BLOB    PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    created_us      INTEGER NOT NULL,
    expires_us      INTEGER NOT NULL,
    csrf_secret     BLOB    NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_us);

CREATE TABLE login_failures (
    id              INTEGER PRIMARY KEY,
    username        TEXT    NOT NULL,
    at_us           INTEGER NOT NULL
);
CREATE INDEX login_failures_user ON login_failures (username, at_us);

CREATE TABLE citizens (
    id               INTEGER PRIMARY KEY,
    cpr              TEXT    NOT NULL UNIQUE,
    birth_date       TEXT    NOT NULL,
    sex              TEXT    NOT NULL,
    family_key       TEXT    NOT NULL,
    first_loaded_on  TEXT    NOT NULL,
    left_register_on TEXT
);
CREATE INDEX citizens_family ON citizens (family_key);

CREATE TABLE services (
    id              INTEGER PRIMARY KEY,
    citizen_id      INTEGER NOT NULL REFERENCES citizens (id),
    code            TEXT    NOT NULL,
    name_da         TEXT    NOT NULL,
    department      TEXT    NOT NULL,
    legal_basis     TEXT    NOT NULL,
    unit            TEXT    NOT NULL,
    start_on        TEXT    NOT NULL,
    end_on          TEXT,
    volume_milli    INTEGER NOT NULL CHECK (volume_milli >= 0),
    n               INTEGER NOT NULL
);
CREATE INDEX services_citizen ON services (citizen_id, code, start_on);

CREATE TABLE teams (
    citizen_id      INTEGER NOT NULL REFERENCES citizens (id),
    user_id         INTEGER NOT NULL REFERENCES users (id),
    added_by        INTEGER REFERENCES users (id),
    added_us        INTEGER NOT NULL,
    PRIMARY KEY (citizen_id, user_id)
);
CREATE INDEX teams_user ON teams (user_id);

CREATE TABLE consents (
    id              INTEGER PRIMARY KEY,
    citizen_id      INTEGER NOT NULL REFERENCES citizens (id),
    given_us        INTEGER NOT NULL,
    withdrawn_us    INTEGER,
    recorded_by     INTEGER REFERENCES users (id),
    withdrawn_by    INTEGER REFERENCES users (id),
    note            TEXT    NOT NULL
);
CREATE INDEX consents_citizen ON consents (citizen_id);

CREATE TABLE consent_scope (
    consent_id      INTEGER NOT NULL REFERENCES consents (id),
    viewer          TEXT    NOT NULL,
    category        TEXT    NOT NULL,
    PRIMARY KEY (consent_id, viewer, category)
);

CREATE TABLE legal_bases (
    id              INTEGER PRIMARY KEY,
    viewer          TEXT    NOT NULL,
    category        TEXT    NOT NULL,
    text            TEXT    NOT NULL,
    UNIQUE (viewer, category, text)
);

CREATE TABLE break_glass (
    id              INTEGER PRIMARY KEY,
    citizen_id      INTEGER NOT NULL REFERENCES citizens (id),
    user_id         INTEGER NOT NULL REFERENCES users (id),
    reason          TEXT    NOT NULL CHECK (length(trim(reason)) > 0),
    from_us         INTEGER NOT NULL,
    until_us        INTEGER NOT NULL,
    CHECK (until_us > from_us)
);
CREATE INDEX break_glass_citizen ON break_glass (citizen_id);

CREATE TABLE notes (
    id              INTEGER PRIMARY KEY,
    citizen_id      INTEGER NOT NULL REFERENCES citizens (id),
    author_id       INTEGER NOT NULL REFERENCES users (id),
    category        TEXT    NOT NULL,
    written_us      INTEGER NOT NULL,
    text            TEXT    NOT NULL
);
CREATE INDEX notes_citizen ON notes (citizen_id);

-- The audit log: a hash chain (crates/store/src/audit.rs). No foreign keys: it must outlive
-- and not constrain the rows it refers to.
CREATE TABLE audit_log (
    seq              INTEGER PRIMARY KEY,
    at_us            INTEGER NOT NULL,
    user_id          INTEGER,
    actor_role       TEXT,
    actor_department TEXT,
    citizen_id       INTEGER,
    category         TEXT,
    purpose          TEXT    NOT NULL,
    action           TEXT    NOT NULL,
    basis_kind       TEXT,
    basis_ref        INTEGER,
    basis_text       TEXT,
    refusal          TEXT,
    detail           TEXT    NOT NULL,
    hash             BLOB    NOT NULL
);
CREATE INDEX audit_log_citizen ON audit_log (citizen_id, at_us);
CREATE INDEX audit_log_user ON audit_log (user_id, at_us);
CREATE INDEX audit_log_at ON audit_log (at_us);

-- The chain head: the last seq and hash. One row; every append updates it.
CREATE TABLE audit_head (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    seq             INTEGER NOT NULL,
    hash            BLOB    NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, zeroblob(32));
