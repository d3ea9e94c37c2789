//! `epg cleanup`: the retention rule, run once now.

use std::process::ExitCode;

use epg::retention;

use crate::args::CleanupArgs;
use crate::input::existing_store;

/// Runs `epg cleanup`.
pub fn run(args: &CleanupArgs) -> anyhow::Result<ExitCode> {
    let store = existing_store(&args.db)?;
    let report = retention::cleanup(&store, epg::store::now_seconds(), args.days)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("past programmes removed:   {}", report.past_programmes);
        println!("future programmes removed: {}", report.future_programmes);
        println!("import logs removed:       {}", report.import_logs);
    }
    Ok(ExitCode::SUCCESS)
}
