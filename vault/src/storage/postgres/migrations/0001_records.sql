-- Migration 1: the record tables, one per `Table` (docs/storage.md).
--
-- Each is a key and a value, both bytea: bytea compares bytewise (memcmp, then the
-- shorter first), the order of RocksDB's column families, so scans read in the same order
-- on both engines. The primary key makes every record write-once: a second insert of a
-- key is refused. The vault's role gets no UPDATE and no DELETE but on manifests
-- (`grants.rs`); the triggers below refuse them to every role but a superuser's replica
-- session, the table owner included.

CREATE FUNCTION qoima.refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'qoima: % on %.% refused: records are write-once', TG_OP,
        TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TABLE qoima."manifests" (key bytea PRIMARY KEY, value bytea NOT NULL);  -- deleted by disposal and by the collection of unreferenced content
CREATE TRIGGER write_once BEFORE UPDATE OR TRUNCATE ON qoima."manifests"
    FOR EACH STATEMENT EXECUTE FUNCTION qoima.refuse_change();

CREATE TABLE qoima."documents" (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TRIGGER write_once BEFORE UPDATE OR DELETE OR TRUNCATE ON qoima."documents"
    FOR EACH STATEMENT EXECUTE FUNCTION qoima.refuse_change();

CREATE TABLE qoima."versions" (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TRIGGER write_once BEFORE UPDATE OR DELETE OR TRUNCATE ON qoima."versions"
    FOR EACH STATEMENT EXECUTE FUNCTION qoima.refuse_change();

CREATE TABLE qoima."events" (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TRIGGER write_once BEFORE UPDATE OR DELETE OR TRUNCATE ON qoima."events"
    FOR EACH STATEMENT EXECUTE FUNCTION qoima.refuse_change();

CREATE TABLE qoima."index" (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TRIGGER write_once BEFORE UPDATE OR DELETE OR TRUNCATE ON qoima."index"
    FOR EACH STATEMENT EXECUTE FUNCTION qoima.refuse_change();

CREATE TABLE qoima."numbers" (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TRIGGER write_once BEFORE UPDATE OR DELETE OR TRUNCATE ON qoima."numbers"
    FOR EACH STATEMENT EXECUTE FUNCTION qoima.refuse_change();

CREATE TABLE qoima."audit_leaves" (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TRIGGER write_once BEFORE UPDATE OR DELETE OR TRUNCATE ON qoima."audit_leaves"
    FOR EACH STATEMENT EXECUTE FUNCTION qoima.refuse_change();

CREATE TABLE qoima."audit_nodes" (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TRIGGER write_once BEFORE UPDATE OR DELETE OR TRUNCATE ON qoima."audit_nodes"
    FOR EACH STATEMENT EXECUTE FUNCTION qoima.refuse_change();

CREATE TABLE qoima."tombstones" (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TRIGGER write_once BEFORE UPDATE OR DELETE OR TRUNCATE ON qoima."tombstones"
    FOR EACH STATEMENT EXECUTE FUNCTION qoima.refuse_change();

CREATE TABLE qoima."facilities" (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TRIGGER write_once BEFORE UPDATE OR DELETE OR TRUNCATE ON qoima."facilities"
    FOR EACH STATEMENT EXECUTE FUNCTION qoima.refuse_change();

CREATE TABLE qoima."api_keys" (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TRIGGER write_once BEFORE UPDATE OR DELETE OR TRUNCATE ON qoima."api_keys"
    FOR EACH STATEMENT EXECUTE FUNCTION qoima.refuse_change();

CREATE TABLE qoima."key_revocations" (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TRIGGER write_once BEFORE UPDATE OR DELETE OR TRUNCATE ON qoima."key_revocations"
    FOR EACH STATEMENT EXECUTE FUNCTION qoima.refuse_change();

CREATE TABLE qoima."calendars" (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TRIGGER write_once BEFORE UPDATE OR DELETE OR TRUNCATE ON qoima."calendars"
    FOR EACH STATEMENT EXECUTE FUNCTION qoima.refuse_change();

CREATE TABLE qoima."disposal_acts" (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TRIGGER write_once BEFORE UPDATE OR DELETE OR TRUNCATE ON qoima."disposal_acts"
    FOR EACH STATEMENT EXECUTE FUNCTION qoima.refuse_change();

CREATE TABLE qoima."collections" (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TRIGGER write_once BEFORE UPDATE OR DELETE OR TRUNCATE ON qoima."collections"
    FOR EACH STATEMENT EXECUTE FUNCTION qoima.refuse_change();
