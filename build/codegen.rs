//! Table parsing, validation and code generation for `build.rs`, in a file of its own
//! so that `tests/build_rows.rs` can feed it bad rows and check the messages.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

const KINDS: [&str; 6] = [
    "auth",
    "quota",
    "rate_limit",
    "content",
    "validation",
    "transient",
];

/// Reads every table under `dir` (the crate's `data/`) and returns the generated Rust
/// source for the library and, second, for the lookup benchmarks (`benches/classify.rs`) (the same keys as phf
/// maps and `match`es), or the first bad row as `data/<file>:<line>: <message>`.
pub fn generate(dir: &Path) -> Result<(String, String), String> {
    let mut out = String::new();
    let mut bench = String::new();
    gen_minimax(&mut out, &mut bench, dir)?;
    for (name, file) in [
        ("MIMO", "mimo.tsv"),
        ("NOVITA", "novita.tsv"),
        ("GATEWAY", "gateway.tsv"),
        ("OPENAI", "openai.tsv"),
        ("ANTHROPIC", "anthropic.tsv"),
    ] {
        gen_identifiers(&mut out, &mut bench, dir, name, file)?;
    }
    gen_phrases(&mut out, dir)?;
    gen_redactions(&mut out, dir)?;
    Ok((out, bench))
}

use crate::rows::{opt, read_rows, Line, IDENTIFIER_HEADER, MINIMAX_HEADER, PHRASE_HEADER};

/// Reads a table of `dir`, with errors as `file:line: message`.
fn read_table(dir: &Path, file: &str, header: &[&str]) -> Result<Vec<Line>, String> {
    let text = fs::read_to_string(dir.join(file.trim_start_matches("data/")))
        .map_err(|e| format!("{file}: {e}"))?;
    read_rows(&text, header).map_err(|e| match e.line {
        0 => format!("{file}: {}", e.message),
        n => format!("{file}:{n}: {}", e.message),
    })
}

