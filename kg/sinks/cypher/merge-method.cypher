// Methods: name is the smallest name seen so far, aliases the sorted union of every other name
// (the rule of kg/graph.py, so the result does not depend on the order papers arrive); the
// identity properties (name_key, sense, ambiguous, kb_id) depend on the key alone, same_as is a union.
UNWIND $rows AS row
MERGE (n:Method {key: row.key})
WITH n, row, CASE WHEN n.name IS NULL OR row.name < n.name THEN row.name ELSE n.name END AS name
WITH n, row, name, coalesce(n.aliases, []) + row.aliases + [row.name] + CASE WHEN n.name IS NULL THEN [] ELSE [n.name] END AS seen
SET n.name = name,
    n.aliases = COLLECT { UNWIND seen AS a WITH DISTINCT a WHERE a <> name RETURN a ORDER BY a },
    n.name_key = row.name_key,
    n.sense = row.sense,
    n.ambiguous = row.ambiguous,
    n.kb_id = row.kb_id,
    n.same_as = COLLECT { UNWIND coalesce(n.same_as, []) + row.same_as AS u WITH DISTINCT u RETURN u ORDER BY u }
