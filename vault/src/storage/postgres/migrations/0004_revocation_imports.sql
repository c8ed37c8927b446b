-- Migration 4: the list of revocation data an operator imported (`Table::RevocationImports`,
-- docs/revocation.md), so that every node sharing the database puts it in force.
--
-- A record table like those of migration 1: the key is the import's sequence number
-- (big-endian), the value its record (kind, content address, when, by whom). Write-once: the
-- vault's role gets SELECT and INSERT only (`grants.rs`, which grants every table of
-- `Table::ALL`), and the trigger refuses UPDATE, DELETE and TRUNCATE to every role.

CREATE TABLE qoima."revocation_imports" (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TRIGGER write_once BEFORE UPDATE OR DELETE OR TRUNCATE ON qoima."revocation_imports"
    FOR EACH STATEMENT EXECUTE FUNCTION qoima.refuse_change();
