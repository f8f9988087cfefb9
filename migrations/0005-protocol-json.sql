-- 0005-protocol-json.sql: the canonical JSON form of the parsed
-- protocol (docs/protocol-json.md), stored beside the protocol file's
-- bytes.  From log format 2 on, the genesis entry commits to its
-- SHA-256 as well, so that an auditor can replay a trial with any JSON
-- reader.  Trials created under log format 1 keep NULL: their genesis
-- entry commits to the file's bytes only, and `sortes protocol show
-- --json` derives the form from those bytes.
ALTER TABLE trial ADD COLUMN protocol_json TEXT;
