//! When to fetch a URL again.

use std::time::Duration;

use crate::config::RevocationSettings;

/// The instant (unix seconds) a CRL valid from `this_update` to `next_update` should be
/// replaced from: `margin` before nextUpdate, or when 3/4 of its validity has passed (NCA
/// RK's CRLs are valid about a day: a new one is sought 6 hours before the old one lapses).
/// `None` without nextUpdate.
pub(crate) fn refresh_at(
    this_update: i64,
    next_update: Option<i64>,
    margin: Option<Duration>,
) -> Option<i64> {
    let next = next_update?;
    Some(match margin {
        Some(margin) => next.saturating_sub(i64::try_from(margin.as_secs()).unwrap_or(i64::MAX)),
        None => this_update.saturating_add(next.saturating_sub(this_update).max(0) / 4 * 3),
    })
}

/// How long to wait before the next fetch of a URL whose CRL is refreshed from `refresh` (if
/// any) at `now`: until then but at most `check-interval-seconds`; once that point has
/// passed and no newer CRL came, `due_wait` (the back-off's, so that a CA late to publish is
/// not asked in a tight loop).
pub(crate) fn next_wait(
    refresh: Option<i64>,
    now: i64,
    settings: &RevocationSettings,
    due_wait: Duration,
) -> Duration {
    match refresh {
        Some(at) if at > now => Duration::from_secs(u64::try_from(at - now).unwrap_or(u64::MAX))
            .min(settings.check_interval),
        Some(_) => due_wait.min(settings.check_interval),
        None => settings.check_interval,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_quarters_or_the_margin() {
        const DAY: i64 = 86_400;
        assert_eq!(refresh_at(0, Some(DAY), None), Some(DAY / 4 * 3));
        assert_eq!(
            refresh_at(0, Some(DAY), Some(Duration::from_secs(3600))),
            Some(DAY - 3600)
        );
        assert_eq!(refresh_at(0, None, None), None);
        // A nextUpdate before thisUpdate (a broken CRL) is due at once.
        assert_eq!(refresh_at(100, Some(50), None), Some(100));
    }

    #[test]
    fn the_wait_is_bounded_by_the_check_interval() {
        let settings = RevocationSettings {
            check_interval: Duration::from_secs(3600),
            ..RevocationSettings::default()
        };
        let backoff = Duration::from_secs(40);
        assert_eq!(
            next_wait(Some(1000), 900, &settings, backoff),
            Duration::from_secs(100)
        );
        assert_eq!(
            next_wait(Some(100_000), 0, &settings, backoff),
            Duration::from_secs(3600)
        );
        assert_eq!(next_wait(Some(10), 900, &settings, backoff), backoff);
        assert_eq!(
            next_wait(None, 900, &settings, backoff),
            Duration::from_secs(3600)
        );
    }
}
