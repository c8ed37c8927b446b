//! The [`MetaStore`] operations as SQL.
//!
//! A commit is one transaction: one `INSERT … ON CONFLICT DO NOTHING RETURNING key` per table,
//! whose returned keys tell which records already existed (the batch is then rolled back:
//! nothing written), and the disposed manifests' `DELETE`. Keys are inserted table by table
//! in [`Table::ALL`]'s order and in key order within a table, so that two commits wait for
//! each other's keys in the same order and never deadlock.
//!
//! Scans read keyset pages (`key > last ORDER BY key LIMIT n`) on the primary key's index: a
//! scan of millions of rows holds one page, and no connection between pages. Unlike a
//! RocksDB iterator, a scan is not one snapshot: it reads every row committed before it
//! started (but manifests deleted meanwhile), and may read rows committed while it runs.
//! Prefix cursors read the same pages forward (`cursor.rs`).

use std::collections::{HashSet, VecDeque};

use deadpool_postgres::{Object, Pool};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::PostgresMeta;
use super::cursor::PostgresCursor;
use super::error::{self, connection_lost, driver};
use super::schema::SCHEMA;
use crate::storage::{
    Entry, MetaBatch, MetaStore, PrefixCursor, StorageError, Table, WriterSection, successor,
};

/// Rows per page of a scan.
pub(super) const PAGE: usize = 256;

/// The table's qualified, quoted name (`index` is a keyword).
fn table_name(table: Table) -> String {
    format!("{SCHEMA}.\"{}\"", table.name())
}

impl PostgresMeta {
    /// Runs `sql` with `params` (all bytea) on a pooled connection; a connection found lost is
    /// replaced and the read tried again.
    fn query(
        &self,
        doing: &'static str,
        sql: String,
        params: Vec<Vec<u8>>,
    ) -> Result<Vec<Row>, StorageError> {
        let pool = self.pool.clone();
        self.bridge.run(async move {
            // After a restart of the server every idle connection is dead: at most all of
            // them are found so, then a new one is opened.
            let mut tries = pool.status().max_size + 1;
            loop {
                tries -= 1;
                let client = pool.get().await.map_err(|e| error::pool(doing, &e))?;
                let result = async {
                    let statement = client.prepare_cached(&sql).await?;
                    let params: Vec<&(dyn ToSql + Sync)> =
                        params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
                    client.query(&statement, &params).await
                }
                .await;
                match result {
                    Ok(rows) => return Ok(rows),
                    Err(e) if tries > 0 && connection_lost(&e) => {
                        // Out of the pool for good: its connection is gone.
                        drop(Object::take(client));
                    }
                    Err(e) => return Err(driver(doing, &e)),
                }
            }
        })?
    }

    /// Up to [`PAGE`] entries of `table` from `from` (included when `inclusive`) and below
    /// `end` when given, in key order.
    pub(super) fn page(
        &self,
        table: Table,
        from: &[u8],
        inclusive: bool,
        end: Option<&[u8]>,
    ) -> Result<Vec<Entry>, StorageError> {
        let op = if inclusive { ">=" } else { ">" };
        let (bound, mut params) = (end.map_or("", |_| " AND key < $2"), vec![from.to_vec()]);
        params.extend(end.map(<[u8]>::to_vec));
        let sql = format!(
            "SELECT key, value FROM {} WHERE key {op} $1{bound} ORDER BY key LIMIT {PAGE}",
            table_name(table)
        );
        self.query("scanning records", sql, params)?
            .iter()
            .map(entry)
            .collect()
    }
}

/// A pooled connection that answered: one found closed by the server is dropped and another
/// taken, before anything of the caller's is sent on it.
pub(super) async fn live(pool: &Pool, doing: &str) -> Result<Object, StorageError> {
    let mut tries = pool.status().max_size + 1;
    loop {
        tries -= 1;
        let client = pool.get().await.map_err(|e| error::pool(doing, &e))?;
        match client.simple_query("").await {
            Ok(_) => return Ok(client),
            Err(e) if tries > 0 && connection_lost(&e) => drop(Object::take(client)),
            Err(e) => return Err(driver(doing, &e)),
        }
    }
}

/// A row's key and value.
fn entry(row: &Row) -> Result<Entry, StorageError> {
    let key = row
        .try_get(0)
        .map_err(|e| driver("reading a record's key", &e))?;
    let value = row
        .try_get(1)
        .map_err(|e| driver("reading a record's value", &e))?;
    Ok((key, value))
}

/// A scan by keyset pages (the module's documentation).
struct Pages<'a> {
    store: &'a PostgresMeta,
    table: Table,
    /// Where the next page starts: the prefix, then the last key read.
    next: Vec<u8>,
    inclusive: bool,
    end: Option<Vec<u8>>,
    buffer: VecDeque<Entry>,
    done: bool,
}

