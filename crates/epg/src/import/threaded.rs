//! Reading a feed on its own thread while this one writes what it finds, for native
//! callers (the CLI, the bench): decompressing and parsing then overlap the SQLite work
//! instead of adding to it. Spin components have one thread and use [`feed::read`].

use std::io::Read;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use crate::feed::{self, OpenStop, ReadOptions, Reject, Sink, Summary, Warning};
use crate::model::{Channel, Programme, TvInfo};

/// Records per message: one hand-over per record would cost more than it saves.
const BATCH: usize = 256;
/// Messages in flight: bounds the memory between the threads to a few thousand records.
const IN_FLIGHT: usize = 8;

/// One call the reader made on its sink.
enum Event {
    Tv(TvInfo),
    Channel(Channel),
    Programme(Programme),
    WithoutStop(Programme, OpenStop),
    Reject(Reject),
    Warning(Warning),
    Progress(u64, u64),
}

/// [`feed::read`] on a new thread, every record handed to `sink` on this one, in order.
///
/// What `sink` returns is what the read returns: when it fails, the reader stops at its
/// next hand-over and the sink's error is the result.
pub fn read_in_thread<R, K>(
    input: R,
    options: &ReadOptions,
    sink: &mut K,
) -> Result<Summary, K::Error>
where
    R: Read + Send,
    K: Sink,
{
    let (tx, rx) = sync_channel(IN_FLIGHT);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let mut forward = Forward {
                tx,
                batch: Vec::with_capacity(BATCH),
            };
            let summary = feed::read(input, options, &mut forward)?;
            forward.send()?;
            Ok::<_, feed::Error>(summary)
        });
        let delivered = deliver(&rx, sink);
        // A failed sink hangs up, which stops the reader at its next hand-over.
        drop(rx);
        let read = reader.join().unwrap_or_else(|_| Err(stopped()));
        delivered?;
        Ok(read?)
    })
}

fn deliver<K: Sink>(rx: &Receiver<Vec<Event>>, sink: &mut K) -> Result<(), K::Error> {
    for batch in rx {
        for event in batch {
            match event {
                Event::Tv(tv) => sink.tv(&tv)?,
                Event::Channel(c) => sink.channel(c)?,
                Event::Programme(p) => sink.programme(p)?,
                Event::WithoutStop(p, open) => sink.programme_without_stop(p, open)?,
                Event::Reject(r) => sink.reject(r)?,
                Event::Warning(w) => sink.warning(w)?,
                Event::Progress(bytes, programmes) => sink.progress(bytes, programmes)?,
            }
        }
    }
    Ok(())
}

/// The reader's error once the writing side has gone: the writer's own error is what
/// the caller gets.
fn stopped() -> feed::Error {
    feed::Error::Io(std::io::Error::other("the import stopped reading"))
}

/// The reader thread's sink: batches every call and sends it over.
struct Forward {
    tx: SyncSender<Vec<Event>>,
    batch: Vec<Event>,
}

impl Forward {
    fn push(&mut self, event: Event) -> Result<(), feed::Error> {
        self.batch.push(event);
        if self.batch.len() >= BATCH {
            self.send()?;
        }
        Ok(())
    }

    fn send(&mut self) -> Result<(), feed::Error> {
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        self.tx.send(batch).map_err(|_| stopped())
    }
}

impl Sink for Forward {
    type Error = feed::Error;

    fn tv(&mut self, tv: &TvInfo) -> Result<(), feed::Error> {
        self.push(Event::Tv(tv.clone()))
    }

    fn channel(&mut self, channel: Channel) -> Result<(), feed::Error> {
        self.push(Event::Channel(channel))
    }

    fn programme(&mut self, programme: Programme) -> Result<(), feed::Error> {
        self.push(Event::Programme(programme))
    }

    fn reject(&mut self, reject: Reject) -> Result<(), feed::Error> {
        self.push(Event::Reject(reject))
    }

    fn programme_without_stop(
        &mut self,
        programme: Programme,
        open: OpenStop,
    ) -> Result<(), feed::Error> {
        self.push(Event::WithoutStop(programme, open))
    }

    fn warning(&mut self, warning: Warning) -> Result<(), feed::Error> {
        self.push(Event::Warning(warning))
    }

    fn progress(&mut self, bytes_read: u64, programmes: u64) -> Result<(), feed::Error> {
        self.push(Event::Progress(bytes_read, programmes))?;
        // Progress must reach the run's row while the reader is between records.
        self.send()
    }
}
