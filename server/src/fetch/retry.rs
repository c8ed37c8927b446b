//! Exponential back-off with full jitter: the n-th retry waits a uniformly random time in
//! `[0, min(cap, base · 2ⁿ)]`, so that clients that failed together do not retry together.

use std::time::Duration;

use ring::rand::{SecureRandom, SystemRandom};

/// When to try again after failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    /// The ceiling of the first retry's wait.
    pub(crate) base: Duration,
    /// The ceiling of any wait.
    pub(crate) cap: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(30),
            cap: Duration::from_secs(3600),
        }
    }
}

impl Backoff {
    /// The wait before the retry that follows `failures` failures in a row (at least 1).
    pub(crate) fn wait(&self, failures: u32) -> Duration {
        self.wait_with(failures, random_fraction())
    }

    /// [`Backoff::wait`] with the random draw given, a fraction in `[0, 1]`.
    fn wait_with(&self, failures: u32, fraction: f64) -> Duration {
        let doublings = failures.saturating_sub(1).min(32);
        let ceiling = self
            .base
            .saturating_mul(1u32 << doublings.min(31))
            .min(self.cap);
        ceiling.mul_f64(fraction.clamp(0.0, 1.0))
    }
}

/// A uniformly random fraction in `[0, 1]`; 1 when the system has no randomness to give
/// (then the wait is its ceiling: slower, never sooner).
fn random_fraction() -> f64 {
    let mut bytes = [0u8; 4];
    match SystemRandom::new().fill(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / f64::from(u32::MAX),
        Err(_) => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ceiling_doubles_to_the_cap_and_the_draw_scales_it() {
        let backoff = Backoff {
            base: Duration::from_secs(10),
            cap: Duration::from_secs(300),
        };
        let ceiling = |failures| backoff.wait_with(failures, 1.0).as_secs();
        assert_eq!(
            (1..=7).map(ceiling).collect::<Vec<_>>(),
            [10, 20, 40, 80, 160, 300, 300]
        );
        assert_eq!(ceiling(u32::MAX), 300);
        assert_eq!(backoff.wait_with(3, 0.5), Duration::from_secs(20));
        assert_eq!(backoff.wait_with(3, 0.0), Duration::ZERO);
        for failures in 1..10 {
            assert!(backoff.wait(failures) <= Duration::from_secs(300));
        }
    }
}
