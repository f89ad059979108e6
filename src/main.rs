//! The `errnorm` command-line tool (feature `cli`).
//!
//! - `errnorm classify [FILE]`: JSON Lines of responses in (stdin by default), one JSON
//!   line of verdict out per input line, in order.
//! - `errnorm explain <provider> <code>`: what a provider's code means, from the tables.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use base64::Engine as _;
use clap::{Parser, Subcommand};
use errnorm::{verdict::Code, ApiError, Provider};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde::{Deserialize, Serialize};

#[derive(Parser)]
#[command(
    name = "errnorm",
    version,
    about = "Classify LLM provider error responses"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LangArg {
    En,
    Zh,
}

/// What `classify` adds to each line, and the runtime rules it reads.
#[derive(Clone, Copy)]
struct Extras<'r> {
    /// Add the client-safe error, rendered by the classifier's client options.
    client_safe: bool,
    explain: bool,
    /// The rules and client options, one configured value.
    classifier: &'r errnorm::Classifier,
}

#[derive(Subcommand)]
enum Command {
    /// Classify JSON Lines of responses: {"provider"?, "status", "headers"?, "body" or
    /// "body_base64"}. Writes one JSON line per input line; exits 1 if any was malformed.
    Classify {
        /// Read from this file instead of standard input.
        file: Option<PathBuf>,
        /// Add "client_status" and "client_body": the error to hand to your own client,
        /// in the OpenAI envelope, with the crate's own text (no upstream text).
        #[arg(long)]
        client_safe: bool,
        /// With --client-safe: the language of the crate's own text.
        #[arg(long, value_enum, default_value = "en")]
        lang: LangArg,
        /// With --client-safe: use the upstream message, redacted, instead.
        #[arg(long)]
        upstream_message: bool,
        /// Add "evidence": the rule that matched, where in the response, and the value.
        #[arg(long)]
        explain: bool,
        /// Extra rows, in the format of a data/ file, read before the built-in tables
        /// (repeatable).
        #[arg(long = "rules", value_name = "FILE")]
        rules: Vec<PathBuf>,
        /// The longest input line read, in bytes; a longer one is answered with one
        /// `input_error` line and skipped (nothing of it is kept in memory).
        #[arg(long, value_name = "BYTES", default_value_t = MAX_LINE)]
        max_line: usize,
    },
    /// Count a log of responses (the classify input format) by provider, kind, reason
    /// and code, with the top codes: a table, or JSON with --json.
    Stats {
        /// Read from this file instead of standard input.
        file: Option<PathBuf>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// How many top codes to list.
        #[arg(long, default_value_t = 10)]
        top: usize,
        /// The longest input line read, in bytes; a longer one counts as malformed and
        /// is skipped (nothing of it is kept in memory).
        #[arg(long, value_name = "BYTES", default_value_t = MAX_LINE)]
        max_line: usize,
    },
    /// Explain a provider's code: kind, reason, meaning and solution (English, Chinese).
    Explain {
        /// The provider's id (minimax, novita, openai, ...; see data/providers.tsv).
        provider: String,
        /// The provider's code, as it sends it (1008, NOT_ENOUGH_BALANCE, ...).
        code: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Classify {
            file,
            client_safe,
            lang,
            upstream_message,
            explain,
            rules,
            max_line,
        } => {
            let rules = match load_rules(&rules) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("errnorm: {e}");
                    return ExitCode::from(2);
                }
            };
            let mut client = errnorm::client::ClientOptions::default().with_lang(match lang {
                LangArg::En => errnorm::client::Lang::En,
                LangArg::Zh => errnorm::client::Lang::Zh,
            });
            if upstream_message {
                client = client.with_upstream_message();
            }
            let mut classifier = errnorm::Classifier::new().with_client(client);
            if let Some(r) = rules {
                classifier = classifier.with_rules(r);
            }
            classify(
                file,
                Extras {
                    client_safe,
                    explain,
                    classifier: &classifier,
                },
                max_line,
            )
        }
        Command::Explain { provider, code } => explain(&provider, &code),
        Command::Stats {
            file,
            json,
            top,
            max_line,
        } => stats(file, json, top, max_line),
    };
    match result {
        Ok(code) => code,
        // The reader stopped reading (`| head`): not an error, as for any Unix filter.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("errnorm: {e}");
            ExitCode::from(2)
        }
    }
}

