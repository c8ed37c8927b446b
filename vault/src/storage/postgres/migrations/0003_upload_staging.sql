-- Migration 3: the staging state of resumable uploads (tus 1.0), shared by every node
-- (`staging.rs`, docs/storage.md, "Resumable uploads across nodes").
--
-- Not a record: an upload's row is created, moved on by each acknowledged PATCH and deleted
-- when the upload is registered, terminated, failed or expired. The one table whose rows the
-- vault's role may UPDATE (`grants.rs`). `state` is the upload's state record as the file
-- store keeps it (declared length and SHA-256, owner, metadata, offset, running SHA-256);
-- `parts` the ends of its staged objects in the bucket, ascending, the last one the offset;
-- `owner` and `expires_at` (nanoseconds since the Unix epoch) repeat what the state says, for
-- the quotas and the expiry to select on.

CREATE TABLE qoima.upload_staging (
    id bytea PRIMARY KEY CHECK (octet_length(id) = 16),
    owner text NOT NULL,
    expires_at bigint NOT NULL,
    state bytea NOT NULL,
    parts bigint[] NOT NULL
);
CREATE INDEX upload_staging_owner ON qoima.upload_staging (owner, expires_at);
CREATE INDEX upload_staging_expiry ON qoima.upload_staging (expires_at);
