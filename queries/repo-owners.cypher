// Code owners (user or organisation on a host) whose repositories several papers release code at.
// param min_papers: keep owners with at least this many papers (default 2)
//
// Columns: host (github, huggingface, ...), owner (as written in the URL), papers (distinct papers).
MATCH (p:Paper)-[:HAS_CODE]->(c:CodeRepository)
WHERE c.host IS NOT NULL AND c.owner IS NOT NULL
WITH c.host AS host, c.owner AS owner, count(DISTINCT p) AS papers
WHERE papers >= $min_papers
RETURN host, owner, papers
ORDER BY papers DESC, host, owner
