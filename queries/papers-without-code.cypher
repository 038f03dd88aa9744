// Papers that release no code (no code URL found in the title or abstract).
//
// Columns: paper (title), key (the paper's key: arxiv:ID or title:HASH).
MATCH (p:Paper)
WHERE NOT EXISTS { (p)-[:HAS_CODE]->() }
RETURN DISTINCT p.title AS paper, p.key AS key
ORDER BY paper, key
