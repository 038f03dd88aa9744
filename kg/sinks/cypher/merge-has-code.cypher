// (:Paper)-[:HAS_CODE]->(:CodeRepository) with its provenance as parallel arrays, one entry per mention.
// CREATE, not MERGE: the same transaction first deleted this paper's relationships.
UNWIND $rows AS row
MATCH (p:Paper {key: row.paper})
MATCH (e:CodeRepository {key: row.key})
CREATE (p)-[r:HAS_CODE]->(e)
SET r.fields = row.fields,
    r.starts = row.starts,
    r.ends = row.ends,
    r.sentences = row.sentences,
    r.rules = row.rules,
    r.source = row.source
