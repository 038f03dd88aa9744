// Datasets by the number of papers that use or introduce them (most used first).
// param min_papers: keep datasets named by at least this many papers (default 1)
//
// Columns: dataset (the entity's name, its smallest label), papers (distinct papers).
MATCH (p:Paper)-[:USES|INTRODUCES]->(d:Dataset)
WITH d, count(DISTINCT p) AS papers
WHERE papers >= $min_papers
RETURN d.name AS dataset, papers
ORDER BY papers DESC, dataset
