//! Operators' rules at runtime: more rows in the formats of `data/`, checked by the same
//! validator as the build, to add codes, phrases, markers and even whole providers
//! without a new release.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use super::tables::{self, CodeInfo, LogLevel, Marker, Owner, RetryHint};
use crate::schema::{self, Field, Format};
use crate::{Provider, Reason};

/// A bad rules file: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct RulesError {
    file: String,
    line: usize,
    message: String,
}

impl RulesError {
    /// The file (or name) the rows came from.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The 1-based line (0 for the file as a whole).
    pub fn line(&self) -> usize {
        self.line
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Rows loaded at runtime, read before the built-in tables: where a runtime row and a
/// built-in one list the same value in the same field for the same provider, the runtime
/// row answers; a runtime phrase found in a message wins over every built-in phrase;
/// runtime detection markers are tried before the built-in ones.
///
/// Files have the formats of `data/` (see the README, "Adding a provider"): a provider
/// table named `<provider>.tsv` (a provider errnorm does not know becomes a runtime
/// provider), `phrases.tsv` for shared phrases, `detect.tsv` for markers. The same
/// validator as the build refuses what the build refuses, with `file:line: message`.
///
/// Rules are data: loaded into a [`Classifier`](crate::Classifier)
/// ([`Classifier::with_rules`](crate::Classifier::with_rules)), which reads them on
/// every entry point. They own their rows: a verdict borrows them, and dropping the
/// classifier frees them, so a gateway that reloads its rules builds a new classifier
/// and drops the old.
///
/// ```
/// use errnorm::{Classifier, ErrorKind, Rules};
/// use http::{HeaderMap, StatusCode};
///
/// let mut rules = Rules::new();
/// rules.add("minimax.tsv", "id\twhere\tstatus\tkind\treason\tweight\tlang\tdescription\tsource\tnote\n2064\tbase_resp.status_code\t-\ttransient\toverloaded\texact\t-\tserver cluster under high load\tops runbook\t-\n").unwrap();
/// let body = br#"{"base_resp":{"status_code":2064,"status_msg":"busy"}}"#;
/// let c = Classifier::new().with_rules(rules);
/// let v = c.classify(StatusCode::OK, &HeaderMap::new(), body).unwrap();
/// assert_eq!(v.kind(), ErrorKind::Transient);
/// assert_eq!(v.rule().id(), "minimax:2064");
/// ```
#[derive(Default)]
pub struct Rules {
    ids: [HashMap<Box<[u8]>, Vec<CodeInfo>>; Field::COUNT],
    phrases: Vec<CodeInfo>,
    matcher: OnceLock<Option<AhoCorasick>>,
    markers: Vec<Marker<'static>>,
    providers: Vec<String>,
}

impl std::fmt::Debug for Rules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rules")
            .field(
                "identifiers",
                &self.ids.iter().map(HashMap::len).sum::<usize>(),
            )
            .field("phrases", &self.phrases.len())
            .field("markers", &self.markers.len())
            .field("providers", &self.providers)
            .finish()
    }
}

fn cow(s: Option<String>) -> Option<Cow<'static, str>> {
    s.map(Cow::Owned)
}

impl Rules {
    /// No rules: classification as built in.
    pub fn new() -> Rules {
        Rules::default()
    }

