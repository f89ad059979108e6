//! Operators' rules at runtime: more rows in the formats of `data/`, to add or override
//! codes and phrases without a new release.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use http::{HeaderMap, StatusCode};

#[path = "../build/rows.rs"]
#[allow(dead_code)]
mod rows;

use crate::tables::{CodeInfo, PhraseInfo, RetryHint};
use crate::{ErrorKind, Provider, Reason, Verdict};
use rows::{opt, read_rows, Line, RowError, IDENTIFIER_HEADER, MINIMAX_HEADER, PHRASE_HEADER};

/// A bad rules file: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct RulesError {
    /// The file (or name) the rows came from.
    pub file: String,
    /// The 1-based line (0 for the file as a whole).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Rows loaded at runtime, read before the built-in tables: a runtime row overrides a
/// built-in one with the same code, and a runtime phrase found in a message wins over
/// every built-in phrase.
///
/// Rules are meant to be loaded once, at start-up: their text lives for the rest of the
/// process (it is leaked), so that verdicts refer to runtime rows as they do to
/// built-in ones. Detection of the provider still reads the built-in shapes.
///
/// ```
/// use errnorm::{ErrorKind, Provider, Rules};
/// use http::{HeaderMap, StatusCode};
///
/// let mut rules = Rules::new();
/// rules.add("minimax.tsv", "code\tkind\treason\tretry\tmax_retries\tbackoff\tlog_level\tmessage_en\tsolution_en\tmessage_zh\tsolution_zh\tsource\tnote\n2064\ttransient\toverloaded\tyes\t3\t2.0\tWARNING\tserver cluster under high load\t-\t-\t-\tops\t-\n").unwrap();
/// let body = br#"{"base_resp":{"status_code":2064,"status_msg":"busy"}}"#;
/// let v = rules.classify(StatusCode::OK, &HeaderMap::new(), body).unwrap();
/// assert_eq!(v.kind(), ErrorKind::Transient);
/// assert_eq!(v.rule().id(), "minimax:2064");
/// ```
#[derive(Default)]
pub struct Rules {
    minimax: HashMap<u32, &'static CodeInfo>,
    ids: HashMap<Provider, HashMap<&'static str, &'static CodeInfo>>,
    phrases: Vec<&'static PhraseInfo>,
    matcher: Option<AhoCorasick>,
}

impl std::fmt::Debug for Rules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rules")
            .field("minimax", &self.minimax.len())
            .field(
                "identifiers",
                &self.ids.values().map(HashMap::len).sum::<usize>(),
            )
            .field("phrases", &self.phrases.len())
            .finish()
    }
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

fn leak_opt(s: &str) -> Option<&'static str> {
    opt(s).map(leak)
}

/// The reason of a row, checked against its kind.
fn reason_of(kind: &str, reason: &str) -> Result<Reason, String> {
    let k = ErrorKind::from_str(kind).map_err(|_| format!("unknown kind `{kind}`"))?;
    let r = Reason::from_str(reason).map_err(|_| format!("unknown reason `{reason}`"))?;
    if r.kind() != k {
        return Err(format!(
            "reason `{reason}` does not belong to kind `{kind}`"
        ));
    }
    Ok(r)
}

impl Rules {
    /// No rules: classification as built in.
    pub fn new() -> Rules {
        Rules::default()
    }

    /// Reads a rules file; its name (`minimax.tsv`, `novita.tsv`, `phrases.tsv`, ...)
    /// says which table its rows belong to, unless a `# provider: <id>` comment does.
    pub fn load(&mut self, path: &Path) -> Result<(), RulesError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| RulesError {
            file: name.clone(),
            line: 0,
            message: e.to_string(),
        })?;
        self.add(&name, &text)
    }

    /// Adds the rows of `text`, in the format of one of the files of `data/`. The header
    /// row says which format; identifier rows take their provider from a
    /// `# provider: <id>` comment, else from the file name (`novita.tsv`).
    pub fn add(&mut self, file: &str, text: &str) -> Result<(), RulesError> {
        let err = |line: usize, message: String| RulesError {
            file: file.to_string(),
            line,
            message,
        };
        let header = rows::header_of(text).ok_or_else(|| err(0, "no header row".into()))?;
        let read = |h: &[&str]| {
            read_rows(text, h).map_err(|RowError { line, message }| err(line, message))
        };
        if header == MINIMAX_HEADER {
            for Line { no, fields: f } in read(&MINIMAX_HEADER)? {
                let row = minimax_row(&f).map_err(|m| err(no, m))?;
                let code = row
                    .code
                    .parse::<u32>()
                    .map_err(|_| err(no, "bad code".into()))?;
                self.minimax.insert(code, Box::leak(Box::new(row)));
            }
        } else if header == IDENTIFIER_HEADER {
            let provider = provider_of(file, text).ok_or_else(|| {
                err(
                    0,
                    "say the provider: a `# provider: <id>` line, or name the file <id>.tsv".into(),
                )
            })?;
            for Line { no, fields: f } in read(&IDENTIFIER_HEADER)? {
                let row = identifier_row(provider, &f).map_err(|m| err(no, m))?;
                let row: &'static CodeInfo = Box::leak(Box::new(row));
                self.ids.entry(provider).or_default().insert(row.code, row);
            }
        } else if header == PHRASE_HEADER {
            for Line { no, fields: f } in read(&PHRASE_HEADER)? {
                let row = phrase_row(&f).map_err(|m| err(no, m))?;
                self.phrases.push(Box::leak(Box::new(row)));
            }
            self.matcher = AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(self.phrases.iter().map(|p| p.phrase))
                .ok();
        } else {
            return Err(err(
                1,
                "the header is not that of minimax.tsv, an identifier table or phrases.tsv".into(),
            ));
        }
        Ok(())
    }

    /// [`classify`](crate::classify), with these rules read first.
    pub fn classify<'a>(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        body: &'a [u8],
    ) -> Option<Verdict<'a>> {
        crate::classify::run_with(Some(self), None, status, headers, body)
    }

    /// [`classify_as`](crate::classify_as), with these rules read first.
    pub fn classify_as<'a>(
        &self,
        provider: Provider,
        status: StatusCode,
        headers: &HeaderMap,
        body: &'a [u8],
    ) -> Option<Verdict<'a>> {
        crate::classify::run_with(Some(self), Some(provider), status, headers, body)
    }

    pub(crate) fn minimax(&self, code: i64) -> Option<&'static CodeInfo> {
        u32::try_from(code)
            .ok()
            .and_then(|c| self.minimax.get(&c).copied())
    }

    pub(crate) fn identifier(&self, provider: Provider, id: &str) -> Option<&'static CodeInfo> {
        match provider {
            Provider::Minimax => id.parse().ok().and_then(|c| self.minimax(c)),
            p => self.ids.get(&p).and_then(|m| m.get(id).copied()),
        }
    }

    /// The longest runtime phrase in the message, by the same rule as the built-in
    /// table (`tables::longest_phrase`).
    pub(crate) fn phrase(&self, message: &str) -> Option<&'static PhraseInfo> {
        let ac = self.matcher.as_ref()?;
        crate::tables::longest_phrase(ac, message, |i| self.phrases.get(i).copied())
    }
}

