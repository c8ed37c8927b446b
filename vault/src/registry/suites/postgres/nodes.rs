//! Two registries ("nodes") on one PostgreSQL database, registering at once from several
//! threads each: the writer section, an advisory lock across the nodes, keeps the numbers
//! gap-free and the audit log one log, in order.

use super::*;

#[test]
fn two_nodes_registering_at_once_keep_numbers_gap_free_and_one_audit_log() {
    const THREADS: usize = 2;
    const EACH: usize = 6;
    let database = cluster().database();
    // Each node with chunks of its own and the records of both.
    let node = |dir: &std::path::Path| -> Registry {
        let content = ContentStore::with_backend(
            Split::new(cluster().vault(&database), RocksBackend::open(dir).unwrap()),
            crate::content::ContentConfig::default(),
        )
        .unwrap();
        Registry::new(
            content,
            Arc::new(pki::rsa_and_officer_verifier()),
            Calendar::builtin().unwrap(),
            Numbering::new(Template::parse(Numbering::DEFAULT_TEMPLATE).unwrap()),
        )
        .unwrap()
        .with_clock(test_clock)
    };
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let nodes: Vec<Registry> = dirs.iter().map(|dir| node(dir.path())).collect();

    let registered: Vec<Registered> = std::thread::scope(|scope| {
        let mut workers = Vec::new();
        for (n, node) in nodes.iter().enumerate() {
            for thread in 0..THREADS {
                workers.push(scope.spawn(move || {
                    (0..EACH)
                        .map(|i| {
                            // Contents of their own: each node holds the chunks it was given.
                            let pdf = format!("%PDF-1.7\n% node {n}, thread {thread}, {i}\n");
                            let submission = registration(node, pdf.as_bytes(), &INDIVIDUAL);
                            node.register(&submission).unwrap()
                        })
                        .collect::<Vec<_>>()
                }));
            }
        }
        workers
            .into_iter()
            .flat_map(|worker| worker.join().unwrap())
            .collect()
    });

    let total = nodes.len() * THREADS * EACH;
    let mut numbers: Vec<String> = registered
        .iter()
        .map(|r| r.version.registration_number.clone())
        .collect();
    numbers.sort();
    let gap_free: Vec<String> = (1..=total)
        .map(|n| format!("ТОО Тест-2026-{n:06}"))
        .collect();
    assert_eq!(numbers, gap_free);
    let mut indexes: Vec<u64> = registered.iter().map(|r| r.version.audit_index).collect();
    indexes.sort_unstable();
    assert_eq!(indexes, (0..total as u64).collect::<Vec<_>>());
    // One log, whole and consistent with every record, seen alike from both nodes.
    for node in &nodes {
        let report = verified(node);
        assert!(report.is_clean(), "{:?}", report.problems);
        assert_eq!(report.entries, total as u64);
        assert_eq!(log_size(node), total as u64);
    }
}
