// The record (kg.graph.record_rank) Neo4j holds for each of these papers: a record ranking at or
// above the one being written is kept, so the order records arrive in never matters.
UNWIND $keys AS key
MATCH (p:Paper {key: key})
RETURN p.key AS key, p.record AS record
