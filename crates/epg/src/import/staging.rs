//! The [`feed::Sink`] that writes a run's feed into `staging_channels` and
//! `staging_programmes`, in committed batches of multi-row inserts.
//!
//! Committing each batch keeps memory bounded, lets another connection watch the run's
//! progress, and never holds the write lock for longer than one batch.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use super::log::{self, Progress, ResumePoint};
use super::progress::Mark;
use super::stops::{self, MISSING, NOT_AFTER_START, STOP_REPAIRED};
use super::{Error, ImportOptions, RejectExample, RejectStats};
use crate::feed::{self, OpenStop, Reject, Sink, Warning};
use crate::model::{Channel, EpisodeInfo, Programme};
use crate::store::{self, Store, Value, write_transaction};

/// Columns written per staged programme.
const PROGRAMME_COLUMNS: usize = 13;
/// Rows per `INSERT`: well under SQLite's 32,766 bound parameters.
const ROWS_PER_INSERT: usize = 2_000;
/// Examples kept per reject reason.
const EXAMPLES_PER_REASON: usize = 5;

/// Where a provider channel's programmes stand, to know whether it needs resolving.
#[derive(Debug, Clone, Copy)]
struct ChannelState {
    last_stop: i64,
    /// Some programme started before the previous one on the channel ended.
    unordered: bool,
}

impl ChannelState {
    fn new() -> Self {
        Self {
            last_stop: i64::MIN,
            unordered: false,
        }
    }
}

/// What staging a feed produced.
#[derive(Debug)]
pub(crate) struct Staged {
    pub progress: Progress,
    /// Provider channels whose programmes overlap or are out of order: they need resolving.
    pub unordered: Vec<String>,
    pub rejected: u64,
    pub warnings: u64,
    pub rejects: BTreeMap<String, RejectStats>,
    pub warning_reasons: BTreeMap<String, RejectStats>,
}

/// The [`Sink`] of a run: stages what the feed holds in committed batches.
///
/// [`run`](super::run) feeds it with [`feed::read`]; [`run_with`](super::run_with)
/// hands it to any producer of channels and programmes.
pub struct StagingSink<'a, S: Store> {
    store: &'a S,
    run_id: i64,
    batch_size: usize,
    progress_interval: Duration,
    last_progress: Instant,
    /// Bound values of buffered programmes, `PROGRAMME_COLUMNS` per row.
    pending: Vec<Value>,
    pending_channels: Vec<Channel>,
    /// Programmes seen, staged or rejected: the document position of the last one, used
    /// as the staged row's `seq`.
    seq: i64,
    /// Programmes staged without a usable stop, settled in [`StagingSink::finish`].
    open_stops: u64,
    channels: HashMap<String, ChannelState>,
    max_channels: usize,
    progress: Progress,
    rejected: u64,
    warnings: u64,
    rejects: BTreeMap<String, RejectStats>,
    /// Programmes up to this `seq` were staged by an earlier call of the run: they are
    /// read again (for the counts, rejects and channel states) but not written.
    resume_seq: i64,
    /// The feed's bytes read so far, recorded with each batch (none for producers that
    /// are not a byte stream).
    mark: Option<Mark>,
    pause_at: Option<Instant>,
}

impl<'a, S: Store> StagingSink<'a, S> {
    /// A sink for run `run_id` with the batch size, progress interval, channel limit
    /// and pause time of `options`, continuing after `resume_seq` (0 for a new run).
    pub(crate) fn new(
        store: &'a S,
        run_id: i64,
        options: &ImportOptions,
        resume_seq: i64,
        mark: Option<Mark>,
    ) -> Self {
        let batch_size = options.batch_size.max(1);
        let progress_secs = options.progress_interval_secs;
        Self {
            store,
            run_id,
            batch_size,
            progress_interval: Duration::from_secs(progress_secs),
            last_progress: Instant::now(),
            pending: Vec::with_capacity(batch_size.min(10_000) * PROGRAMME_COLUMNS),
            pending_channels: Vec::new(),
            seq: 0,
            open_stops: 0,
            channels: HashMap::new(),
            max_channels: options.limits.max_channels,
            progress: Progress::default(),
            rejected: 0,
            warnings: 0,
            rejects: BTreeMap::new(),
            resume_seq,
            mark,
            pause_at: options.pause_at,
        }
    }

    /// Still reading what an earlier call of the run staged.
    fn replaying(&self) -> bool {
        self.resume_seq > 0 && self.seq <= self.resume_seq
    }