fn camel(id: &str) -> String {
    id.split('_')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn check_kind_reason(file: &str, no: usize, kind: &str, reason: &str) -> Result<String, String> {
    if !KINDS.contains(&kind) {
        return Err(format!(
            "{file}:{no}: unknown kind `{kind}` (one of {})",
            KINDS.join(", ")
        ));
    }
    let ok = |c: char| c.is_ascii_lowercase() || c == '_';
    if reason.is_empty() || !reason.chars().all(ok) {
        return Err(format!(
            "{file}:{no}: reason `{reason}` is not a snake_case id"
        ));
    }
    // The variant path makes an unknown reason a compile error; the assertion makes a
    // reason under the wrong kind one, naming the row.
    Ok(format!(
        "const _: () = assert!(Reason::{r}.kind() as u8 == ErrorKind::{k} as u8, \"{file}:{no}: reason `{reason}` does not belong to kind `{kind}`\");\n",
        r = camel(reason),
        k = camel(kind),
    ))
}

fn str_lit(s: &str) -> String {
    format!("{s:?}")
}

fn opt_lit(s: &str) -> String {
    match opt(s) {
        Some(s) => format!("Some({})", str_lit(s)),
        None => "None".into(),
    }
}

#[allow(clippy::too_many_arguments)]
fn info_expr(
    provider: &str,
    key: &str,
    reason: &str,
    generic: bool,
    status: Option<u16>,
    place: &str,
    texts: [&str; 4],
    hint: &str,
    source: &str,
    note: &str,
    rule: &str,
) -> String {
    format!(
        "CodeInfo {{ provider: Provider::{p}, code: {key}, reason: Reason::{r}, generic: {generic}, status: {status:?}, place: {place}, meaning_en: {me}, solution_en: {se}, meaning_zh: {mz}, solution_zh: {sz}, retry_hint: {hint}, source: {source}, note: {note}, rule: {rule} }}",
        p = camel(provider),
        key = str_lit(key),
        r = camel(reason),
        place = str_lit(place),
        me = opt_lit(texts[0]),
        se = opt_lit(texts[1]),
        mz = opt_lit(texts[2]),
        sz = opt_lit(texts[3]),
        source = str_lit(source),
        note = opt_lit(note),
        rule = str_lit(rule),
    )
}

fn gen_minimax(out: &mut String, bench: &mut String, dir: &Path) -> Result<(), String> {
    let file = "data/minimax.tsv";
    let header = MINIMAX_HEADER;
    let rows = read_table(dir, file, &header)?;
    let mut asserts = String::new();
    let mut last: Option<u32> = None;
    let mut order = Vec::new();
    let mut rows_src = Vec::new();
    for Line { no, fields: f } in &rows {
        let no = *no;
        let code: u32 = f[0]
            .parse()
            .map_err(|_| format!("{file}:{no}: code `{}` is not a number", f[0]))?;
        if let Some(prev) = last {
            if code == prev {
                return Err(format!("{file}:{no}: duplicate code {code}"));
            }
            if code < prev {
                return Err(format!(
                    "{file}:{no}: rows must be sorted by code ({code} after {prev})"
                ));
            }
        }
        last = Some(code);
        asserts += &check_kind_reason(file, no, &f[1], &f[2])?;
        let retryable_kind = f[1] == "rate_limit" || f[1] == "transient";
        let hint = match f[3].as_str() {
            "-" => "None".to_string(),
            r @ ("yes" | "no") => {
                if (r == "yes") != retryable_kind {
                    return Err(format!(
                        "{file}:{no}: retry `{r}` contradicts kind `{}` (rate_limit and transient retry, the others never)",
                        f[1]
                    ));
                }
                let max: Option<u8> = match opt(&f[4]) {
                    None => None,
                    Some(m) => Some(m.parse().map_err(|_| {
                        format!("{file}:{no}: max_retries `{m}` is not a small number")
                    })?),
                };
                let backoff: Option<f32> = match opt(&f[5]) {
                    None => None,
                    Some(b) => match b.parse::<f32>() {
                        Ok(v) if v.is_finite() && v >= 1.0 => Some(v),
                        _ => {
                            return Err(format!(
                                "{file}:{no}: backoff `{b}` is not a factor >= 1.0"
                            ));
                        }
                    },
                };
                if r == "no" && (max.is_some() || backoff.is_some()) {
                    return Err(format!(
                        "{file}:{no}: max_retries/backoff given for a code that is not retried"
                    ));
                }
                let level = match f[6].as_str() {
                    "-" => "None".to_string(),
                    l @ ("ERROR" | "WARNING" | "INFO") => format!("Some({l:?})"),
                    l => {
                        return Err(format!(
                            "{file}:{no}: log_level `{l}` is not ERROR, WARNING or INFO"
                        ));
                    }
                };
                format!(
                    "Some(RetryHint {{ retry: {}, max_retries: {max:?}, backoff: {backoff:?}, log_level: {level} }})",
                    r == "yes"
                )
            }
            r => return Err(format!("{file}:{no}: retry `{r}` is not yes, no or -")),
        };
        if hint == "None" && (opt(&f[4]).is_some() || opt(&f[5]).is_some()) {
            return Err(format!("{file}:{no}: max_retries/backoff need retry yes"));
        }
        if opt(&f[7]).is_none() && opt(&f[9]).is_none() {
            return Err(format!(
                "{file}:{no}: a code needs a message in English or Chinese"
            ));
        }
        let key = f[0].as_str();
        let expr = info_expr(
            "minimax",
            key,
            &f[2],
            false,
            None,
            "base_resp.status_code",
            [&f[7], &f[8], &f[9], &f[10]],
            &hint,
            &f[11],
            &f[12],
            &format!("minimax:{key}"),
        );
        rows_src.push(expr);
        order.push(code);
    }
    let (seed, bits, slots) = perfect(&order, |k, seed| crate::phash::hash_u32(*k, seed))
        .ok_or_else(|| format!("{file}: no perfect hash found"))?;
    writeln!(
        out,
        "/// MiniMax codes from `{file}`, perfect-hashed.\npub(crate) static MINIMAX: NumTable = NumTable {{ seed: {seed}, bits: {bits}, slots: &{slots:?}, keys: &{order:?}, rows: &[\n{}\n] }};\n{asserts}",
        rows_src.join(",\n")
    )
    .ok();
    bench_num(bench, "MINIMAX", &order);
    Ok(())
}

/// Finds a seed under which `hash` puts every key in a slot of its own, in a table of
/// at least four slots per key. Returns (seed, bits, slots: key index per slot).
fn perfect<K>(keys: &[K], hash: impl Fn(&K, u64) -> u64) -> Option<(u64, u32, Vec<u8>)> {
    if keys.len() >= usize::from(crate::phash::EMPTY) {
        return None;
    }
    let mut bits = (keys.len().max(1) * 4)
        .next_power_of_two()
        .trailing_zeros()
        .max(2);
    loop {
        let mut slots = vec![crate::phash::EMPTY; 1 << bits];
        'seed: for seed in 0..200_000u64 {
            slots.fill(crate::phash::EMPTY);
            for (i, k) in keys.iter().enumerate() {
                let s = crate::phash::slot(hash(k, seed), bits);
                if slots[s] != crate::phash::EMPTY {
                    continue 'seed;
                }
                slots[s] = i as u8;
            }
            return Some((seed, bits, slots));
        }
        bits += 1;
        if bits > 16 {
            return None;
        }
    }
}

