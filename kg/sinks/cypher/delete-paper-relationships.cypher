// Before a paper's relationships are rewritten, the ones it had go (re-ingest replaces, never doubles).
UNWIND $keys AS key
MATCH (:Paper {key: key})-[r]->()
DELETE r
RETURN count(r) AS deleted
