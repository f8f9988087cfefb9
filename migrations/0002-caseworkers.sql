-- 0002-caseworkers.sql: caseworkers (the clusters of caseworker-level
-- trials), the one-time randomization of caseworkers, transfers and
-- withdrawals of participants, and the marginal counts minimization
-- allocates by.  Like the tables of 0001, each row is a
-- projection of a log entry, keyed by that entry's sequence number.

CREATE TABLE caseworkers (
	seq           INTEGER PRIMARY KEY REFERENCES log (seq), -- registration entry
	code          TEXT NOT NULL UNIQUE,
	team          TEXT NOT NULL,
	covariates    TEXT NOT NULL,     -- canonical JSON object
	registered_at TEXT NOT NULL
);

-- The arm of each allocated caseworker, and the entry that allocated it:
-- the randomization, or (for a caseworker registered after it) the
-- caseworker's own registration.
CREATE TABLE caseworker_allocations (
	caseworker INTEGER PRIMARY KEY REFERENCES caseworkers (seq),
	arm        TEXT NOT NULL,
	seq        INTEGER NOT NULL REFERENCES log (seq),
	counter    INTEGER,              -- new hires: block number
	position   INTEGER               -- new hires: place in the block
);
CREATE INDEX caseworker_allocations_seq ON caseworker_allocations (seq);

-- At most one: caseworkers are randomized once.
CREATE TABLE randomization (
	seq           INTEGER PRIMARY KEY REFERENCES log (seq),
	method        TEXT NOT NULL,
	beacon        TEXT,              -- the public beacon value mixed in, or NULL
	report        TEXT NOT NULL,     -- canonical JSON: the sizes and ranks logged
	randomized_at TEXT NOT NULL
);

CREATE TABLE transfers (
	seq            INTEGER PRIMARY KEY REFERENCES log (seq),
	participant    INTEGER NOT NULL REFERENCES participants (seq),
	from_caseworker TEXT NOT NULL,
	to_caseworker  TEXT NOT NULL,
	cross_arm      INTEGER,          -- 1: possible contamination; NULL: no cluster arms
	transferred_at TEXT NOT NULL
);
CREATE INDEX transfers_participant ON transfers (participant);

CREATE TABLE withdrawals (
	seq          INTEGER PRIMARY KEY REFERENCES log (seq),
	participant  INTEGER NOT NULL UNIQUE REFERENCES participants (seq),
	reason       TEXT NOT NULL,
	withdrawn_at TEXT NOT NULL
);

-- Minimization: how many participants of each level of each factor each
-- arm holds, kept so that an allocation does not scan the earlier ones.
CREATE TABLE minimization_counts (
	factor TEXT NOT NULL,            -- factor name
	level  TEXT NOT NULL,            -- canonical JSON of the level
	arm    TEXT NOT NULL,
	n      INTEGER NOT NULL,
	PRIMARY KEY (factor, level, arm)
);