/// For the lookup benchmarks (`benches/classify.rs`): the same numeric keys as a phf map and a `match`, each
/// giving the row index.
fn bench_num(bench: &mut String, name: &str, keys: &[u32]) {
    let mut map = phf_codegen::Map::<u32>::new();
    let mut arms = String::new();
    for (i, k) in keys.iter().enumerate() {
        map.entry(*k, i.to_string());
        writeln!(arms, "        {k} => Some({i}),").ok();
    }
    writeln!(
        bench,
        "/// `{name}` as a phf map.\npub static {name}_PHF: ::phf::Map<u32, usize> = {};\n/// `{name}` as a match.\npub fn {lower}_match(k: u32) -> Option<usize> {{\n    match k {{\n{arms}        _ => None,\n    }}\n}}\n/// `{name}`'s keys.\npub static {name}_KEYS: [u32; {}] = {keys:?};\n",
        map.build(),
        keys.len(),
        lower = name.to_ascii_lowercase(),
    )
    .ok();
}

/// For the lookup benchmarks (`benches/classify.rs`): the same string keys as a phf map and a `match`.
fn bench_str(bench: &mut String, name: &str, keys: &[&str]) {
    let mut map = phf_codegen::Map::<&str>::new();
    let mut arms = String::new();
    for (i, k) in keys.iter().enumerate() {
        map.entry(*k, i.to_string());
        writeln!(arms, "        {k:?} => Some({i}),").ok();
    }
    writeln!(
        bench,
        "/// `{name}` as a phf map.\npub static {name}_PHF: ::phf::Map<&'static str, usize> = {};\n/// `{name}` as a match.\npub fn {lower}_match(k: &str) -> Option<usize> {{\n    match k {{\n{arms}        _ => None,\n    }}\n}}\n/// `{name}`'s keys.\npub static {name}_KEYS: [&str; {}] = {keys:?};\n",
        map.build(),
        keys.len(),
        lower = name.to_ascii_lowercase(),
    )
    .ok();
}

