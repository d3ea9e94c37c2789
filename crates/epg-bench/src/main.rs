//! `epg-bench`: generate feeds and print parse, import, query, export and memory figures.
//!
//! `cargo run --release -p epg-bench -- [--channels N] [--days D] [--scenario S] [--large]`
//! where S is `all`, `parse`, `import`, `query`, `export`, `rss`, `guide`, `cold` or
//! `serve` (which needs the `epg` binary built beside this one). Memory is measured in
//! child processes (`epg-bench rss-child …`) so that each figure is one step's peak.

mod cold_scenario;
mod guide_scenario;
mod harness;
mod report;
mod scenarios;
mod serve_scenario;
mod spin_like;

use anyhow::{Context, bail};

use harness::Scratch;
use report::Report;
use scenarios::Feeds;

const USAGE: &str = "usage: epg-bench [--channels N] [--days D] \
[--scenario all|parse|import|query|export|rss|guide|cold|serve] [--large]";

struct Options {
    channels: u32,
    days: u32,
    scenario: String,
    large: bool,
}

fn parse_args(args: &[String]) -> anyhow::Result<Options> {
    let mut o = Options {
        channels: 200,
        days: 7,
        scenario: "all".to_owned(),
        large: false,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .with_context(|| format!("{arg} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--channels" => o.channels = value()?.parse().context("--channels")?,
            "--days" => o.days = value()?.parse().context("--days")?,
            "--scenario" => o.scenario = value()?.clone(),
            "--large" => o.large = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other}\n{USAGE}"),
        }
    }
    let known = [
        "all", "parse", "import", "query", "export", "rss", "guide", "cold", "serve",
    ];
    if !known.contains(&o.scenario.as_str()) {
        bail!("unknown scenario {}\n{USAGE}", o.scenario);
    }
    Ok(o)
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("rss-child") {
        return harness::child_main(&args[1..]);
    }
    let o = parse_args(&args)?;
    let scratch = Scratch::new()?;
    let mut feeds = Feeds::new(&scratch, o.channels, o.days);
    let mut report = Report::default();
    let wants = |s: &str| o.scenario == "all" || o.scenario == s;
    let size = (o.channels, o.days);
    type Step<'s> = (
        &'static str,
        bool,
        Box<dyn Fn(&mut Feeds<'_>, &mut Report) -> anyhow::Result<()> + 's>,
    );
    let steps: Vec<Step<'_>> = vec![
        ("parse", wants("parse"), Box::new(scenarios::parse)),
        ("import", wants("import"), Box::new(scenarios::import)),
        (
            "rss",
            wants("rss"),
            Box::new(move |f, r| scenarios::rss(f, r, size, "")),
        ),
        ("query", wants("query"), Box::new(scenarios::query)),
        ("export", wants("export"), Box::new(scenarios::export)),
        (
            "guide",
            wants("guide"),
            Box::new(|_, r| guide_scenario::guide(&scratch, r)),
        ),
        (
            "cold",
            wants("cold"),
            Box::new(|_, r| cold_scenario::cold(&scratch, r)),
        ),
        (
            "serve",
            wants("serve"),
            Box::new(|_, r| serve_scenario::serve(&scratch, r)),
        ),
        ("large", o.large, Box::new(scenarios::large)),
    ];
    for (name, wanted, step) in steps {
        if wanted {
            // One failing scenario (say, a module not merged yet) still leaves the others' figures.
            if let Err(e) = step(&mut feeds, &mut report) {
                report.row("error", name, format!("{e:#}"), "");
            }
        }
    }
    report.print();
    Ok(())
}
