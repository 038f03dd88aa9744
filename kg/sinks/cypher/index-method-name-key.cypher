CREATE INDEX kg_method_name_key IF NOT EXISTS FOR (n:Method) ON (n.name_key)