    /// Writes what is buffered, adds channels known only from programmes, and records the
    /// final progress.
    pub(crate) fn finish(mut self, bytes_read: u64) -> Result<Staged, Error> {
        self.progress.bytes_read = bytes_read;
        self.flush()?;
        // The staged rows are complete and about to change (stops, resolving): a call
        // cut off from here on starts the run over.
        log::clear_resume_point(self.store, self.run_id)?;
        let mut ids: Vec<&String> = self.channels.keys().collect();
        ids.sort();
        for chunk in ids.chunks(ROWS_PER_INSERT) {
            let mut values = Vec::with_capacity(chunk.len() * 3);
            for id in chunk {
                let data = to_json(&Channel {
                    id: (*id).clone(),
                    ..Channel::default()
                })?;
                values.extend([self.run_id.into(), (*id).as_str().into(), data.into()]);
            }
            // A programme's channel without a `<channel>` element is valid XMLTV: it gets a
            // bare channel; a real element staged earlier wins.
            let sql = format!(
                "INSERT INTO staging_channels (run_id, provider_channel_id, data) VALUES {} \
                 ON CONFLICT (run_id, provider_channel_id) DO NOTHING",
                placeholders(chunk.len(), 3)
            );
            self.store.execute(&sql, &values)?;
        }
        let settled = if self.open_stops > 0 {
            stops::settle(self.store, self.run_id)?
        } else {
            stops::Settled::default()
        };
        self.progress.programmes_seen -= settled.rejected.min(self.progress.programmes_seen);
        self.rejected += settled.rejected;
        self.rejects.extend(settled.rejects);
        let mut warning_reasons = BTreeMap::new();
        if settled.repaired.count > 0 {
            self.warnings += settled.repaired.count;
            warning_reasons.insert(STOP_REPAIRED.to_owned(), settled.repaired);
        }
        let mut unordered: Vec<String> = self
            .channels
            .iter()
            .filter(|(_, state)| state.unordered)
            .map(|(id, _)| id.clone())
            .collect();
        unordered.sort();
        Ok(Staged {
            progress: self.progress,
            unordered,
            rejected: self.rejected,
            warnings: self.warnings,
            rejects: self.rejects,
            warning_reasons,
        })
    }

    /// Buffers one programme's row; `dropped` is 0, or the state of an open stop.
    fn stage(&mut self, programme: Programme, stop: i64, dropped: i64) -> Result<(), Error> {
        if self.replaying() {
            return Ok(());
        }
        let episode = if programme.episode_nums.is_empty() {
            EpisodeInfo::default()
        } else {
            feed::parse_episode(&programme.episode_nums)
        };
        let data = to_json(&programme)?;
        let first = |texts: Vec<crate::model::LangText>| texts.into_iter().next().map(|t| t.value);
        self.pending.extend([
            self.run_id.into(),
            self.seq.into(),
            programme.channel.into(),
            programme.start.into(),
            stop.into(),
            first(programme.titles).unwrap_or_default().into(),
            first(programme.sub_titles).into(),
            first(programme.descs).into(),
            episode.season.into(),
            episode.episode.into(),
            episode.part.into(),
            data.into(),
            dropped.into(),
        ]);
        Ok(())
    }

    /// Tracks whether the channel's programmes so far follow each other without overlap.
    fn note_channel(&mut self, id: &str, start: i64, stop: i64) -> Result<(), Error> {
        self.know_channel(id)?;
        if let Some(state) = self.channels.get_mut(id) {
            if start < state.last_stop || stop <= start {
                state.unordered = true;
            }
            state.last_stop = stop;
        }
        Ok(())
    }

    /// Adds a channel id to those of the feed. Every later stage keeps something per
    /// channel, so their number is what bounds an import's memory beyond one record.
    fn know_channel(&mut self, id: &str) -> Result<(), Error> {
        if !self.channels.contains_key(id) {
            if self.channels.len() >= self.max_channels {
                let limit = self.max_channels;
                return Err(feed::Error::TooManyChannels { limit }.into());
            }
            self.channels.insert(id.to_owned(), ChannelState::new());
        }
        Ok(())
    }

    /// Commits buffered channels and programmes, with the progress and the point a
    /// later call may continue from, in one transaction.
    fn flush(&mut self) -> Result<(), Error> {
        let values = std::mem::take(&mut self.pending);
        let channels = std::mem::take(&mut self.pending_channels);
        let (run_id, progress) = (self.run_id, self.progress);
        // While replaying, the row already shows further than this call has read.
        let replaying = self.replaying();
        let resume = (!values.is_empty()).then(|| ResumePoint {
            seq: self.seq,
            prefix: self.mark.as_ref().map(|m| m.get()),
        });
        write_transaction(self.store, |store| {
            insert_channels(store, run_id, &channels)?;
            for chunk in values.chunks(ROWS_PER_INSERT * PROGRAMME_COLUMNS) {
                // OR FAIL: the transaction is rolled back whole on any error, so SQLite
                // need not keep a statement journal to undo half a statement.
                let sql = format!(
                    "INSERT OR FAIL INTO staging_programmes (run_id, seq, provider_channel_id, start, \
                     stop, title, sub_title, description, season, episode, part, data, dropped) \
                     VALUES {}",
                    placeholders(chunk.len() / PROGRAMME_COLUMNS, PROGRAMME_COLUMNS)
                );
                store.execute(&sql, chunk)?;
            }
            if !replaying {
                log::update_progress(store, run_id, progress)?;
            }
            if let Some(point) = resume {
                log::set_resume_point(store, run_id, point)?;
            }
            Ok::<_, Error>(())
        })?;
        self.pending = values;
        self.pending.clear();
        self.last_progress = Instant::now();
        Ok(())
    }

