// Code repositories: the smallest URL seen for a key wins, with its host, owner and repo,
// so the result does not depend on the order papers arrive.
UNWIND $rows AS row
MERGE (n:CodeRepository {key: row.key})
WITH n, row, n.url IS NULL OR row.url < n.url AS take
SET n.url = CASE WHEN take THEN row.url ELSE n.url END,
    n.host = CASE WHEN take THEN row.host ELSE n.host END,
    n.owner = CASE WHEN take THEN row.owner ELSE n.owner END,
    n.repo = CASE WHEN take THEN row.repo ELSE n.repo END
