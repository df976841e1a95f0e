-- Names for the caseworker's search, and what the overview needs for a citizen's yearly cost by
-- department: the unit prices of the last load and the amounts booked to each citizen.
-- Released migrations are never edited: add a new file.

-- From the CPR extract where the municipality supplies one (`navne.csv`); NULL otherwise.
-- name_search is the lower-cased name the search compares with.
ALTER TABLE citizens ADD COLUMN name TEXT;
ALTER TABLE citizens ADD COLUMN name_search TEXT;
CREATE INDEX citizens_name_search ON citizens (name_search);

-- Replaced whole by every load.
CREATE TABLE unit_prices (
    code            TEXT    NOT NULL,
    unit            TEXT    NOT NULL,
    year            INTEGER NOT NULL,
    price_oere      BIGINT  NOT NULL,
    PRIMARY KEY (code, unit, year)
);

-- Postings booked to a person, summed per department (of the posting's function) and year.
-- Replaced whole by every load.
CREATE TABLE booked_costs (
    citizen_id      BIGINT  NOT NULL REFERENCES citizens (id),
    department      TEXT    NOT NULL,
    year            INTEGER NOT NULL,
    amount_oere     BIGINT  NOT NULL,
    PRIMARY KEY (citizen_id, department, year)
);
