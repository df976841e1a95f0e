-- One plan per citizen, every save a new version (the whole content as JSON), and progression
-- records (staircase step, ORS and SRS). Released migrations are never edited: add a new file.

-- The primary key is the optimistic-concurrency guard: two saves based on the same version
-- both try to insert version + 1, and the second fails.
CREATE TABLE plan_versions (
    citizen_id      INTEGER NOT NULL REFERENCES citizens (id),
    version         INTEGER NOT NULL CHECK (version >= 1),
    saved_by        INTEGER NOT NULL REFERENCES users (id),
    saved_us        INTEGER NOT NULL,
    content         TEXT    NOT NULL,
    PRIMARY KEY (citizen_id, version)
);

CREATE TABLE progression (
    id              INTEGER PRIMARY KEY,
    citizen_id      INTEGER NOT NULL REFERENCES citizens (id),
    recorded_on     TEXT    NOT NULL,
    step            INTEGER NOT NULL CHECK (step BETWEEN 1 AND 4),
    ors             INTEGER NOT NULL CHECK (ors BETWEEN 0 AND 40),
    srs             INTEGER NOT NULL CHECK (srs BETWEEN 0 AND 40),
    recorded_by     INTEGER NOT NULL REFERENCES users (id),
    department      TEXT,
    recorded_us     INTEGER NOT NULL
);
CREATE INDEX progression_citizen ON progression (citizen_id, recorded_on);
