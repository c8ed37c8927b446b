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

#[test]
fn two_nodes_importing_at_once_list_each_address_once_without_gaps() {
    const EACH: usize = 8;
    let database = cluster().database();
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
    let at = test_clock();
    let by = actor("operator");
    // Both nodes import the same data (an operator running the import against each), and
    // each some of its own, at once.
    let address = |text: String| ContentAddress::of(text.as_bytes());
    let recorded: Vec<Option<u64>> = std::thread::scope(|scope| {
        let workers: Vec<_> = nodes
            .iter()
            .enumerate()
            .map(|(n, node)| {
                let by = &by;
                scope.spawn(move || {
                    (0..EACH)
                        .flat_map(|i| {
                            let shared = address(format!("shared {i}"));
                            let own = address(format!("node {n}, {i}"));
                            [shared, own].map(|a| {
                                node.record_revocation_import(ImportKind::Crl, a, at, by, at)
                                    .unwrap()
                            })
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().unwrap())
            .collect()
    });
    let total = EACH * 3;
    let mut numbers: Vec<u64> = recorded.iter().flatten().copied().collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=total as u64).collect::<Vec<_>>());
    for node in &nodes {
        let listed = node.revocation_imports_after(0).unwrap();
        assert_eq!(listed.len(), total);
        let distinct: std::collections::HashSet<_> =
            listed.iter().map(|l| l.import.address).collect();
        assert_eq!(distinct.len(), total);
        assert_eq!(node.last_revocation_import().unwrap(), total as u64);
        let report = verified(node);
        assert!(report.is_clean(), "{:?}", report.problems);
        assert_eq!(report.records, total as u64);
    }
}
