-- docbus broker store on PostgreSQL, schema version 2: the active broker's
-- fencing epoch (FORMAT.md, "Which broker writes").
CREATE TABLE broker_leader(
  id integer PRIMARY KEY CHECK (id = 1),
  epoch bigint NOT NULL,
  holder text NOT NULL,
  since timestamptz NOT NULL);
INSERT INTO broker_leader VALUES (1, 0, '', now());
