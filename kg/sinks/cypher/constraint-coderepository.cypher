CREATE CONSTRAINT kg_coderepository_key IF NOT EXISTS FOR (n:CodeRepository) REQUIRE n.key IS UNIQUE
