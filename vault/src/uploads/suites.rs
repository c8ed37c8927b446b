//! The upload store's suite (`tests.rs`) on each store: the directory of one process, and
//! the rows in PostgreSQL with the parts in S3. One suite, not a copy: `tests.rs` is included
//! in one module per store, which says how to make its environment, open a store there
//! (opening again is a restart of the process, or another node of the distributed engine),
//! read an upload's acknowledged bytes and count what is left. PostgreSQL and the Ceph S3
//! gateway are started by the tests' own scripts (`storage::postgres::testing`,
//! `storage::s3::tests`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sha2::{Digest, Sha256};

use super::*;

mod files {
    use super::*;

    /// A directory of its own.
    type Env = tempfile::TempDir;

    /// The property test's cases.
    const CASES: u32 = 64;

    fn new_env() -> Env {
        tempfile::tempdir().unwrap()
    }

    fn open_with(env: &Env, config: UploadConfig) -> Result<UploadStore, UploadError> {
        UploadStore::open(env.path(), config)
    }

    fn dir(store: &UploadStore) -> &Path {
        match store {
            UploadStore::Files(files) => files.dir(),
            UploadStore::Distributed(_) => panic!("not the directory store"),
        }
    }

    /// The bytes in the upload's data file.
    fn stored(store: &UploadStore, id: UploadId) -> Vec<u8> {
        std::fs::read(dir(store).join(format!("{id}.data"))).unwrap()
    }

    /// The files in the directory.
    fn leftovers(_env: &Env, store: &UploadStore) -> usize {
        std::fs::read_dir(dir(store)).unwrap().count()
    }

    include!("tests.rs");
}

mod distributed {
    use super::*;
    use crate::storage::postgres::testing::cluster;
    use crate::storage::s3::{S3Chunks, S3Config};

    /// A database and a bucket of their own, and the scratch directory of the node.
    struct Env {
        database: String,
        s3: S3Config,
        scratch: tempfile::TempDir,
    }

    /// The property test's cases: each step is a few round trips to PostgreSQL and S3.
    const CASES: u32 = 12;

    fn new_env() -> Env {
        let s3 = crate::storage::s3::tests::config();
        drop(crate::storage::s3::tests::store_with(s3.clone()));
        Env {
            database: cluster().database(),
            s3,
            scratch: tempfile::tempdir().unwrap(),
        }
    }

    /// A node on the environment's database and bucket.
    fn open_with(env: &Env, config: UploadConfig) -> Result<UploadStore, UploadError> {
        let rows = cluster().vault(&env.database).upload_rows(4).unwrap();
        let objects = S3Chunks::open(&env.s3).unwrap().staged_objects().unwrap();
        DistributedUploads::new(rows, objects, env.scratch.path(), config).map(UploadStore::from)
    }

    fn distributed(store: &UploadStore) -> &DistributedUploads {
        match store {
            UploadStore::Distributed(store) => store,
            UploadStore::Files(_) => panic!("not the distributed store"),
        }
    }

    /// The acknowledged parts, in order.
    fn stored(store: &UploadStore, id: UploadId) -> Vec<u8> {
        distributed(store).acknowledged(id)
    }

    /// Rows, staged objects, and files in the scratch directory.
    fn leftovers(env: &Env, store: &UploadStore) -> usize {
        let (rows, objects) = distributed(store).leftovers();
        let files = std::fs::read_dir(env.scratch.path()).unwrap().count();
        rows as usize + objects + files
    }

    include!("tests.rs");

    mod nodes;
}
