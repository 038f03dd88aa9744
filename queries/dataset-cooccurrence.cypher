// Pairs of datasets used (or introduced) in the same paper, by the number of such papers.
// param min_papers: keep pairs found together in at least this many papers (default 1)
//
// Columns: dataset_a < dataset_b (names, each pair once), papers (distinct papers).
MATCH (a:Dataset)<-[:USES|INTRODUCES]-(p:Paper)-[:USES|INTRODUCES]->(b:Dataset)
WHERE a.name < b.name
WITH a.name AS dataset_a, b.name AS dataset_b, count(DISTINCT p) AS papers
WHERE papers >= $min_papers
RETURN dataset_a, dataset_b, papers
ORDER BY papers DESC, dataset_a, dataset_b
