//! The SpinKube files in `deploy/` agree with the app they deploy.

use crate::common::{spin_component_for, spin_routes};

fn deploy_file(name: &str) -> String {
    let path = format!("{}/../../deploy/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The value after `key:` on every line that has it, unquoted.
fn values<'a>(text: &'a str, key: &str) -> Vec<&'a str> {
    text.lines()
        .filter_map(|line| line.trim().trim_start_matches("- ").strip_prefix(key))
        .filter_map(|rest| rest.strip_prefix(':'))
        .map(|v| v.trim().trim_matches('"'))
        .collect()
}

#[test]
fn the_spinapp_loads_secrets_that_exist_and_sets_only_app_variables() {
    let app = deploy_file("spinapp.yaml");
    let secrets = deploy_file("runtime-config-secret.yaml");
    let defined = values(&secrets, "name");
    assert_eq!(values(&app, "kind"), ["SpinApp"]);
    assert_eq!(values(&app, "loadFromSecret"), ["epg-runtime-config"]);
    assert!(defined.contains(&"epg-runtime-config"), "{defined:?}");
    assert!(defined.contains(&"epg"), "{defined:?}");

    let manifest = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../spin.toml"))
        .expect("spin.toml");
    let variables = manifest
        .split("[variables]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .expect("[variables]");
    // The SpinApp's variable names: `- name:` entries under `variables:`, before the
    // secret references nested in them.
    let app_variables = app.split("variables:").nth(1).expect("variables");
    let names: Vec<&str> = app_variables
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- name:"))
        .map(str::trim)
        .collect();
    assert_eq!(names, ["timezone", "import_time", "admin_token"]);
    for name in names {
        assert!(
            variables.contains(&format!("\n{name} = ")),
            "{name} is not a variable of spin.toml"
        );
    }
}

#[test]
fn the_runtime_config_secret_points_the_default_database_at_libsql() {
    let secrets = deploy_file("runtime-config-secret.yaml");
    let config = secrets
        .split("runtime-config.toml: |")
        .nth(1)
        .expect("runtime-config.toml key");
    let lines: Vec<&str> = config.lines().map(str::trim).take(5).collect();
    assert_eq!(lines[1], "[sqlite_database.default]");
    assert_eq!(lines[2], "type = \"libsql\"");
    assert!(lines[3].starts_with("url = \"https://"), "{lines:?}");
}

#[test]
fn the_cronjob_posts_to_the_jobs_route_with_the_admin_token() {
    let cron = deploy_file("cronjob.yaml");
    assert_eq!(values(&cron, "schedule"), ["* * * * *"]);
    assert_eq!(values(&cron, "concurrencyPolicy"), ["Forbid"]);
    let url = cron
        .lines()
        .map(|l| l.trim().trim_start_matches("- ").trim_matches('"'))
        .find(|l| l.starts_with("http://epg/"))
        .expect("the app's URL");
    let path = url.trim_start_matches("http://epg");
    assert_eq!(path, "/api/v1/jobs/run");
    let routes = spin_routes();
    assert_eq!(spin_component_for(&routes, path), Some("imports"));
    assert!(cron.contains("\"Authorization: Bearer $(TOKEN)\""));
    // A budget under hosted Spin's handler limit, so that long imports pause and resume.
    assert!(cron.contains("- '{\"budget_seconds\": 25}'"), "{cron}");
    assert_eq!(values(&cron, "key"), ["admin-token"]);
}
