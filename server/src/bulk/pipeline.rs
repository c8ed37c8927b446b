//! Items verified on every core, their results handed on in the items' order.
//!
//! The items are produced on the calling thread (a store's iterator need not be `Send`),
//! verified by `jobs` workers and passed to the sink, on a thread of its own, in order. They
//! travel in batches, so that the threads wake each other once a batch rather than once an
//! item. At most a window of batches is between the producer and the sink, so memory stays
//! flat whatever the number of items, even when one item takes much longer than the others.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, PoisonError, mpsc};

/// Items a batch holds: enough to make waking a thread rare beside the work of verifying
/// them, few enough that a stop or a failure is acted on within milliseconds.
const BATCH: usize = 16;

/// Runs `work` on each of `items` on `jobs` threads and gives each result to `sink` in the
/// items' order. Stops taking items when `stop` is set (what was taken is finished and handed
/// on) or when `sink` fails (its error is returned).
pub(crate) fn run_ordered<I, R, E>(
    jobs: usize,
    mut items: impl Iterator<Item = I>,
    stop: &AtomicBool,
    work: impl Fn(I) -> R + Sync,
    mut sink: impl FnMut(R) -> Result<(), E> + Send,
) -> Result<(), E>
where
    I: Send,
    R: Send,
    E: Send,
{
    let jobs = jobs.max(1);
    // Batches between the producer and the sink.
    let window = jobs * 4;
    // Batches handed on by the sink: the producer waits while `window` are in flight.
    let written = Mutex::new(0usize);
    let progressed = Condvar::new();
    let failed = AtomicBool::new(false);
    let (to_workers, for_workers) = mpsc::sync_channel::<(usize, Vec<I>)>(jobs);
    let for_workers = Mutex::new(for_workers);
    let (to_sink, for_sink) = mpsc::sync_channel::<(usize, Vec<R>)>(window);
    std::thread::scope(|scope| {
        let (written, progressed, failed) = (&written, &progressed, &failed);
        for _ in 0..jobs {
            let (for_workers, to_sink, work) = (&for_workers, to_sink.clone(), &work);
            scope.spawn(move || {
                loop {
                    let next = for_workers
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .recv();
                    let Ok((index, batch)) = next else { break };
                    // After a failed sink the queue is drained, not worked: the producer must
                    // not block on a full queue.
                    if !failed.load(Ordering::Relaxed) {
                        let results = batch.into_iter().map(work).collect();
                        let _ = to_sink.send((index, results));
                    }
                }
            });
        }
        drop(to_sink);
        let sink = scope.spawn(move || {
            let mut waiting = BTreeMap::new();
            let mut next = 0;
            for (index, results) in for_sink {
                waiting.insert(index, results);
                while let Some(results) = waiting.remove(&next) {
                    next += 1;
                    for result in results {
                        if let Err(e) = sink(result) {
                            failed.store(true, Ordering::Relaxed);
                            progressed.notify_all();
                            return Err(e);
                        }
                    }
                    *written.lock().unwrap_or_else(PoisonError::into_inner) = next;
                    progressed.notify_all();
                }
            }
            Ok(())
        });
        for index in 0.. {
            let mut batch = Vec::with_capacity(BATCH);
            while batch.len() < BATCH
                && !stop.load(Ordering::Relaxed)
                && !failed.load(Ordering::Relaxed)
                && let Some(item) = items.next()
            {
                batch.push(item);
            }
            if batch.is_empty() {
                break;
            }
            let mut done = written.lock().unwrap_or_else(PoisonError::into_inner);
            while index >= *done + window && !failed.load(Ordering::Relaxed) {
                done = progressed
                    .wait(done)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            drop(done);
            if to_workers.send((index, batch)).is_err() {
                break;
            }
        }
        drop(to_workers);
        sink.join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_order_whatever_the_workers_take() {
        let stop = AtomicBool::new(false);
        let mut seen = Vec::new();
        run_ordered(
            3,
            0..500u64,
            &stop,
            |n| {
                // Some items take longer than the ones after them.
                if n % 7 == 0 {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
                n * 2
            },
            |r| {
                seen.push(r);
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        assert_eq!(seen, (0..500).map(|n| n * 2).collect::<Vec<_>>());
    }

    #[test]
    fn a_failing_sink_stops_the_run_with_its_error() {
        let stop = AtomicBool::new(false);
        let mut taken = 0;
        let result = run_ordered(
            2,
            0..1_000_000u64,
            &stop,
            |n| n,
            |n| {
                taken += 1;
                if n == 10 { Err("disk full") } else { Ok(()) }
            },
        );
        assert_eq!(result, Err("disk full"));
        assert_eq!(taken, 11);
    }

    #[test]
    fn a_stop_finishes_what_was_taken_in_order() {
        let stop = AtomicBool::new(false);
        let mut seen = Vec::new();
        run_ordered(
            2,
            0..1_000_000u64,
            &stop,
            |n| n,
            |n| {
                if n == 100 {
                    stop.store(true, Ordering::Relaxed);
                }
                seen.push(n);
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        assert!(seen.len() < 1_000_000);
        assert_eq!(seen, (0..seen.len() as u64).collect::<Vec<_>>());
    }
}
