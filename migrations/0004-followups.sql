-- 0004-followups.sql: the follow-up schedule, the outcomes recorded
-- against it (measurements and missed occasions), and the budget
-- ledger.  Outcomes and spends are projections of log entries, keyed
-- by their sequence numbers; the schedule is derived from the protocol
-- and each enrollment, and its status from the outcomes, withdrawals
-- and transfers (docs/followups.md).

-- One row per participant and occasion that applies to the
-- participant's arm, written in the enrollment's transaction.
CREATE TABLE schedule (
	participant  INTEGER NOT NULL REFERENCES participants (seq),
	occasion     TEXT NOT NULL,      -- the protocol's follow-up code
	due          TEXT NOT NULL,      -- YYYY-MM-DD, in the trial's time zone
	window_start TEXT NOT NULL,      -- first day of the window
	window_end   TEXT NOT NULL,      -- last day of the window
	caseworker   TEXT NOT NULL,      -- open occasions: the current one
	-- Comparisons, not IN (...): SQLite 3.40 builds an IN list of
	-- more than two values into a temporary table on every insert,
	-- a fifth of the time of enrolling with five follow-ups.
	status       TEXT NOT NULL DEFAULT 'open'
	    CHECK (status = 'open' OR status = 'done' OR status = 'missed'
	    OR status = 'cancelled'),
	outcome      INTEGER REFERENCES log (seq), -- the latest outcome entry
	PRIMARY KEY (participant, occasion)
) WITHOUT ROWID;

-- The due list reads only open occasions, by date or by caseworker and
-- date; partial indexes keep done ones out of the way.  Both lists,
-- due and overdue, search these two by due date (src/duelist.c), and
-- in the order they print, so there is no index on window_end: it
-- would cost every enrollment an insert per occasion and serve no
-- query (bench/due-list.sh, docs/performance.md).
CREATE INDEX schedule_open_due ON schedule (due) WHERE status = 'open';
CREATE INDEX schedule_open_caseworker ON schedule (caseworker, due)
	WHERE status = 'open';

-- Measurements ('done') and missed occasions, each a log entry.  A
-- correction is a new row that supersedes the latest one; nothing is
-- changed in place.
CREATE TABLE outcomes (
	seq           INTEGER PRIMARY KEY REFERENCES log (seq),
	participant   INTEGER NOT NULL,
	occasion      TEXT NOT NULL,
	status        TEXT NOT NULL CHECK (status IN ('done', 'missed')),
	measured_on   TEXT,              -- done: YYYY-MM-DD
	out_of_window INTEGER CHECK (out_of_window IN (0, 1)), -- done
	measures      TEXT,              -- done: canonical JSON object
	reason        TEXT,              -- missed
	supersedes    INTEGER UNIQUE REFERENCES outcomes (seq),
	recorded_at   TEXT NOT NULL,
	FOREIGN KEY (participant, occasion)
	    REFERENCES schedule (participant, occasion)
);
CREATE INDEX outcomes_occasion ON outcomes (participant, occasion);

-- Approved spends of a participant's budget, in minor units (øre).
CREATE TABLE spends (
	seq          INTEGER PRIMARY KEY REFERENCES log (seq),
	participant  INTEGER NOT NULL REFERENCES participants (seq),
	amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
	category     TEXT NOT NULL,
	note         TEXT,
	spent_on     TEXT NOT NULL,      -- YYYY-MM-DD
	recorded_at  TEXT NOT NULL
);
CREATE INDEX spends_participant ON spends (participant);