/// One input line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    #[serde(default)]
    provider: Option<String>,
    status: u16,
    #[serde(default)]
    headers: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    body_base64: Option<String>,
}

/// One output line: the verdict, flat; every field null when the response is no error.
#[derive(Serialize, Default)]
struct Output {
    kind: Option<&'static str>,
    reason: Option<&'static str>,
    provider: Option<&'static str>,
    provider_detected: bool,
    code: Option<Code<'static>>,
    message: Option<String>,
    error_type: Option<String>,
    retryable: bool,
    retry_after_ms: Option<u64>,
    basis: Option<&'static str>,
    rule: Option<String>,
    status: u16,
    client_status: Option<u16>,
    body_form: Option<errnorm::verdict::BodyForm>,
    /// What a gateway should do (null: no error).
    advice: Option<errnorm::Advice>,
    /// With --client-safe: the OpenAI envelope for the gateway's client (null: no error).
    #[serde(skip_serializing_if = "Option::is_none")]
    client_body: Option<Option<serde_json::Value>>,
    /// With --explain: what decided (null: no error).
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<Option<errnorm::verdict::Evidence<'static>>>,
}

/// The input: a file, or standard input.
fn open(file: Option<PathBuf>) -> io::Result<Box<dyn BufRead>> {
    Ok(match file {
        Some(p) => Box::new(BufReader::with_capacity(
            1 << 20,
            File::open(&p)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", p.display())))?,
        )),
        None => Box::new(BufReader::with_capacity(1 << 20, io::stdin().lock())),
    })
}

/// The longest input line read by default: a body at the relay's cap (1 MiB), base64
/// encoded, with room for its headers. Longer lines are answered with one error line and
/// skipped without being held in memory.
const MAX_LINE: usize = 8 << 20;

/// One line of the input: its bytes without the line end, or how long it was when it
/// was over the cap (its bytes are not kept).
enum Line {
    Read(Vec<u8>),
    TooLong(usize),
}

/// The lines of the input, each at most `cap` bytes held in memory.
fn lines(mut input: Box<dyn BufRead>, cap: usize) -> impl Iterator<Item = io::Result<Line>> {
    std::iter::from_fn(move || {
        let mut line = Vec::new();
        let mut len = 0usize;
        let mut seen = false;
        loop {
            let buf = match input.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Some(Err(e)),
            };
            if buf.is_empty() {
                break;
            }
            seen = true;
            let (chunk, done) = match memchr_nl(buf) {
                Some(i) => (buf.get(..i).unwrap_or_default(), Some(i + 1)),
                None => (buf, None),
            };
            len = len.saturating_add(chunk.len());
            if len <= cap {
                line.extend_from_slice(chunk);
            } else if !line.is_empty() {
                // Over the cap: nothing more of this line is kept.
                line = Vec::new();
            }
            let used = done.unwrap_or(buf.len());
            input.consume(used);
            if done.is_some() {
                break;
            }
        }
        if !seen {
            return None;
        }
        if len > cap {
            return Some(Ok(Line::TooLong(len)));
        }
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Some(Ok(Line::Read(line)))
    })
}

