//! The `epg` command-line tool.

fn main() {}
