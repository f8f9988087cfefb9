-- 0006-blinding.sql: the blinding of exports (docs/blinding.md).  A
-- commitment to the mapping from arms to neutral labels, and, once
-- the analysis is done, its disclosure.  Neither table holds the
-- mapping before the disclosure: it is drawn again from the seed.

-- At most one: the commitment, SHA-256(nonce || mapping), hex.
CREATE TABLE blindings (
	seq        INTEGER PRIMARY KEY REFERENCES log (seq),
	labels     TEXT NOT NULL,      -- canonical JSON array of the labels
	commitment TEXT NOT NULL,      -- 64 hex digits
	blinded_at TEXT NOT NULL
);

-- At most one: the mapping disclosed with its nonce.
CREATE TABLE unblindings (
	seq          INTEGER PRIMARY KEY REFERENCES log (seq),
	blinding     INTEGER NOT NULL UNIQUE REFERENCES blindings (seq),
	mapping      TEXT NOT NULL,    -- canonical JSON object label -> arm
	nonce        TEXT NOT NULL,    -- 64 hex digits
	unblinded_at TEXT NOT NULL
);