    /// Commits a full batch, then pauses the run if its time is up: a pause comes only
    /// after a batch this call staged, so every call gets further.
    fn flush_if_full(&mut self) -> Result<(), Error> {
        if self.pending.len() / PROGRAMME_COLUMNS >= self.batch_size {
            self.flush()?;
            if self.pause_at.is_some_and(|at| Instant::now() >= at) {
                return Err(Error::Paused);
            }
        }
        Ok(())
    }
}

impl<S: Store> Sink for StagingSink<'_, S> {
    type Error = Error;

    fn channel(&mut self, channel: Channel) -> Result<(), Error> {
        self.progress.channels_seen += 1;
        self.know_channel(&channel.id)?;
        self.pending_channels.push(channel);
        if self.pending_channels.len() >= self.batch_size {
            self.flush()?;
        }
        Ok(())
    }

    fn programme(&mut self, programme: Programme) -> Result<(), Error> {
        let Some(stop) = programme.stop else {
            // The reader promises a stop; should one slip through, it is a reject, not a
            // guess.
            return self.reject(Reject {
                reason: feed::RejectReason::MissingStop,
                position: u64::try_from(self.seq + 1).unwrap_or(0),
                channel: Some(programme.channel),
                start: None,
                detail: "no stop time".into(),
            });
        };
        self.progress.programmes_seen += 1;
        self.seq += 1;
        self.note_channel(&programme.channel, programme.start, stop)?;
        self.stage(programme, stop, 0)?;
        self.flush_if_full()
    }

    /// Staged with its start as a placeholder stop, marked open, and given the next
    /// start on its channel once the whole feed is staged (`stops::settle`).
    fn programme_without_stop(
        &mut self,
        programme: Programme,
        open: OpenStop,
    ) -> Result<(), Error> {
        self.progress.programmes_seen += 1;
        self.open_stops += 1;
        self.seq = (self.seq + 1).max(i64::try_from(open.position).unwrap_or(0));
        let state = if open.stop.is_some() {
            NOT_AFTER_START
        } else {
            MISSING
        };
        // The stop is unknown but after the start, so a programme that starts at the
        // same time or earlier still marks the channel for resolving.
        self.note_channel(
            &programme.channel,
            programme.start,
            programme.start.saturating_add(1),
        )?;
        let start = programme.start;
        self.stage(programme, start, state)?;
        self.flush_if_full()
    }

    fn reject(&mut self, reject: Reject) -> Result<(), Error> {
        self.seq = self.seq.max(i64::try_from(reject.position).unwrap_or(0));
        self.rejected += 1;
        let stats = self
            .rejects
            .entry(reject.reason.as_str().into())
            .or_default();
        stats.count += 1;
        if stats.examples.len() < EXAMPLES_PER_REASON {
            stats.examples.push(RejectExample {
                position: reject.position,
                channel: reject.channel,
                start: reject.start,
                detail: reject.detail,
            });
        }
        Ok(())
    }

    fn warning(&mut self, _warning: Warning) -> Result<(), Error> {
        self.warnings += 1;
        Ok(())
    }

    fn progress(&mut self, bytes_read: u64, _programmes: u64) -> Result<(), Error> {
        self.progress.bytes_read = bytes_read;
        if !self.replaying() && self.last_progress.elapsed() >= self.progress_interval {
            log::update_progress(self.store, self.run_id, self.progress)?;
            self.last_progress = Instant::now();
        }
        Ok(())
    }
}

fn insert_channels(store: &impl Store, run_id: i64, channels: &[Channel]) -> Result<(), Error> {
    for chunk in channels.chunks(ROWS_PER_INSERT) {
        let mut values = Vec::with_capacity(chunk.len() * 3);
        for channel in chunk {
            values.extend([
                run_id.into(),
                channel.id.as_str().into(),
                to_json(channel)?.into(),
            ]);
        }
        // A channel listed twice keeps its last element, as a later correction would.
        let sql = format!(
            "INSERT INTO staging_channels (run_id, provider_channel_id, data) VALUES {} \
             ON CONFLICT (run_id, provider_channel_id) DO UPDATE SET data = excluded.data",
            placeholders(chunk.len(), 3)
        );
        store.execute(&sql, &values)?;
    }
    Ok(())
}

/// `(?, ?, …), (…), …` for `rows` rows of `columns` values.
fn placeholders(rows: usize, columns: usize) -> String {
    let row = format!("({})", vec!["?"; columns].join(", "));
    vec![row; rows].join(", ")
}

fn to_json(value: &impl serde::Serialize) -> Result<String, Error> {
    serde_json::to_string(value).map_err(|e| {
        store::Error::Database(format!("could not encode a staged record: {e}")).into()
    })
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn placeholders_cover_every_value() {
        assert_eq!(placeholders(2, 3), "(?, ?, ?), (?, ?, ?)");
        assert_eq!(placeholders(1, 1), "(?)");
    }
}
