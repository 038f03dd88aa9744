// Papers that share a dataset (used or introduced) with a given paper, one row per shared dataset.
// param paper: the given paper, as its key (arxiv:2403.01234) or its exact title, case-insensitive
//
// Columns: paper (title of the other paper), dataset (the shared dataset's name).
MATCH (p0:Paper)
WHERE toLower(p0.key) = toLower($paper) OR toLower(p0.title) = toLower($paper)
MATCH (p0)-[:USES|INTRODUCES]->(d:Dataset)<-[:USES|INTRODUCES]-(p:Paper)
WHERE p <> p0
WITH DISTINCT p, d
RETURN p.title AS paper, d.name AS dataset
ORDER BY paper, dataset
