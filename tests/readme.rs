//! The README's list of error types (OpenTelemetry's `error.type` values) is every
//! reason the crate reports, each under its kind, and nothing else.

use errnorm::Reason;

#[test]
fn the_error_type_table_lists_every_reason_under_its_kind() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("### Error types for observability")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .unwrap();
    let rows: Vec<(String, String)> = section
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l
                .trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            let id = cells.first()?.strip_prefix('`')?.strip_suffix('`')?;
            let kind = cells.get(1)?;
            (id != "error.type").then(|| (id.to_string(), kind.to_string()))
        })
        .collect();
    let want: Vec<(String, String)> = Reason::iter()
        .map(|r| (r.as_str().to_string(), r.kind().as_str().to_string()))
        .collect();
    assert_eq!(rows, want);
}
