// Content hashes (kg.changes), set in the transaction that wrote the papers' relationships, so a
// Paper node with a hash is complete: a re-run skips it only then.
UNWIND $rows AS row
MATCH (n:Paper {key: row.key})
SET n.content_hash = row.hash