    /// Reads a rules file (see [`Rules::add`]).
    pub fn load(&mut self, path: &Path) -> Result<(), RulesError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| RulesError {
            file: name.clone(),
            line: 0,
            message: e.to_string(),
        })?;
        self.add_bytes(&name, &bytes)
    }

    /// Adds the rows of a file's bytes: a leading BOM is dropped, and bytes that are
    /// not UTF-8 are refused with their line.
    pub fn add_bytes(&mut self, file: &str, bytes: &[u8]) -> Result<(), RulesError> {
        let text = schema::text_of(bytes).map_err(|e| RulesError {
            file: file.to_string(),
            line: e.line,
            message: e.message,
        })?;
        self.add(file, text)
    }

    /// Adds the rows of `text`, in the format of one of the files of `data/`; the
    /// header row says which. A provider table takes its provider from a
    /// `# provider: <id>` comment, else from the file name (`novita.tsv`); `phrases.tsv`
    /// holds shared phrases. Nothing is added when any row is bad.
    pub fn add(&mut self, file: &str, text: &str) -> Result<(), RulesError> {
        let err = |e: schema::RowError| RulesError {
            file: file.to_string(),
            line: e.line,
            message: e.message,
        };
        let one = |line: usize, message: String| RulesError {
            file: file.to_string(),
            line,
            message,
        };
        match schema::format_of(text).map_err(err)? {
            Format::Providers => Err(one(
                0,
                "a provider registry is for the build; a runtime provider is named by its table's file"
                    .into(),
            )),
            Format::Detect => {
                let known = |id: &str| Provider::from_str(id).is_ok() || self.providers.iter().any(|p| p == id);
                let rows = schema::detect(text, &known).map_err(err)?;
                let mut markers = Vec::with_capacity(rows.len());
                for r in rows {
                    let provider = if r.provider == "*" {
                        Some(Owner::Shared)
                    } else {
                        self.owner_of(&r.provider)
                    }
                    .ok_or_else(|| one(r.line, "unknown provider".into()))?;
                    let (need, forbid) = schema::masks(&r.terms);
                    markers.push(Marker {
                        provider,
                        need,
                        forbid,
                        terms: Cow::Owned(r.terms),
                        rule: Cow::Owned(format!("detect:{}:{}:{}", r.provider, file, r.line)),
                    });
                }
                self.markers.extend(markers);
                Ok(())
            }
            Format::Table => {
                let rows = schema::table(text).map_err(err)?;
                let name = provider_of(file, text).ok_or_else(|| {
                    one(0, "name the provider: a `# provider: <id>` line, or name the file <id>.tsv".into())
                })?;
                let shared = name == "phrases";
                if shared {
                    if let Some(r) = rows.iter().find(|r| r.fields != [Field::Message]) {
                        return Err(one(r.line, "phrases.tsv holds phrases (`message`) only".into()));
                    }
                }
                // Refuse duplicates of rows added before, as the build refuses them.
                let owner_now = if shared { Some(Owner::Shared) } else { self.owner_of(&name) };
                for r in &rows {
                    let dup = if r.fields == [Field::Message] {
                        self.phrases.iter().any(|p| p.id == r.id)
                    } else {
                        r.fields.iter().any(|f| {
                            self.ids[*f as usize]
                                .get(r.id.as_bytes())
                                .is_some_and(|v| v.iter().any(|c| Some(c.owner) == owner_now))
                        })
                    };
                    if dup {
                        return Err(one(r.line, format!("`{}` is already listed by earlier rules", r.id)));
                    }
                }
                let owner = if shared {
                    Owner::Shared
                } else {
                    match self.owner_of(&name) {
                        Some(o) => o,
                        None => {
                            let i = u16::try_from(self.providers.len())
                                .map_err(|_| one(0, "too many runtime providers".into()))?;
                            self.providers.push(name.clone());
                            Owner::Runtime(i)
                        }
                    }
                };
                for r in rows {
                    let phrase = r.fields == [Field::Message];
                    let rule = match (shared, phrase) {
                        (true, _) => format!("phrase:{}", r.id),
                        (false, true) => format!("{name}:phrase:{}", r.id),
                        (false, false) => format!("{name}:{}", r.id),
                    };
                    let reason = Reason::from_str(r.reason).map_err(|_| one(r.line, "unknown reason".into()))?;
                    let hint = r.hint.map(|h| RetryHint {
                        retry: h.retry,
                        max_retries: h.max_retries,
                        backoff: h.backoff,
                        log_level: h.log_level.as_deref().and_then(LogLevel::parse),
                    });
                    let [t0, t1, t2] = r.texts;
                    let info = CodeInfo {
                        owner,
                        id: Cow::Owned(r.id.clone()),
                        fields: Cow::Owned(r.fields.clone()),
                        reason,
                        generic: r.generic,
                        status: r.status,
                        lang: cow(r.lang),
                        description: cow(r.description),
                        source: Cow::Owned(r.source),
                        note: cow(r.note),
                        hint,
                        texts: [cow(t0), cow(t1), cow(t2)],
                        rule: Cow::Owned(rule),
                    };
                    if phrase {
                        self.phrases.push(info);
                    } else {
                        for f in r.fields.iter() {
                            self.ids[*f as usize]
                                .entry(r.id.as_bytes().into())
                                .or_default()
                                .push(info.clone());
                        }
                    }
                }
                // The matcher is built once, when first needed after the last change.
                self.matcher = OnceLock::new();
                Ok(())
            }
        }
    }

    fn owner_of(&self, id: &str) -> Option<Owner> {
        if let Ok(p) = Provider::from_str(id) {
            return Some(Owner::Builtin(p));
        }
        let i = self.providers.iter().position(|p| p == id)?;
        u16::try_from(i).ok().map(Owner::Runtime)
    }

    /// The name of a runtime provider.
    pub(crate) fn provider_name(&self, i: u16) -> Option<&str> {
        self.providers.get(usize::from(i)).map(String::as_str)
    }

    pub(crate) fn lookup(&self, field: Field, key: &[u8]) -> &[CodeInfo] {
        self.ids
            .get(field as usize)
            .and_then(|m| m.get(key))
            .map_or(&[][..], Vec::as_slice)
    }

    pub(crate) fn markers(&self) -> &[Marker<'static>] {
        &self.markers
    }

    /// The longest runtime phrase in the message, by the same rule as the built-in
    /// table.
    pub(crate) fn phrase(&self, message: &[u8]) -> Option<&CodeInfo> {
        if self.phrases.is_empty() {
            return None;
        }
        tables::longest_phrase(self.matcher()?, message, |i| self.phrases.get(i))
    }

    /// The phrase matcher, built once after the last change.
    fn matcher(&self) -> Option<&AhoCorasick> {
        self.matcher
            .get_or_init(|| tables::build_matcher(self.phrases.iter().map(CodeInfo::code)))
            .as_ref()
    }

    /// Builds the phrase matcher now, so that no request pays for it (10,000 phrases
    /// take a noticeable fraction of a second). A [`Classifier`](crate::Classifier) does
    /// it when it is given the rules.
    pub fn prepare(&self) {
        if !self.phrases.is_empty() {
            let _ = self.matcher();
        }
    }

    /// Whether the phrase matcher is built (or there are no phrases).
    #[cfg(test)]
    pub(crate) fn is_prepared(&self) -> bool {
        self.phrases.is_empty() || self.matcher.get().is_some()
    }
}

fn provider_of(file: &str, text: &str) -> Option<String> {
    let declared = text.lines().find_map(|l| {
        l.strip_prefix('#')
            .map(str::trim)
            .and_then(|l| l.strip_prefix("provider:"))
            .map(str::trim)
    });
    let stem = Path::new(file).file_stem().and_then(|s| s.to_str());
    let id = declared.or(stem)?;
    let ok = id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    ok.then(|| id.to_string())
}
