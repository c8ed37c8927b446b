//! [`MetaStore::prefix_cursor`](crate::storage::MetaStore::prefix_cursor) on PostgreSQL: one
//! keyset read that moves forward through the table, so that a bulk read of every document's
//! versions costs a query per page of rows, not one per document.
//!
//! The cursor holds the rows read so far from where it last sought, up to the last key read
//! (`read_to`): every key of the table in that range is in its buffer. A prefix within the
//! range is answered from the buffer, read on page by page while the prefix's rows run past
//! it; a prefix beyond it seeks anew (`key >= prefix`). Like the scans, it is not a snapshot:
//! rows committed after a page was read are not in it.

use std::collections::VecDeque;

use super::PostgresMeta;
use super::meta::PAGE;
use crate::storage::{Entry, PrefixCursor, StorageError, Table};

pub(super) struct PostgresCursor<'a> {
    store: &'a PostgresMeta,
    table: Table,
    /// Rows not yet passed, in key order.
    buffer: VecDeque<Entry>,
    /// The last key read; `None` before the first read.
    read_to: Option<Vec<u8>>,
    /// Whether the last read reached the end of the table.
    at_end: bool,
}

impl<'a> PostgresCursor<'a> {
    pub(super) fn new(store: &'a PostgresMeta, table: Table) -> Self {
        Self {
            store,
            table,
            buffer: VecDeque::new(),
            read_to: None,
            at_end: false,
        }
    }

    /// Reads the page from `from` (included when `inclusive`) into the buffer.
    fn read(&mut self, from: &[u8], inclusive: bool) -> Result<(), StorageError> {
        let page = self.store.page(self.table, from, inclusive, None)?;
        self.at_end = page.len() < PAGE;
        if let Some((last, _)) = page.last() {
            self.read_to = Some(last.clone());
        } else {
            self.read_to = Some(from.to_vec());
        }
        self.buffer.extend(page);
        Ok(())
    }

    /// Whether every key up to `key` has been read (or the table ends before it).
    fn covers(&self, key: &[u8]) -> bool {
        self.at_end || self.read_to.as_deref().is_some_and(|to| key <= to)
    }
}

impl PrefixCursor for PostgresCursor<'_> {
    fn entries(&mut self, prefix: &[u8]) -> Result<Vec<Entry>, StorageError> {
        while self
            .buffer
            .front()
            .is_some_and(|(key, _)| key.as_slice() < prefix)
        {
            self.buffer.pop_front();
        }
        if self.read_to.is_none() || !self.covers(prefix) {
            // Far on (or the first prefix): seek.
            self.buffer.clear();
            self.read(prefix, true)?;
        }
        let mut entries = Vec::new();
        loop {
            while let Some((key, _)) = self.buffer.front() {
                if !key.starts_with(prefix) {
                    return Ok(entries);
                }
                entries.extend(self.buffer.pop_front());
            }
            // The buffer is spent: the prefix's rows may go on past the last key read.
            if self.at_end {
                return Ok(entries);
            }
            let from = self.read_to.clone().unwrap_or_else(|| prefix.to_vec());
            self.read(&from, false)?;
        }
    }
}
