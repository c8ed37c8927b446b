//! What every engine promises, as suites of test bodies run against each engine: the
//! [`MetaStore`](super::MetaStore) contract on RocksDB and PostgreSQL, the
//! [`ChunkStore`](super::ChunkStore) contract on RocksDB and S3 (the tests' Ceph gateway).

mod chunks;
mod records;
