-- 0001-initial.sql: the trial, its hash-chained log, and the participants
-- and allocations that the log records.  The log is the authority; the
-- other tables are a projection of it that `sortes verify` checks.

-- One row: the trial this database holds.
CREATE TABLE trial (
	id              INTEGER PRIMARY KEY CHECK (id = 1),
	trial_id        TEXT NOT NULL,
	protocol        BLOB NOT NULL,   -- the protocol file's exact bytes
	protocol_name   TEXT NOT NULL,   -- file name given at init, for reference
	protocol_sha256 TEXT NOT NULL,   -- SHA-256 of protocol, hex
	seed_commitment TEXT NOT NULL,   -- SHA-256 of the secret seed, hex
	created_at      TEXT NOT NULL    -- UTC, YYYY-MM-DDTHH:MM:SSZ
);

-- The append-only log; docs/log-format.md gives the exact bytes hashed.
CREATE TABLE log (
	seq       INTEGER PRIMARY KEY CHECK (seq >= 1),
	kind      TEXT NOT NULL,
	body      TEXT NOT NULL,         -- canonical JSON (RFC 8785)
	prev_hash TEXT NOT NULL,         -- hash of entry seq-1; 64 zeros for seq 1
	hash      TEXT NOT NULL          -- SHA-256(prev_hash bytes || body), hex
);

-- Keyed by the enrollment's log entry, so that rows are appended in
-- log order; only the pseudonym and UUID indexes take random keys.
CREATE TABLE participants (
	seq         INTEGER PRIMARY KEY REFERENCES log (seq),
	id          TEXT NOT NULL UNIQUE,        -- UUID, version 7 (time-ordered)
	pseudonym   TEXT NOT NULL UNIQUE,        -- HMAC-SHA256 of the person id, hex
	caseworker  TEXT NOT NULL,
	fields      TEXT NOT NULL,               -- canonical JSON object
	stratum     TEXT NOT NULL,               -- canonical JSON object
	enrolled_at TEXT NOT NULL
);

-- The arm first allocated to each participant (intention to treat).
CREATE TABLE allocations (
	seq      INTEGER PRIMARY KEY REFERENCES participants (seq),
	arm      TEXT NOT NULL,
	method   TEXT NOT NULL,
	counter  INTEGER NOT NULL,       -- stream index: block number or draw number
	position INTEGER                 -- place within the block; NULL if unblocked
);

-- Where each stratum's allocation sequence stands.  Only counters: block
-- contents and sizes are re-derived from the secret seed, so that this
-- table does not reveal the next allocation.
CREATE TABLE alloc_state (
	purpose  TEXT NOT NULL,          -- the stream purpose: simple, block, ...
	stratum  TEXT NOT NULL,
	counter  INTEGER NOT NULL,       -- current block, or draws made
	position INTEGER NOT NULL,       -- allocations made in the current block
	PRIMARY KEY (purpose, stratum)
);