fn gen_identifiers(
    out: &mut String,
    bench: &mut String,
    dir: &Path,
    name: &str,
    file: &str,
) -> Result<(), String> {
    let file = &format!("data/{file}");
    let header = IDENTIFIER_HEADER;
    let provider = name.to_ascii_lowercase();
    let rows = read_table(dir, file, &header)?;
    let mut asserts = String::new();
    // id -> (first line, merged fields)
    let mut merged: BTreeMap<String, (usize, Vec<String>)> = BTreeMap::new();
    let mut prev: Option<(String, String)> = None;
    for Line { no, fields: f } in &rows {
        let no = *no;
        let id = &f[0];
        if id.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!("{file}:{no}: id `{id}` has white space"));
        }
        let sort_key = (id.clone(), f[1].clone());
        if let Some(p) = &prev {
            if sort_key <= *p {
                return Err(format!(
                    "{file}:{no}: rows must be sorted by id, then where, with no duplicates (`{id}` after `{}`)",
                    p.0
                ));
            }
        }
        prev = Some(sort_key);
        if opt(&f[2]).is_some() {
            match f[2].parse::<u16>() {
                Ok(s) if (100..600).contains(&s) => {}
                _ => {
                    return Err(format!(
                        "{file}:{no}: status `{}` is not an HTTP status",
                        f[2]
                    ))
                }
            }
        }
        asserts += &check_kind_reason(file, no, &f[3], &f[4])?;
        if f[5] != "exact" && f[5] != "generic" {
            return Err(format!(
                "{file}:{no}: weight `{}` is not exact or generic",
                f[5]
            ));
        }
        match merged.get_mut(id) {
            None => {
                merged.insert(id.clone(), (no, f.clone()));
            }
            Some((first, m)) => {
                // The same name in another domain: the body cannot say which, so the
                // classification must not depend on it.
                for (i, what) in [(2, "status"), (3, "kind"), (4, "reason"), (5, "weight")] {
                    if m[i] != f[i] {
                        return Err(format!(
                            "{file}:{no}: `{id}` has {what} `{}` here but `{}` at line {first}; one name must classify one way",
                            f[i], m[i]
                        ));
                    }
                }
                m[1] = format!("{}+{}", m[1], f[1]);
                if m[6] != f[6] {
                    m[6] = format!("{}; {}", m[6], f[6]);
                }
                if f[8] != "-" {
                    m[8] = if m[8] == "-" {
                        f[8].clone()
                    } else {
                        format!("{}; {}", m[8], f[8])
                    };
                }
            }
        }
    }
    let mut exprs = Vec::new();
    for (id, (_, f)) in &merged {
        let status = opt(&f[2]).and_then(|s| s.parse::<u16>().ok());
        exprs.push(info_expr(
            &provider,
            id,
            &f[4],
            f[5] == "generic",
            status,
            &f[1],
            [&f[6], "-", "-", "-"],
            "None",
            &f[7],
            &f[8],
            &format!("{provider}:{id}"),
        ));
    }
    let keys: Vec<&str> = merged.keys().map(String::as_str).collect();
    let (seed, bits, slots) = perfect(&keys, |k, seed| {
        crate::phash::hash_bytes(k.as_bytes(), seed)
    })
    .ok_or_else(|| format!("{file}: no perfect hash found"))?;
    writeln!(
        out,
        "/// Identifiers from `{file}`, perfect-hashed, rows in file order.\npub(crate) static {name}: StrTable = StrTable {{ seed: {seed}, bits: {bits}, slots: &{slots:?}, rows: &[\n{}\n] }};\n{asserts}",
        exprs.join(",\n")
    )
    .ok();
    bench_str(bench, name, &keys);
    Ok(())
}

