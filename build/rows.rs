//! Reading the TAB-separated tables of `data/`: shared by `build.rs` (through
//! `build/codegen.rs`), which compiles them in, and by the library's runtime rules
//! (`src/rules.rs`), which load more rows of the same format.

/// One data row: its line number and its fields.
pub struct Line {
    /// 1-based line number in the file.
    pub no: usize,
    /// The fields, in header order.
    pub fields: Vec<String>,
}

/// A bad row: its line (0 for the file as a whole) and what is wrong.
pub struct RowError {
    /// 1-based line number, or 0.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// The header row of `text`: the first line that is neither a comment nor blank.
pub fn header_of(text: &str) -> Option<Vec<&str>> {
    text.lines()
        .find(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').collect())
}

/// Reads a table: `#` comments, one header row, then TAB-separated rows of as many
/// fields, none empty (`-` stands for empty) and none with surrounding spaces.
pub fn read_rows(text: &str, header: &[&str]) -> Result<Vec<Line>, RowError> {
    let mut rows = Vec::new();
    let mut seen_header = false;
    for (i, raw) in text.lines().enumerate() {
        let no = i + 1;
        if raw.starts_with('#') || raw.trim().is_empty() {
            continue;
        }
        let fields: Vec<String> = raw.split('\t').map(str::to_owned).collect();
        if !seen_header {
            if fields != header {
                return Err(RowError {
                    line: no,
                    message: format!("header must be `{}`", header.join("\\t")),
                });
            }
            seen_header = true;
            continue;
        }
        if fields.len() != header.len() {
            return Err(RowError {
                line: no,
                message: format!(
                    "{} fields, expected {} ({}); fields are separated by one TAB",
                    fields.len(),
                    header.len(),
                    header.join(", ")
                ),
            });
        }
        for (f, name) in fields.iter().zip(header) {
            if f.is_empty() || f != f.trim() {
                return Err(RowError {
                    line: no,
                    message: format!(
                        "field `{name}` is empty or has surrounding spaces (use `-` for empty)"
                    ),
                });
            }
        }
        rows.push(Line { no, fields });
    }
    if !seen_header {
        return Err(RowError {
            line: 0,
            message: "no header row".into(),
        });
    }
    Ok(rows)
}

/// `-` is empty.
pub fn opt(s: &str) -> Option<&str> {
    (s != "-").then_some(s)
}

/// The header of `data/minimax.tsv`.
pub const MINIMAX_HEADER: [&str; 13] = [
    "code",
    "kind",
    "reason",
    "retry",
    "max_retries",
    "backoff",
    "log_level",
    "message_en",
    "solution_en",
    "message_zh",
    "solution_zh",
    "source",
    "note",
];

/// The header of the identifier tables (`mimo`, `novita`, `gateway`, `openai`,
/// `anthropic`).
pub const IDENTIFIER_HEADER: [&str; 9] = [
    "id",
    "where",
    "status",
    "kind",
    "reason",
    "weight",
    "description",
    "source",
    "note",
];

/// The header of `data/phrases.tsv`.
pub const PHRASE_HEADER: [&str; 6] = ["phrase", "lang", "kind", "reason", "source", "note"];