impl Iterator for Pages<'_> {
    type Item = Result<Entry, StorageError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.buffer.is_empty() && !self.done {
            match self
                .store
                .page(self.table, &self.next, self.inclusive, self.end.as_deref())
            {
                Ok(page) => {
                    self.done = page.len() < PAGE;
                    if let Some((last, _)) = page.last() {
                        self.next.clone_from(last);
                        self.inclusive = false;
                    }
                    self.buffer = page.into();
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
        self.buffer.pop_front().map(Ok)
    }
}

/// A batch's records of one table, in key order, each with its place in the batch.
struct Inserts {
    table: Table,
    places: Vec<usize>,
    keys: Vec<Vec<u8>>,
    values: Vec<Vec<u8>>,
}

impl MetaStore for PostgresMeta {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        let sql = format!("SELECT value FROM {} WHERE key = $1", table_name(table));
        let rows = self.query("reading a record", sql, vec![key.to_vec()])?;
        rows.first()
            .map(|row| row.try_get(0))
            .transpose()
            .map_err(|e| driver("reading a record's value", &e))
    }

    fn commit(&self, batch: MetaBatch) -> Result<(), StorageError> {
        let MetaBatch { puts, disposed } = batch;
        let mut seen = HashSet::new();
        for (table, key, _) in &puts {
            if !seen.insert((*table, key.as_slice())) {
                return Err(StorageError::Exists {
                    table: *table,
                    key: key.clone(),
                });
            }
        }
        drop(seen);
        // (table's rank, key, place in the batch, value), sorted: tables in `Table::ALL`'s
        // order, keys in order within each.
        let rank = |table: Table| Table::ALL.iter().position(|t| *t == table);
        let mut rows: Vec<_> = puts
            .into_iter()
            .enumerate()
            .map(|(place, (table, key, value))| (rank(table), table, key, place, value))
            .collect();
        rows.sort_unstable_by(|a, b| (a.0, &a.2).cmp(&(b.0, &b.2)));
        let mut groups: Vec<Inserts> = Vec::new();
        for (_, table, key, place, value) in rows {
            if groups.last().is_none_or(|group| group.table != table) {
                groups.push(Inserts {
                    table,
                    places: Vec::new(),
                    keys: Vec::new(),
                    values: Vec::new(),
                });
            }
            if let Some(group) = groups.last_mut() {
                group.places.push(place);
                group.keys.push(key);
                group.values.push(value);
            }
        }
        let pool = self.pool.clone();
        self.bridge.run(async move {
            let doing = "committing a batch";
            let mut client = live(&pool, doing).await?;
            let tx = client.transaction().await.map_err(|e| driver(doing, &e))?;
            // The batch's first record that exists (the one RocksDB names): every table is
            // tried, then the transaction rolled back.
            let mut existing: Option<(usize, Table, Vec<u8>)> = None;
            for group in &groups {
                let sql = format!(
                    "INSERT INTO {} (key, value) SELECT * FROM unnest($1::bytea[], $2::bytea[]) \
                     ON CONFLICT (key) DO NOTHING RETURNING key",
                    table_name(group.table)
                );
                let statement = tx
                    .prepare_cached(&sql)
                    .await
                    .map_err(|e| driver(doing, &e))?;
                let rows = tx
                    .query(&statement, &[&group.keys, &group.values])
                    .await
                    .map_err(|e| driver(doing, &e))?;
                if rows.len() == group.keys.len() {
                    continue;
                }
                let inserted: HashSet<Vec<u8>> =
                    rows.iter().filter_map(|row| row.try_get(0).ok()).collect();
                let first = group
                    .places
                    .iter()
                    .zip(&group.keys)
                    .filter(|(_, key)| !inserted.contains(*key))
                    .min_by_key(|(place, _)| **place);
                if let Some((&place, key)) = first
                    && existing
                        .as_ref()
                        .is_none_or(|(before, _, _)| place < *before)
                {
                    existing = Some((place, group.table, key.clone()));
                }
            }
            if let Some((_, table, key)) = existing {
                tx.rollback().await.map_err(|e| driver(doing, &e))?;
                return Err(StorageError::Exists { table, key });
            }
            if !disposed.is_empty() {
                let sql = format!(
                    "DELETE FROM {} WHERE key = ANY($1::bytea[])",
                    table_name(Table::Manifests)
                );
                let statement = tx
                    .prepare_cached(&sql)
                    .await
                    .map_err(|e| driver(doing, &e))?;
                tx.execute(&statement, &[&disposed])
                    .await
                    .map_err(|e| driver(doing, &e))?;
            }
            tx.commit().await.map_err(|e| {
                if e.is_closed() {
                    StorageError::Engine(
                        "PostgreSQL: the connection was lost during COMMIT: the batch may or \
                         may not be stored"
                            .into(),
                    )
                } else {
                    driver(doing, &e)
                }
            })
        })?
    }

    fn scan(&self, table: Table) -> Box<dyn Iterator<Item = Result<Entry, StorageError>> + '_> {
        self.scan_prefix(table, &[])
    }

    fn scan_prefix(
        &self,
        table: Table,
        prefix: &[u8],
    ) -> Box<dyn Iterator<Item = Result<Entry, StorageError>> + '_> {
        Box::new(Pages {
            store: self,
            table,
            next: prefix.to_vec(),
            inclusive: true,
            end: successor(prefix),
            buffer: VecDeque::new(),
            done: false,
        })
    }

    fn last_with_prefix(&self, table: Table, prefix: &[u8]) -> Result<Option<Entry>, StorageError> {
        let end = successor(prefix);
        let bound = end.as_ref().map_or("", |_| " AND key < $2");
        let sql = format!(
            "SELECT key, value FROM {} WHERE key >= $1{bound} ORDER BY key DESC LIMIT 1",
            table_name(table)
        );
        let mut params = vec![prefix.to_vec()];
        params.extend(end);
        let rows = self.query("reading the last record of a prefix", sql, params)?;
        rows.first().map(entry).transpose()
    }

    fn prefix_cursor(&self, table: Table) -> Box<dyn PrefixCursor + '_> {
        Box::new(PostgresCursor::new(self, table))
    }

    fn writer_section(&self) -> Result<WriterSection<'_>, StorageError> {
        self.enter_writer_section()
    }
}
