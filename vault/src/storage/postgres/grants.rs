//! The vault's role and what it may do: read and insert every record, delete manifests (the
//! disposal path, and the collection of unreferenced content), read, insert and delete the
//! admitted signed requests (the replay guard removes those expired), read and change the
//! staging state of resumable uploads (not records), nothing else. PostgreSQL
//! enforces it: an UPDATE, or a DELETE elsewhere, is refused with "permission denied" before
//! the write-once triggers are reached.

use tokio_postgres::Client;

use super::error::driver;
use super::schema::SCHEMA;
use crate::storage::{StorageError, Table};

/// Whether `name` is a role name that needs no quoting: a lowercase letter or `_`, then up to
/// 62 lowercase letters, digits or `_` (PostgreSQL's identifiers are at most 63 bytes). Names
/// are interpolated into GRANT statements, which take no parameters.
pub(super) fn valid_role(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name.len() <= 63
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Creates `role` (LOGIN, no password: the owner sets one, or the server authenticates it
/// otherwise) unless it exists, and gives it exactly the vault's rights, taking any others
/// away.
pub(super) async fn grant(client: &mut Client, role: &str) -> Result<(), StorageError> {
    if !valid_role(role) {
        return Err(StorageError::Engine(format!(
            "PostgreSQL: role name {role:?} is not a lowercase identifier (a-z, 0-9, _)"
        )));
    }
    let doing = format!("granting the vault's rights to role {role}");
    let tx = client.transaction().await.map_err(|e| driver(&doing, &e))?;
    let exists = tx
        .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&role])
        .await
        .map_err(|e| driver(&doing, &e))?
        .is_some();
    let mut sql = String::new();
    if !exists {
        sql.push_str(&format!("CREATE ROLE {role} LOGIN;\n"));
    }
    sql.push_str(&format!(
        "REVOKE ALL ON SCHEMA {SCHEMA} FROM PUBLIC;
         GRANT USAGE ON SCHEMA {SCHEMA} TO {role};
         REVOKE ALL ON ALL TABLES IN SCHEMA {SCHEMA} FROM {role};
         GRANT SELECT ON {SCHEMA}.schema_migrations TO {role};\n"
    ));
    for table in Table::ALL {
        sql.push_str(&format!(
            "GRANT SELECT, INSERT ON {SCHEMA}.\"{}\" TO {role};\n",
            table.name()
        ));
    }
    sql.push_str(&format!(
        "GRANT DELETE ON {SCHEMA}.\"{}\" TO {role};\n",
        Table::Manifests.name()
    ));
    // Not a record: the replay guard's memory, whose expired rows it removes (`replay.rs`).
    sql.push_str(&format!(
        "GRANT SELECT, INSERT, DELETE ON {SCHEMA}.{} TO {role};\n",
        super::replay::TABLE
    ));
    // Not a record either: the staging state of resumable uploads, moved on by each PATCH
    // and deleted when the upload ends (`staging.rs`).
    sql.push_str(&format!(
        "GRANT SELECT, INSERT, UPDATE, DELETE ON {SCHEMA}.{} TO {role};\n",
        super::staging::TABLE
    ));
    tx.batch_execute(&sql)
        .await
        .map_err(|e| driver(&doing, &e))?;
    tx.commit().await.map_err(|e| driver(&doing, &e))
}

#[cfg(test)]
mod tests {
    use super::valid_role;

    #[test]
    fn role_names_are_plain_identifiers() {
        assert!(valid_role("qoima_vault"));
        assert!(valid_role("_v2"));
        for bad in [
            "",
            "Vault",
            "1vault",
            "vault; DROP TABLE x",
            "a\"b",
            &"a".repeat(64),
        ] {
            assert!(!valid_role(bad), "{bad:?}");
        }
    }
}
