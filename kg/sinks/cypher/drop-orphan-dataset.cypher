// A :Dataset no paper links to any more (its last paper was replaced) goes, as in the embedded store.
UNWIND $keys AS key
MATCH (n:Dataset {key: key})
WHERE NOT EXISTS { (n)<--() }
DELETE n
