// Before a paper's relationships are rewritten, the ones it had go (re-ingest replaces, never doubles).
// Returns the keys of the entities that lost one, by label: their names are recomputed afterwards.
UNWIND $keys AS key
MATCH (:Paper {key: key})-[r]->(e)
WITH r, e.key AS ekey, head(labels(e)) AS label
DELETE r
RETURN count(r) AS deleted,
       collect(DISTINCT CASE WHEN label = 'Method' THEN ekey END) AS methods,
       collect(DISTINCT CASE WHEN label = 'Dataset' THEN ekey END) AS datasets,
       collect(DISTINCT CASE WHEN label = 'CodeRepository' THEN ekey END) AS code