/// The index of the first line feed.
fn memchr_nl(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

/// Loads `--rules` files; `None` when there are none.
fn load_rules(files: &[PathBuf]) -> Result<Option<errnorm::Rules>, errnorm::rules::RulesError> {
    if files.is_empty() {
        return Ok(None);
    }
    let mut rules = errnorm::Rules::new();
    for f in files {
        rules.load(f)?;
    }
    Ok(Some(rules))
}

fn classify(file: Option<PathBuf>, extras: Extras<'_>, cap: usize) -> io::Result<ExitCode> {
    let input = open(file)?;
    let mut out = BufWriter::new(io::stdout().lock());
    let mut malformed = false;
    for line in lines(input, cap) {
        let line = match line? {
            Line::Read(l) => l,
            Line::TooLong(n) => {
                malformed = true;
                let e = format!("the line has {n} bytes, over the cap of {cap} (--max-line)");
                writeln!(out, "{}", serde_json::json!({ "input_error": e }))?;
                continue;
            }
        };
        let json = match classify_line(&line, extras) {
            Ok(o) => serde_json::to_string(&o),
            Err(e) => {
                malformed = true;
                serde_json::to_string(&serde_json::json!({ "input_error": e }))
            }
        }
        .map_err(io::Error::other)?;
        writeln!(out, "{json}")?;
    }
    out.flush()?;
    Ok(if malformed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// One input line, classified: its status, and the error with its advice (and, when
/// asked, its evidence) if the response is one.
struct Classified {
    status: u16,
    error: Option<(
        ApiError,
        errnorm::Advice,
        Option<errnorm::verdict::Evidence<'static>>,
    )>,
}

/// The most headers one input line may carry.
const MAX_HEADERS: usize = 1024;

/// The most distinct codes `stats` counts one by one; the rest are counted together.
const MAX_DISTINCT_CODES: usize = 100_000;

/// Upstream text as `stats` and the output lines show it: redacted, control characters
/// escaped, at most 200 bytes.
fn shown(s: &str) -> String {
    let r = errnorm::redact::redact(s);
    let e = errnorm::redact::escape(&r);
    let mut end = e.len().min(200);
    while !e.is_char_boundary(end) {
        end -= 1;
    }
    e.get(..end).unwrap_or_default().to_string()
}

/// Reads one input line and classifies the response in it.
fn classify_input(
    line: &[u8],
    explain: bool,
    classifier: &errnorm::Classifier,
) -> Result<Classified, String> {
    let input: Input = serde_json::from_slice(line).map_err(|e| e.to_string())?;
    let status = StatusCode::from_u16(input.status)
        .map_err(|_| format!("status {} is not an HTTP status", input.status))?;
    // http::HeaderMap panics past 32,768 entries; no real response has a thousand.
    if input.headers.len() > MAX_HEADERS {
        return Err(format!(
            "{} headers; at most {MAX_HEADERS} are read",
            input.headers.len()
        ));
    }
    let mut headers = HeaderMap::new();
    for (k, v) in &input.headers {
        let name =
            HeaderName::from_bytes(k.as_bytes()).map_err(|_| format!("bad header name {k:?}"))?;
        let text = match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => return Err(format!("header {k:?} must be a string or a number")),
        };
        let value =
            HeaderValue::from_str(&text).map_err(|_| format!("bad value for header {k:?}"))?;
        headers.append(name, value);
    }
    let body: Vec<u8> = match (input.body, input.body_base64) {
        (Some(b), None) => b.into_bytes(),
        (None, Some(b)) => base64::engine::general_purpose::STANDARD
            .decode(b.trim())
            .map_err(|e| format!("body_base64: {e}"))?,
        (None, None) => Vec::new(),
        (Some(_), Some(_)) => return Err("give body or body_base64, not both".into()),
    };
    let hint = match input.provider.as_deref() {
        None => None,
        Some(p) => Some(
            p.parse::<Provider>()
                .map_err(|_| format!("unknown provider {p:?}"))?,
        ),
    };
    let verdict = match hint {
        None => classifier.classify(status, &headers, &body),
        Some(p) => classifier.classify_as(p, status, &headers, &body),
    };
    Ok(Classified {
        status: input.status,
        error: verdict.map(|v| {
            let evidence = explain.then(|| v.evidence().into_owned());
            let advice = v.advice();
            (ApiError::from(v), advice, evidence)
        }),
    })
}

fn classify_line(line: &[u8], extras: Extras<'_>) -> Result<Output, String> {
    let c = classify_input(line, extras.explain, extras.classifier)?;
    let Some((e, advice, evidence)) = c.error else {
        return Ok(Output {
            status: c.status,
            client_body: extras.client_safe.then_some(None),
            evidence: extras.explain.then_some(None),
            ..Output::default()
        });
    };
    let client_body = extras
        .client_safe
        .then(|| Some(extras.classifier.client_error(&e).openai_body()));
    Ok(Output {
        client_body,
        evidence: extras.explain.then_some(evidence),
        advice: Some(advice),
        kind: Some(e.kind().as_str()),
        reason: Some(e.reason().as_str()),
        provider: e.provider().map(Provider::as_str),
        provider_detected: e.provider_detected(),
        // Output lines end up in logs: every upstream text (code, message, type) is
        // redacted.
        code: e.code().map(|c| match c {
            Code::Name(n) => Code::Name(std::borrow::Cow::Owned(
                errnorm::redact::redact(n).into_owned(),
            )),
            n => n.clone(),
        }),
        message: e.message().map(|m| errnorm::redact::redact(m).into_owned()),
        error_type: e
            .error_type()
            .map(|t| errnorm::redact::redact(t).into_owned()),
        retryable: e.is_retryable(),
        retry_after_ms: e
            .retry_after()
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        basis: Some(e.basis().as_str()),
        rule: Some(e.rule_id().to_owned()),
        status: c.status,
        client_status: Some(e.client_status().as_u16()),
        body_form: Some(e.body_form()),
    })
}

fn explain(provider: &str, code: &str) -> io::Result<ExitCode> {
    let Ok(p) = provider.parse::<Provider>() else {
        eprintln!(
            "errnorm: unknown provider {provider:?}; one of {}",
            Provider::iter()
                .map(Provider::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        );
        return Ok(ExitCode::from(2));
    };
    let mut out = io::stdout().lock();
    let Some(row) = errnorm::tables::lookup_code(p, code.trim()) else {
        writeln!(
            out,
            "{p} code {code:?} is unknown: it is not in data/{p}.tsv."
        )?;
        if let Some(ph) = errnorm::tables::match_phrase(code) {
            writeln!(
                out,
                "As message text it matches the phrase {:?}: {} / {} ({}).",
                ph.code(),
                ph.kind(),
                ph.reason(),
                ph.rule()
            )?;
        }
        return Ok(ExitCode::FAILURE);
    };
    let line = |out: &mut io::StdoutLock, label: &str, v: Option<&str>| -> io::Result<()> {
        match v {
            Some(v) => writeln!(out, "{label:<12}{v}"),
            None => Ok(()),
        }
    };
    line(&mut out, "provider", Some(p.as_str()))?;
    line(&mut out, "code", Some(row.code()))?;
    line(&mut out, "kind", Some(row.kind().as_str()))?;
    line(&mut out, "reason", Some(row.reason().as_str()))?;
    let retry = if row.kind().is_retryable() {
        "yes"
    } else {
        "no"
    };
    line(&mut out, "retryable", Some(retry))?;
    line(
        &mut out,
        "answer with",
        Some(&format!("HTTP {}", row.reason().client_status().as_u16())),
    )?;
    if let Some(s) = row.status() {
        line(&mut out, "documented", Some(&format!("HTTP {s}")))?;
    }
    line(
        &mut out,
        "where",
        Some(&row.places().collect::<Vec<_>>().join(", ")),
    )?;
    line(&mut out, "meaning", row.meaning())?;
    line(&mut out, "solution", row.solution_en())?;
    line(&mut out, "meaning zh", row.meaning_zh())?;
    line(&mut out, "solution zh", row.solution_zh())?;
    if let Some(h) = row.retry_hint() {
        let mut s = format!("retry {}", if h.retry() { "yes" } else { "no" });
        if let Some(m) = h.max_retries() {
            s += &format!(", at most {m} times");
        }
        if let Some(b) = h.backoff() {
            s += &format!(", backoff x{b}");
        }
        if let Some(l) = h.log_level() {
            s += &format!(", log at {}", l.as_str());
        }
        line(&mut out, "hint", Some(&s))?;
    }
    line(&mut out, "source", Some(row.source()))?;
    line(&mut out, "note", row.note())?;
    line(&mut out, "rule", Some(row.rule()))?;
    Ok(ExitCode::SUCCESS)
}

/// Counts for `errnorm stats`.
#[derive(Serialize, Default)]
struct Stats {
    lines: u64,
    errors: u64,
    not_errors: u64,
    malformed: u64,
    by_provider: BTreeMap<String, u64>,
    by_kind: BTreeMap<String, u64>,
    by_reason: BTreeMap<String, u64>,
    by_code: BTreeMap<String, u64>,
    top_codes: Vec<TopCode>,
}

#[derive(Serialize)]
struct TopCode {
    provider: String,
    code: String,
    count: u64,
    kind: String,
    reason: String,
}

fn stats(file: Option<PathBuf>, json: bool, top: usize, cap: usize) -> io::Result<ExitCode> {
    use std::io::IsTerminal;
    let progress = io::stderr().is_terminal();
    let mut st = Stats::default();
    // (provider, code) -> (count, kind, reason)
    let mut codes: std::collections::HashMap<(String, String), (u64, &'static str, &'static str)> =
        std::collections::HashMap::new();
    let classifier = errnorm::Classifier::new();
    for line in lines(open(file)?, cap) {
        st.lines += 1;
        let line = match line? {
            Line::Read(l) => l,
            Line::TooLong(_) => {
                st.malformed += 1;
                continue;
            }
        };
        if progress && st.lines % 100_000 == 0 {
            eprint!("\r{} lines", st.lines);
        }
        match classify_input(&line, false, &classifier) {
            Err(_) => st.malformed += 1,
            Ok(Classified { error: None, .. }) => st.not_errors += 1,
            Ok(Classified {
                error: Some((e, _, _)),
                ..
            }) => {
                st.errors += 1;
                let provider = e.provider().map_or("unknown", Provider::as_str).to_string();
                *st.by_provider.entry(provider.clone()).or_default() += 1;
                *st.by_kind.entry(e.kind().as_str().to_string()).or_default() += 1;
                *st.by_reason
                    .entry(e.reason().as_str().to_string())
                    .or_default() += 1;
                let code = e
                    .code()
                    .map_or_else(|| "-".to_string(), |c| shown(&c.to_string()));
                let known = codes.contains_key(&(provider.clone(), code.clone()));
                let code = if known || codes.len() < MAX_DISTINCT_CODES {
                    code
                } else {
                    "(other)".to_string()
                };
                *st.by_code.entry(format!("{provider}:{code}")).or_default() += 1;
                codes
                    .entry((provider, code))
                    .or_insert((0, e.kind().as_str(), e.reason().as_str()))
                    .0 += 1;
            }
        }
    }
    if progress && st.lines >= 100_000 {
        eprintln!("\r{} lines", st.lines);
    }
    let mut ranked: Vec<_> = codes.into_iter().collect();
    ranked.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then_with(|| a.0.cmp(&b.0)));
    st.top_codes = ranked
        .into_iter()
        .take(top)
        .map(|((provider, code), (count, kind, reason))| TopCode {
            provider,
            code,
            count,
            kind: kind.to_string(),
            reason: reason.to_string(),
        })
        .collect();
    let mut out = BufWriter::new(io::stdout().lock());
    if json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&st).map_err(io::Error::other)?
        )?;
    } else {
        write_table(&mut out, &st)?;
    }
    out.flush()?;
    // Malformed lines fail the run, as they do in `classify`.
    Ok(if st.malformed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn write_table(out: &mut impl Write, st: &Stats) -> io::Result<()> {
    writeln!(
        out,
        "{} lines: {} errors, {} not errors, {} malformed",
        st.lines, st.errors, st.not_errors, st.malformed
    )?;
    let pct = |n: u64| {
        if st.errors == 0 {
            0.0
        } else {
            100.0 * n as f64 / st.errors as f64
        }
    };
    for (title, map) in [
        ("provider", &st.by_provider),
        ("kind", &st.by_kind),
        ("reason", &st.by_reason),
    ] {
        writeln!(out, "\nby {title}")?;
        let mut rows: Vec<_> = map.iter().collect();
        rows.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        for (k, n) in rows {
            writeln!(out, "  {k:<28}{n:>10}  {:>5.1}%", pct(*n))?;
        }
    }
    writeln!(out, "\ntop codes")?;
    for t in &st.top_codes {
        let name = format!("{}:{}", t.provider, t.code);
        writeln!(out, "  {name:<36}{:>10}  {}/{}", t.count, t.kind, t.reason)?;
    }
    Ok(())
}
