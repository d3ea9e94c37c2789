//! `epg cleanup`: the retention rule, run once now.

use std::io::{self, Write};
use std::process::ExitCode;

use epg::retention;

use crate::cli::CleanupArgs;
use crate::input::existing_store;

/// Runs `epg cleanup`.
pub fn run(args: &CleanupArgs) -> anyhow::Result<ExitCode> {
    let store = existing_store(&args.db)?;
    let report = retention::cleanup(&store, epg::store::now_seconds(), args.days)?;
    let mut out = io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        writeln!(out, "past programmes removed:   {}", report.past_programmes)?;
        writeln!(
            out,
            "future programmes removed: {}",
            report.future_programmes
        )?;
        writeln!(out, "import logs removed:       {}", report.import_logs)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
