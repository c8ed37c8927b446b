-- Migration 2: the signed requests admitted by any node (`replay.rs`, docs/storage.md).
--
-- One row per SHA-256 of an admitted envelope's signed attributes (RFC 5652 §5.4), kept
-- until `expires_at` (unix seconds: the signingTime plus the freshness window), after which
-- the time check alone refuses the envelope. Not a record: the one table whose rows the
-- vault's role may DELETE (the expired ones, by the replay guard; `grants.rs`). A row is
-- never changed: UPDATE and TRUNCATE are refused to every role, the owner included.

CREATE TABLE qoima.signed_requests (
    digest bytea PRIMARY KEY CHECK (octet_length(digest) = 32),
    expires_at bigint NOT NULL
);
CREATE INDEX signed_requests_expiry ON qoima.signed_requests (expires_at);
CREATE TRIGGER write_once BEFORE UPDATE OR TRUNCATE ON qoima.signed_requests
    FOR EACH STATEMENT EXECUTE FUNCTION qoima.refuse_change();
