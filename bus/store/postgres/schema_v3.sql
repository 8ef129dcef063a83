-- docbus broker store on PostgreSQL, schema version 3 (FORMAT.md): the
-- document lifecycle. Each status keeps its reporter's time and the
-- broker's; statuses are read per document in acceptance order; documents
-- are found by their edXML DocumentId.
ALTER TABLE statuses ADD COLUMN created_unix_ms bigint NOT NULL DEFAULT 0;
ALTER TABLE statuses ADD COLUMN accepted_unix_ms bigint NOT NULL DEFAULT 0;
CREATE INDEX statuses_document ON statuses(document, audit_index);
CREATE INDEX documents_document_id ON documents(document_id, sender);
