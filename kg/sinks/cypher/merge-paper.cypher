// Papers: one node per key; a re-written paper takes the new values (a null removes a property).
// The content hash goes until set-paper-hashes writes it back with the paper's relationships.
UNWIND $rows AS row
MERGE (n:Paper {key: row.key})
SET n.title = row.title,
    n.abstract = row.abstract,
    n.arxiv_id = row.arxiv_id,
    n.url = row.url,
    n.authors = row.authors,
    n.date = row.date,
    n.source = row.source,
    n.record = row.record,
    n.same_as = row.same_as,
    n.content_hash = null
