CREATE INDEX kg_dataset_name_key IF NOT EXISTS FOR (n:Dataset) ON (n.name_key)
