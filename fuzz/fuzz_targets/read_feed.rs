//! Arbitrary bytes into the feed reader: it must return, never panic or hang, and stay
//! within its limits. Run with `cargo fuzz run read_feed` from the repository root.

#![no_main]

use epg::feed::{self, Limits, ReadOptions, Reject, Sink};
use epg::model::{Channel, Programme};
use libfuzzer_sys::fuzz_target;

/// Drops everything: only the reader's own behaviour is under test.
struct Null;

impl Sink for Null {
    type Error = feed::Error;
    fn channel(&mut self, _: Channel) -> Result<(), feed::Error> {
        Ok(())
    }
    fn programme(&mut self, _: Programme) -> Result<(), feed::Error> {
        Ok(())
    }
    fn reject(&mut self, _: Reject) -> Result<(), feed::Error> {
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    let options = ReadOptions {
        limits: Limits {
            max_decompressed_bytes: 16 * 1024 * 1024,
            ..Limits::default()
        },
        ..ReadOptions::default()
    };
    let _ = feed::read(data, &options, &mut Null);
});
