//! The shared replay guard on the tests' PostgreSQL: what one node admits, every other node
//! refuses, and of concurrent copies exactly one is admitted.

use super::super::testing::{VAULT_ROLE, cluster};
use super::*;

fn digest(n: u8) -> Vec<u8> {
    vec![n; DIGEST_LENGTH]
}

#[test]
fn a_digest_is_admitted_once_until_it_expires() {
    let store = cluster().fresh();
    let guard = store.signed_requests();
    assert!(guard.admit(&[digest(1)], 1060, 1000).unwrap());
    assert!(!guard.admit(&[digest(1)], 1061, 1001).unwrap());
    // Still live at its expiry second, and for the clocks' margin after it.
    assert!(!guard.admit(&[digest(1)], 1120, 1060).unwrap());
    assert!(
        !guard
            .admit(&[digest(1)], 1180, 1060 + CLOCK_MARGIN)
            .unwrap()
    );
    // One digest of an envelope already there refuses the whole envelope, and writes nothing.
    assert!(!guard.admit(&[digest(2), digest(1)], 1070, 1010).unwrap());
    assert_eq!(guard.len().unwrap(), 1);
    assert!(guard.admit(&[digest(2), digest(3)], 1070, 1010).unwrap());
    assert!(!guard.admit(&[digest(3)], 1070, 1010).unwrap());
    // Expired, it counts as absent: admitted again, its row replaced.
    let late = 1061 + CLOCK_MARGIN;
    assert!(guard.admit(&[digest(1)], late + 60, late).unwrap());
    assert!(!guard.admit(&[digest(1)], late + 61, late + 1).unwrap());
    assert_eq!(guard.len().unwrap(), 3);
    // The purge deletes only the rows expired by more than the margin.
    assert_eq!(guard.purge(1070 + CLOCK_MARGIN).unwrap(), 0);
    assert_eq!(guard.purge(1071 + CLOCK_MARGIN).unwrap(), 2);
    assert_eq!(guard.len().unwrap(), 1);
    assert!(!guard.admit(&[digest(1)], late + 70, late + 10).unwrap());
    // A digest that is not a SHA-256 is an error naming it, and nothing is written.
    let e = guard
        .admit(&[vec![1; 20]], late + 70, late + 10)
        .unwrap_err();
    assert!(e.to_string().contains("20 bytes"), "{e}");
    assert_eq!(guard.len().unwrap(), 1);
}

#[test]
fn two_nodes_see_each_other_s_admissions() {
    let cluster = cluster();
    let database = cluster.database();
    // Two stores on one database: two nodes.
    let (one, two) = (cluster.vault(&database), cluster.vault(&database));
    let (first, second) = (one.signed_requests(), two.signed_requests());
    assert!(first.admit(&[digest(7)], 1300, 1000).unwrap());
    assert!(!second.admit(&[digest(7)], 1300, 1001).unwrap());
    assert!(second.admit(&[digest(8)], 1300, 1001).unwrap());
    assert!(!first.admit(&[digest(8)], 1300, 1002).unwrap());
    // A node started later (a new guard) sees them too.
    let third = cluster.vault(&database).signed_requests();
    assert!(!third.admit(&[digest(7)], 1300, 1003).unwrap());
    assert!(
        third
            .admit(&[digest(7)], 1700, 1301 + CLOCK_MARGIN)
            .unwrap()
    );
}

#[test]
fn of_concurrent_copies_exactly_one_is_admitted() {
    let cluster = cluster();
    let database = cluster.database();
    let (one, two) = (cluster.vault(&database), cluster.vault(&database));
    let guards = [one.signed_requests(), two.signed_requests()];
    for round in 0..20u8 {
        // Expired rows of the digest, in half the rounds, are replaced by exactly one.
        if round % 2 == 1 {
            assert!(guards[0].admit(&[digest(round)], 999, 900).unwrap());
        }
        let barrier = std::sync::Barrier::new(4);
        let admitted = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..4)
                .map(|n| {
                    let (guard, barrier) = (&guards[n % 2], &barrier);
                    scope.spawn(move || {
                        barrier.wait();
                        guard.admit(&[digest(round)], 1400, 1100).unwrap()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap())
                .filter(|admitted| *admitted)
                .count()
        });
        assert_eq!(admitted, 1, "round {round}");
    }
}

/// The vault's role may delete rows of this table, and change none: the grants and the
/// trigger of migration 2.
#[test]
fn the_role_may_delete_signed_requests_and_change_none() {
    let cluster = cluster();
    let database = cluster.database();
    let guard = cluster.vault(&database).signed_requests();
    assert!(guard.admit(&[digest(1)], 1060, 1000).unwrap());
    let run = |user: &str, sql: &str| {
        let config = super::super::pool::config(&cluster.url(user, &database)).unwrap();
        let sql = sql.to_owned();
        Bridge::new("refusal", 1)
            .unwrap()
            .run(async move {
                let client = super::super::pool::connect_once(&config).await.unwrap();
                client
                    .batch_execute(&sql)
                    .await
                    .err()
                    .map(|e| e.as_db_error().unwrap().code().code().to_owned())
            })
            .unwrap()
    };
    let denied = Some("42501".to_owned());
    for user in [VAULT_ROLE, "postgres"] {
        for sql in [
            "UPDATE qoima.signed_requests SET expires_at = 0",
            "TRUNCATE qoima.signed_requests",
        ] {
            assert_eq!(run(user, sql), denied, "{user}: {sql}");
        }
    }
    assert_eq!(guard.len().unwrap(), 1);
    assert_eq!(run(VAULT_ROLE, "DELETE FROM qoima.signed_requests"), None);
    assert!(guard.is_empty().unwrap());
}
