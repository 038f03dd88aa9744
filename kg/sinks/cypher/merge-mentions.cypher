// (:Paper)-[:MENTIONS]->(:Method) with its provenance as parallel arrays, one entry per mention.
// CREATE, not MERGE: the same transaction first deleted this paper's relationships.
UNWIND $rows AS row
MATCH (p:Paper {key: row.paper})
MATCH (e:Method {key: row.key})
CREATE (p)-[:MENTIONS {fields: row.fields, starts: row.starts, ends: row.ends, sentences: row.sentences,
                  rules: row.rules, source: row.source,
                  name: row.name, aliases: row.aliases}]->(e)