fn gen_phrases(out: &mut String, dir: &Path) -> Result<(), String> {
    let file = "data/phrases.tsv";
    let header = PHRASE_HEADER;
    let rows = read_table(dir, file, &header)?;
    let mut asserts = String::new();
    let mut items = String::new();
    let mut prev: Option<String> = None;
    for Line { no, fields: f } in &rows {
        let no = *no;
        let phrase = &f[0];
        if *phrase != phrase.to_lowercase() {
            return Err(format!("{file}:{no}: phrase `{phrase}` must be lower case"));
        }
        if phrase.chars().count() < 2 {
            return Err(format!(
                "{file}:{no}: phrase `{phrase}` is too short to mean anything"
            ));
        }
        if let Some(p) = &prev {
            if phrase.as_bytes() <= p.as_bytes() {
                return Err(format!(
                    "{file}:{no}: rows must be sorted by phrase with no duplicates (`{phrase}` after `{p}`)"
                ));
            }
        }
        prev = Some(phrase.clone());
        if f[1] != "en" && f[1] != "zh" {
            return Err(format!("{file}:{no}: lang `{}` is not en or zh", f[1]));
        }
        asserts += &check_kind_reason(file, no, &f[2], &f[3])?;
        writeln!(
            items,
            "    PhraseInfo {{ phrase: {}, lang: {}, reason: Reason::{}, source: {}, note: {}, rule: {} }},",
            str_lit(phrase),
            str_lit(&f[1]),
            camel(&f[3]),
            str_lit(&f[4]),
            opt_lit(&f[5]),
            str_lit(&format!("phrase:{phrase}")),
        )
        .ok();
    }
    writeln!(
        out,
        "/// Message phrases from `{file}`, in file order.\npub(crate) static PHRASES: [PhraseInfo; {}] = [\n{items}];\n{asserts}",
        rows.len()
    )
    .ok();
    Ok(())
}

fn gen_redactions(out: &mut String, dir: &Path) -> Result<(), String> {
    let file = "data/redaction.tsv";
    let header = [
        "rule", "kind", "anchor", "replace", "example", "secret", "source",
    ];
    let rows = read_table(dir, file, &header)?;
    let mut items = String::new();
    let mut prev: Option<String> = None;
    for Line { no, fields: f } in &rows {
        let no = *no;
        if let Some(p) = &prev {
            if f[0] <= *p {
                return Err(format!(
                    "{file}:{no}: rows must be sorted by rule with no duplicates (`{}` after `{p}`)",
                    f[0]
                ));
            }
        }
        prev = Some(f[0].clone());
        let kind = match f[1].as_str() {
            "prefix" => "Prefix",
            "after" => "After",
            "enclosed" => "Enclosed",
            "amount" => "Amount",
            "email" => "Email",
            "ipv4" => "Ipv4",
            "ipv6" => "Ipv6",
            "host" => "Host",
            "field" => "Field",
            "unit" => "Unit",
            "awskey" => "AwsKey",
            "userinfo" => "Userinfo",
            "hex32" => "Hex32",
            k => {
                return Err(format!(
                    "{file}:{no}: kind `{k}` is not prefix, after, field, enclosed, amount, unit, awskey, email, ipv4, ipv6, host, userinfo or hex32"
                ));
            }
        };
        let anchored = !matches!(kind, "Email" | "Ipv4" | "Ipv6" | "Userinfo" | "Hex32");
        if anchored == (f[2] == "-") {
            return Err(format!(
                "{file}:{no}: kind `{}` {} an anchor",
                f[1],
                if anchored { "needs" } else { "takes no" }
            ));
        }
        if !f[4].contains(f[5].as_str()) {
            return Err(format!(
                "{file}:{no}: the example does not contain the secret"
            ));
        }
        writeln!(
            items,
            "    RedactRule {{ rule: {}, kind: RedactKind::{kind}, anchor: {}, replace: {}, example: {}, secret: {} }},",
            str_lit(&f[0]),
            str_lit(if anchored { &f[2] } else { "" }),
            str_lit(&f[3]),
            str_lit(&f[4]),
            str_lit(&f[5]),
        )
        .ok();
    }
    writeln!(
        out,
        "/// Redaction rules from `{file}`, in file order.\npub(crate) static REDACTIONS: [RedactRule; {}] = [\n{items}];\n",
        rows.len()
    )
    .ok();
    Ok(())
}
