//! The C library's allocator, set for a long-running server (`docs/reliability.md`, "Memory").
//!
//! A heap profile of the soak (heaptrack) found the live heap flat, its memtables and block
//! cache within RocksDB's bounds and nothing else above a megabyte, while the resident set
//! kept growing over it: the difference is memory glibc's `malloc` keeps after it was freed.
//! RocksDB takes its memtables' memory in blocks of megabytes (`Arena::AllocateNewBlock`).
//! glibc maps such a block on its own, until the first mapped block is freed: then it raises
//! its mapping threshold to that block's size (up to 32 MiB), and the next memtables are
//! carved from the arenas' heaps. Each of the blocking threads that write takes an arena of
//! its own (eight a core by default), a freed memtable leaves holes between smaller
//! allocations there, and a heap gives memory back only from its top. Two bounds, set before
//! the first thread starts: a fixed mapping threshold (glibc's own default, 128 KiB, which
//! then stays), so that every memtable block is mapped and unmapped on its own; and fewer
//! arenas. An operator's own setting, in glibc's variables (`MALLOC_MMAP_THRESHOLD_`,
//! `MALLOC_ARENA_MAX`, or `GLIBC_TUNABLES`), is kept.

/// Blocks at least this large are mapped on their own and unmapped when freed: glibc's
/// initial threshold, fixed (set explicitly, glibc no longer raises it).
pub(super) const MMAP_THRESHOLD: usize = 128 << 10;

/// The most arenas: one a core, with at least two, against glibc's eight a core.
pub(super) fn arena_max() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    cores.max(2)
}

/// What [`tune`] set (none of it where glibc is not the allocator, or where the operator set
/// it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Tuning {
    /// The fixed mapping threshold, in bytes.
    pub mmap_threshold: Option<usize>,
    /// The most arenas.
    pub arena_max: Option<usize>,
}

/// Sets the bounds; to be called before the process starts its threads.
pub(super) fn tune() -> Tuning {
    tune_unless(|name| std::env::var_os(name).is_some())
}

/// [`tune`], with `set(name)` telling whether the environment has the variable `name`.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_unless(set: impl Fn(&str) -> bool) -> Tuning {
    let tunables = set("GLIBC_TUNABLES");
    let mut tuning = Tuning::default();
    if !tunables && !set("MALLOC_MMAP_THRESHOLD_") && glibc::mallopt(glibc::MMAP, MMAP_THRESHOLD) {
        tuning.mmap_threshold = Some(MMAP_THRESHOLD);
    }
    let arenas = arena_max();
    if !tunables && !set("MALLOC_ARENA_MAX") && glibc::mallopt(glibc::ARENA_MAX, arenas) {
        tuning.arena_max = Some(arenas);
    }
    tuning
}

/// Another C library: its allocator is left as it is.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_unless(_set: impl Fn(&str) -> bool) -> Tuning {
    Tuning::default()
}

/// The one call into glibc.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
mod glibc {
    pub(super) const MMAP: libc::c_int = libc::M_MMAP_THRESHOLD;
    pub(super) const ARENA_MAX: libc::c_int = libc::M_ARENA_MAX;

    /// `mallopt(param, value)`: whether glibc took it.
    pub(super) fn mallopt(param: libc::c_int, value: usize) -> bool {
        let Ok(value) = libc::c_int::try_from(value) else {
            return false;
        };
        // SAFETY: mallopt takes two integers and changes the allocator's parameters under its
        // own lock; it touches no memory of the caller's.
        unsafe { libc::mallopt(param, value) == 1 }
    }

    /// The bytes in blocks mapped on their own now (`mallinfo2().hblkhd`).
    #[cfg(test)]
    pub(super) fn mapped_bytes() -> usize {
        // SAFETY: mallinfo2 returns a struct by value and reads the allocator's counters
        // under its lock.
        unsafe { libc::mallinfo2() }.hblkhd
    }
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;

    #[test]
    fn an_operators_setting_is_kept() {
        let tuning = tune_unless(|name| name == "MALLOC_ARENA_MAX");
        assert_eq!(tuning.arena_max, None);
        assert_eq!(tuning.mmap_threshold, Some(MMAP_THRESHOLD));
        assert_eq!(
            tune_unless(|name| name == "GLIBC_TUNABLES"),
            Tuning::default()
        );
    }

    /// The bound that matters: after a large block was freed, glibc does not raise its
    /// threshold, so a memtable-sized block is still mapped on its own (and given back when
    /// freed). Without the fixed threshold, the second block comes from a heap.
    #[test]
    fn a_block_of_megabytes_is_mapped_even_after_a_larger_one_was_freed() {
        let tuning = tune_unless(|_| false);
        assert_eq!(tuning.mmap_threshold, Some(MMAP_THRESHOLD));
        assert_eq!(tuning.arena_max, Some(arena_max()));
        let large = vec![1u8; 16 << 20];
        drop(std::hint::black_box(large));
        // Other tests of this process may map and unmap blocks meanwhile: a few tries.
        let mapped = (0..5).any(|_| {
            let before = glibc::mapped_bytes();
            let block = std::hint::black_box(vec![1u8; 2 << 20]);
            let after = glibc::mapped_bytes();
            drop(block);
            after >= before + (2 << 20)
        });
        assert!(
            mapped,
            "a block of 2 MiB came from a heap, not from its own mapping"
        );
    }
}