fn provider_of(file: &str, text: &str) -> Option<Provider> {
    let declared = text.lines().find_map(|l| {
        l.strip_prefix('#')
            .map(str::trim)
            .and_then(|l| l.strip_prefix("provider:"))
            .map(str::trim)
    });
    let stem = Path::new(file).file_stem().and_then(|s| s.to_str());
    declared.or(stem).and_then(|p| p.parse().ok())
}

fn minimax_row(f: &[String]) -> Result<CodeInfo, String> {
    let reason = reason_of(&f[1], &f[2])?;
    f[0].parse::<u32>()
        .map_err(|_| format!("code `{}` is not a number", f[0]))?;
    let retry_hint = match f[3].as_str() {
        "-" => None,
        r @ ("yes" | "no") => {
            if (r == "yes") != reason.kind().is_retryable() {
                return Err(format!("retry `{r}` contradicts kind `{}`", f[1]));
            }
            let max_retries = match opt(&f[4]) {
                Some(m) => Some(
                    m.parse()
                        .map_err(|_| format!("max_retries `{m}` is not a small number"))?,
                ),
                None => None,
            };
            let backoff = match opt(&f[5]) {
                Some(b) => match b.parse::<f32>() {
                    Ok(v) if v.is_finite() && v >= 1.0 => Some(v),
                    _ => return Err(format!("backoff `{b}` is not a factor >= 1.0")),
                },
                None => None,
            };
            Some(RetryHint {
                retry: r == "yes",
                max_retries,
                backoff,
                log_level: leak_opt(&f[6]),
            })
        }
        r => return Err(format!("retry `{r}` is not yes, no or -")),
    };
    let code = leak(&f[0]);
    Ok(CodeInfo {
        provider: Provider::Minimax,
        code,
        reason,
        generic: false,
        status: None,
        place: "base_resp.status_code",
        meaning_en: leak_opt(&f[7]),
        solution_en: leak_opt(&f[8]),
        meaning_zh: leak_opt(&f[9]),
        solution_zh: leak_opt(&f[10]),
        retry_hint,
        source: leak(&f[11]),
        note: leak_opt(&f[12]),
        rule: leak(&format!("minimax:{code}")),
    })
}

fn identifier_row(provider: Provider, f: &[String]) -> Result<CodeInfo, String> {
    let reason = reason_of(&f[3], &f[4])?;
    let status = match opt(&f[2]) {
        Some(s) => match s.parse::<u16>() {
            Ok(n) if (100..600).contains(&n) => Some(n),
            _ => return Err(format!("status `{s}` is not an HTTP status")),
        },
        None => None,
    };
    let generic = match f[5].as_str() {
        "exact" => false,
        "generic" => true,
        w => return Err(format!("weight `{w}` is not exact or generic")),
    };
    let code = leak(&f[0]);
    Ok(CodeInfo {
        provider,
        code,
        reason,
        generic,
        status,
        place: leak(&f[1]),
        meaning_en: leak_opt(&f[6]),
        solution_en: None,
        meaning_zh: None,
        solution_zh: None,
        retry_hint: None,
        source: leak(&f[7]),
        note: leak_opt(&f[8]),
        rule: leak(&format!("{provider}:{code}")),
    })
}

fn phrase_row(f: &[String]) -> Result<PhraseInfo, String> {
    let reason = reason_of(&f[2], &f[3])?;
    if f[0] != f[0].to_lowercase() {
        return Err(format!("phrase `{}` must be lower case", f[0]));
    }
    if f[1] != "en" && f[1] != "zh" {
        return Err(format!("lang `{}` is not en or zh", f[1]));
    }
    let phrase = leak(&f[0]);
    Ok(PhraseInfo {
        phrase,
        lang: leak(&f[1]),
        reason,
        source: leak(&f[4]),
        note: leak_opt(&f[5]),
        rule: leak(&format!("phrase:{phrase}")),
    })
}
