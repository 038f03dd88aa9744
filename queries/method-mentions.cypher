// Methods named (proposed or mentioned) by several papers (most named first).
// param min_papers: keep methods named by at least this many papers (default 2)
//
// Columns: method (the entity's name, its smallest label), papers (distinct papers).
MATCH (p:Paper)-[:PROPOSES|MENTIONS]->(m:Method)
WITH m, count(DISTINCT p) AS papers
WHERE papers >= $min_papers
RETURN m.name AS method, papers
ORDER BY papers DESC, method
