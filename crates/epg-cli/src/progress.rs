//! Progress of a long read (`epg import`, `epg check` on a big feed) on the terminal:
//! bytes read of the total when the size is known, and programmes so far. Nothing is
//! drawn when standard error is not a terminal or the output is JSON, so that logs and
//! scripts never see it.

use std::io::IsTerminal;

use epg::feed::{OpenStop, Reject, Sink, Warning};
use epg::model::{Channel, Programme, TvInfo};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar on standard error, or a hidden one.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar for a read of `total` bytes (`None`: unknown, e.g. standard input), drawn
    /// only when `wanted` and standard error is a terminal.
    pub fn new(wanted: bool, total: Option<u64>) -> Self {
        if !wanted || !std::io::stderr().is_terminal() {
            return Self {
                bar: ProgressBar::hidden(),
            };
        }
        let template = match total {
            Some(_) => "{spinner} {bytes}/{total_bytes} ({percent}%) {msg}",
            None => "{spinner} {bytes} {msg}",
        };
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        Self { bar }
    }

    /// Records `bytes` read and `programmes` seen.
    pub fn update(&self, bytes: u64, programmes: u64) {
        self.bar.set_position(bytes);
        self.bar.set_message(format!("{programmes} programmes"));
    }

    /// Removes the bar, before the result is printed.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// A sink that shows the reader's progress and passes everything on to `inner`.
pub struct Reporting<'a, S> {
    /// The sink that does the work.
    pub inner: &'a mut S,
    /// Where progress goes.
    pub progress: &'a Progress,
}

impl<S: Sink> Sink for Reporting<'_, S> {
    type Error = S::Error;

    fn tv(&mut self, tv: &TvInfo) -> Result<(), S::Error> {
        self.inner.tv(tv)
    }

    fn channel(&mut self, channel: Channel) -> Result<(), S::Error> {
        self.inner.channel(channel)
    }

    fn programme(&mut self, programme: Programme) -> Result<(), S::Error> {
        self.inner.programme(programme)
    }

    fn reject(&mut self, reject: Reject) -> Result<(), S::Error> {
        self.inner.reject(reject)
    }

    // Forwarded, not left to the default, which rejects: the import stages such a
    // programme and settles its stop once the whole feed is read.
    fn programme_without_stop(
        &mut self,
        programme: Programme,
        open: OpenStop,
    ) -> Result<(), S::Error> {
        self.inner.programme_without_stop(programme, open)
    }

    fn warning(&mut self, warning: Warning) -> Result<(), S::Error> {
        self.inner.warning(warning)
    }

    fn progress(&mut self, bytes_read: u64, programmes: u64) -> Result<(), S::Error> {
        self.progress.update(bytes_read, programmes);
        self.inner.progress(bytes_read, programmes)
    }
}
