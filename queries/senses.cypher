// Names that several entity nodes share (senses: known entities, long forms, proposing papers), most senses first.
// param min_senses: keep names with at least this many senses (default 2)
//
// Columns: kind (Method or Dataset), name_key (the normalised name), name (smallest name of its
// nodes), senses (nodes of that name that are senses, not the name node), unresolved (papers whose
// mention of the name could not be resolved: they link the ambiguous name node), papers (all papers).
MATCH (s:Method|Dataset)
WHERE s.sense <> 'name'
WITH head(labels(s)) AS kind, s.name_key AS name_key, count(DISTINCT s) AS senses
WHERE senses >= $min_senses
MATCH (n:Method|Dataset {name_key: name_key})
WHERE head(labels(n)) = kind
MATCH (p:Paper)-->(n)
WITH kind, name_key, senses, min(n.name) AS name, count(DISTINCT p) AS papers,
     count(DISTINCT CASE WHEN n.ambiguous THEN p END) AS unresolved
RETURN kind, name_key, name, senses, unresolved, papers
ORDER BY senses DESC, papers DESC, name_key, kind
