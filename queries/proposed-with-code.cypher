// Each paper's proposed methods with the code URLs the paper releases (code_url null when none).
// Papers that propose no method are not listed; a paper with two code URLs gives two rows a method.
//
// Columns: paper (title), method (the method's name), code_url (the repository's URL).
// Nulls sort first, as unbound values do in SPARQL.
MATCH (p:Paper)-[:PROPOSES]->(m:Method)
OPTIONAL MATCH (p)-[:HAS_CODE]->(c:CodeRepository)
WITH DISTINCT p.title AS paper, m.name AS method, c.url AS code_url
RETURN paper, method, code_url
ORDER BY paper, method, code_url IS NOT NULL, code_url
