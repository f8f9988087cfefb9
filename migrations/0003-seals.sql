-- 0003-seals.sql: signed seals over the log, the revealed seed, and
-- triggers that refuse to change or remove a log entry.  The triggers
-- are defence in depth only: whoever can write the file can drop them.
-- Verification, and seals kept outside the database, are the guard.

-- One row per freeze entry: the signed text and its signature.
CREATE TABLE seals (
	seq       INTEGER PRIMARY KEY REFERENCES log (seq),  -- the freeze entry
	note      TEXT NOT NULL,
	sealed_at TEXT NOT NULL,
	signer    TEXT NOT NULL,       -- fingerprint of the public key, hex
	signature TEXT NOT NULL        -- Ed25519 signature, base64
);

-- At most one: the seed, revealed for audit.
CREATE TABLE reveals (
	seq         INTEGER PRIMARY KEY REFERENCES log (seq),
	seed        TEXT NOT NULL,     -- 64 hex digits
	revealed_at TEXT NOT NULL
);

CREATE TRIGGER log_no_update BEFORE UPDATE ON log
BEGIN
	SELECT RAISE(ABORT, 'the log is append-only: entries are never changed');
END;

CREATE TRIGGER log_no_delete BEFORE DELETE ON log
BEGIN
	SELECT RAISE(ABORT, 'the log is append-only: entries are never removed');
END;
