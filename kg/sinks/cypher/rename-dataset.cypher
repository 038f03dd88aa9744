// A :Dataset whose papers changed takes its names from the relationships still reaching it: name the
// smallest name a paper gives it, aliases every other name (the rule of kg/graph.py).
UNWIND $keys AS key
MATCH (n:Dataset {key: key})<-[r]-(:Paper)
WITH n, collect(r.name) AS names, collect(r.aliases) AS alts
WITH n, reduce(m = head(names), x IN names | CASE WHEN x < m THEN x ELSE m END) AS name,
     names + reduce(a = [], xs IN alts | a + coalesce(xs, [])) AS seen
SET n.name = name,
    n.aliases = COLLECT { UNWIND seen AS a WITH DISTINCT a WHERE a <> name RETURN a ORDER BY a }
