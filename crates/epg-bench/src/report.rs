//! The figures table: rows printed as they come, then all together.

/// One figure.
struct Row {
    scenario: &'static str,
    measure: String,
    value: String,
    target: String,
}

/// Every figure of a bench run.
#[derive(Default)]
pub struct Report {
    rows: Vec<Row>,
}

impl Report {
    /// Adds a figure and prints it at once, since some scenarios take minutes.
    pub fn row(&mut self, scenario: &'static str, measure: &str, value: String, target: &str) {
        eprintln!("[{scenario}] {measure}: {value}");
        self.rows.push(Row {
            scenario,
            measure: measure.to_owned(),
            value,
            target: target.to_owned(),
        });
    }

    /// The whole table, aligned.
    pub fn print(&self) {
        let w = |f: fn(&Row) -> usize, title: &str| {
            self.rows.iter().map(f).max().unwrap_or(0).max(title.len())
        };
        let ws = w(|r| r.scenario.len(), "scenario");
        let wm = w(|r| r.measure.chars().count(), "measure");
        let wv = w(|r| r.value.len(), "value");
        println!(
            "{:ws$}  {:wm$}  {:>wv$}  target",
            "scenario", "measure", "value"
        );
        println!("{}", "-".repeat(ws + wm + wv + 14));
        for r in &self.rows {
            println!(
                "{:ws$}  {:wm$}  {:>wv$}  {}",
                r.scenario, r.measure, r.value, r.target
            );
        }
    }
}
