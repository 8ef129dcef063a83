-- docbus broker store on PostgreSQL, schema version 1 (FORMAT.md).
CREATE TABLE documents(
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sender text NOT NULL,
  message_id text NOT NULL,
  document_id text NOT NULL,
  header bytea NOT NULL,
  signature bytea NOT NULL,
  header_sha256 bytea NOT NULL,
  attachment_sha256 bytea NOT NULL,
  recipients text NOT NULL,
  priority integer NOT NULL,
  accepted_unix_ms bigint NOT NULL,
  audit_index bigint NOT NULL,
  UNIQUE(sender, message_id));

CREATE TABLE attachments(
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sha256 bytea NOT NULL UNIQUE,
  data bytea NOT NULL);
-- Uncompressed out-of-line storage: substring() reads only the TOAST
-- slices it needs, so a piece of an attachment is read without the rest.
ALTER TABLE attachments ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TABLE uploads(
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sender text NOT NULL,
  message_id text NOT NULL,
  attachment bigint NOT NULL,
  total_size bigint NOT NULL,
  held bigint NOT NULL,
  created_unix_ms bigint NOT NULL,
  UNIQUE(sender, message_id, attachment));
CREATE INDEX uploads_age ON uploads(created_unix_ms);

CREATE TABLE chunks(
  upload bigint NOT NULL,
  start_offset bigint NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY(upload, start_offset));
ALTER TABLE chunks ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TABLE large_attachments(
  sha256 bytea PRIMARY KEY,
  upload bigint NOT NULL,
  size bigint NOT NULL);

CREATE TABLE statuses(
  status_id text PRIMARY KEY,
  message_id text NOT NULL,
  document bigint NOT NULL,
  reporter text NOT NULL,
  addressee text NOT NULL,
  code integer NOT NULL,
  body_sha256 bytea NOT NULL,
  audit_index bigint NOT NULL);

CREATE TABLE deliveries(
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  recipient text NOT NULL,
  kind integer NOT NULL,
  state integer NOT NULL,
  priority integer NOT NULL,
  document bigint NOT NULL,
  payload bytea NOT NULL,
  status_id text NOT NULL,
  size_bytes bigint NOT NULL,
  created_unix_ms bigint NOT NULL,
  expires_unix_ms bigint NOT NULL,
  prior_audit_index bigint NOT NULL,
  finished_unix_ms bigint NOT NULL DEFAULT 0);
CREATE INDEX deliveries_queue
  ON deliveries(recipient, priority DESC, id) WHERE state = 0;
CREATE INDEX deliveries_expiry
  ON deliveries(expires_unix_ms) WHERE state = 0 AND kind = 0;

-- The broker's audit log (PgLogStorage).
CREATE TABLE audit_entries(
  idx bigint PRIMARY KEY,
  entry bytea NOT NULL);
CREATE TABLE audit_hashes(
  id bigint PRIMARY KEY,
  hash bytea NOT NULL);
CREATE TABLE audit_checkpoints(
  size bigint PRIMARY KEY,
  note text NOT NULL);
