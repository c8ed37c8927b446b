//! Progress on standard error: a bar with the rate and the time left on a terminal (a spinner
//! when the total is not known), otherwise a JSON line every few seconds for logs.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// A run's progress report.
pub(crate) struct Progress {
    bar: Option<indicatif::ProgressBar>,
    total: Option<u64>,
    last: Instant,
    started: Instant,
    /// Done before this process started (a resumed run).
    before: u64,
}

impl Progress {
    const EVERY: Duration = Duration::from_secs(5);

    /// Progress towards `total` items when it is known, `before` of them done already.
    pub(crate) fn new(total: Option<u64>, before: u64) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let (bar, template) = match total {
                Some(total) => (
                    indicatif::ProgressBar::new(total),
                    "{bar:40} {pos}/{len} ({per_sec}, {eta} left)",
                ),
                None => (
                    indicatif::ProgressBar::new_spinner(),
                    "{spinner} {pos} verified ({per_sec})",
                ),
            };
            if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            bar.set_position(before);
            bar.reset_eta();
            bar
        });
        Self {
            bar,
            total,
            last: Instant::now(),
            started: Instant::now(),
            before,
        }
    }

    /// `done` items are done, counting those before this process.
    pub(crate) fn tick(&mut self, done: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(done);
        } else if self.last.elapsed() >= Self::EVERY {
            self.last = Instant::now();
            let seconds = self.started.elapsed().as_secs_f64();
            let rate = (done.saturating_sub(self.before)) as f64 / seconds.max(f64::EPSILON);
            let left = self
                .total
                .filter(|_| rate > 0.0)
                .map(|total| total.saturating_sub(done) as f64 / rate);
            eprintln!(
                "{}",
                serde_json::json!({ "progress": {
                    "done": done,
                    "total": self.total,
                    "seconds": seconds,
                    "perSecond": rate,
                    "secondsLeft": left,
                } })
            );
        }
    }

    /// Clears the bar.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
