// The stored content hash of each of these papers (null for a paper written without one).
UNWIND $keys AS key
MATCH (n:Paper {key: key})
RETURN n.key AS key, n.content_hash AS hash
