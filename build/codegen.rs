//! Table validation and code generation for `build.rs`, in a file of its own so that
//! `tests/build_rows.rs` can feed it bad rows and check the messages. Every row is read
//! by `src/schema.rs`, the validator runtime rules use too; this file only turns valid
//! rows into Rust source.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use crate::schema::{self, Field, Probe, TableRow, Term};

/// Reads every table under `dir` (the crate's `data/`) and returns the generated Rust
/// source for the library, or the first bad row as `data/<file>:<line>: <message>`.
#[allow(dead_code)]
pub fn generate(dir: &Path) -> Result<String, String> {
    Ok(generate_parts(dir)?
        .into_iter()
        .map(|(_, src)| src)
        .collect())
}

/// The generated source, one file per owner: `provider.rs` (the `Provider` enum, for
/// `src/provider.rs`), `tables.rs` (rows, perfect-hash tables, phrases and detection
/// markers, for `src/decide/tables.rs`), `cues.rs` (for `src/decide/cues.rs`),
/// `redact.rs` and `allow.rs` (for `src/text/`).
pub fn generate_parts(dir: &Path) -> Result<Vec<(&'static str, String)>, String> {
    let (providers, rows) = read_all(dir)?;
    let mut provider = String::new();
    gen_provider(&mut provider, &providers);
    let mut tables = String::new();
    gen_rows(&mut tables, &rows, &providers)?;
    gen_detect(&mut tables, dir, &providers, &rows)?;
    let mut detect = String::new();
    gen_detect_code(&mut detect, dir, &providers)?;
    let mut redact = String::new();
    gen_redactions(&mut redact, dir)?;
    let mut cues = String::new();
    gen_cues(&mut cues, dir)?;
    let mut allow = String::new();
    gen_allow(&mut allow, dir)?;
    Ok(vec![
        ("provider.rs", provider),
        ("tables.rs", tables),
        ("detect.rs", detect),
        ("redact.rs", redact),
        ("cues.rs", cues),
        ("allow.rs", allow),
    ])
}

/// Every provider table's keys per field, for the lookup benchmarks: (field name,
/// keys in table order).
#[allow(dead_code)]
pub fn bench_keys(dir: &Path) -> Result<Vec<(String, Vec<String>)>, String> {
    let (_, rows) = read_all(dir)?;
    Ok(index(&rows)
        .into_iter()
        .map(|(f, m)| (f.name().to_string(), m.into_keys().collect()))
        .collect())
}

/// One table row with the provider it belongs to (`None` for the shared phrases).
pub struct Owned {
    pub provider: Option<String>,
    pub file: String,
    pub row: TableRow,
}

fn read(dir: &Path, file: &str) -> Result<String, String> {
    let bytes = fs::read(dir.join(file)).map_err(|e| format!("data/{file}: {e}"))?;
    schema::text_of(&bytes)
        .map(str::to_string)
        .map_err(|e| at(file, &e))
}

fn at(file: &str, e: &schema::RowError) -> String {
    match e.line {
        0 => format!("data/{file}: {}", e.message),
        n => format!("data/{file}:{n}: {}", e.message),
    }
}

/// The registry, then the shared phrases and every provider's table in registry order.
fn read_all(dir: &Path) -> Result<(Vec<schema::ProviderRow>, Vec<Owned>), String> {
    let providers =
        schema::providers(&read(dir, "providers.tsv")?).map_err(|e| at("providers.tsv", &e))?;
    let mut rows = Vec::new();
    for r in schema::table(&read(dir, "phrases.tsv")?).map_err(|e| at("phrases.tsv", &e))? {
        if r.fields != [Field::Message] {
            return Err(format!(
                "data/phrases.tsv:{}: the shared table holds phrases (`message`) only",
                r.line
            ));
        }
        rows.push(Owned {
            provider: None,
            file: "phrases.tsv".into(),
            row: r,
        });
    }
    for p in &providers {
        let file = format!("{}.tsv", p.id);
        for r in schema::table(&read(dir, &file)?).map_err(|e| at(&file, &e))? {
            rows.push(Owned {
                provider: Some(p.id.clone()),
                file: file.clone(),
                row: r,
            });
        }
    }
    // Every file of data/ is accounted for: a table for a provider the registry lacks
    // would otherwise be ignored.
    let mut names: Vec<String> = fs::read_dir(dir)
        .map_err(|e| format!("data: {e}"))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".tsv"))
        .collect();
    names.sort();
    for n in names {
        let stem = n.trim_end_matches(".tsv");
        let known = [
            "phrases",
            "detect",
            "providers",
            "redaction",
            "cues",
            "allow",
        ]
        .contains(&stem)
            || providers.iter().any(|p| p.id == stem);
        if !known {
            return Err(format!(
                "data/{n}: no provider `{stem}` in data/providers.tsv"
            ));
        }
    }
    // A phrase means one thing wherever it is listed.
    let mut seen: BTreeMap<&str, &Owned> = BTreeMap::new();
    for o in rows.iter().filter(|o| o.row.fields == [Field::Message]) {
        if let Some(prev) = seen.insert(&o.row.id, o) {
            return Err(format!(
                "data/{}:{}: phrase `{}` is already listed in data/{}:{}",
                o.file, o.row.line, o.row.id, prev.file, prev.row.line
            ));
        }
    }
    Ok((providers, rows))
}

/// For each field (but `message`), each id and the rows that list it, in row order.
fn index(rows: &[Owned]) -> BTreeMap<Field, BTreeMap<String, Vec<usize>>> {
    let mut idx: BTreeMap<Field, BTreeMap<String, Vec<usize>>> = BTreeMap::new();
    for (i, o) in rows.iter().enumerate() {
        for f in &o.row.fields {
            if *f != Field::Message {
                idx.entry(*f)
                    .or_default()
                    .entry(o.row.id.clone())
                    .or_default()
                    .push(i);
            }
        }
    }
    idx
}

fn camel(id: &str) -> String {
    schema::camel(id)
}

fn lit(s: &str) -> String {
    format!("{s:?}")
}

fn opt_lit(s: Option<&str>) -> String {
    match s {
        Some(s) => format!("Some(Cow::Borrowed({}))", lit(s)),
        None => "None".into(),
    }
}

fn gen_provider(out: &mut String, providers: &[schema::ProviderRow]) {
    let mut variants = String::new();
    for p in providers {
        writeln!(
            variants,
            "    /// {}
    {},",
            p.doc, p.name
        )
        .ok();
    }
    let ids: Vec<String> = providers.iter().map(|p| format!("`{}`", p.id)).collect();
    writeln!(
        out,
        "/// An upstream provider, or a family of providers that share one error format.
///
/// Generated from `data/providers.tsv`. The ids ({ids}) are used by
/// [`FromStr`](std::str::FromStr), [`Display`](std::fmt::Display), serde, the CLI and
/// the tables in `data/`.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = \"snake_case\")]
pub enum Provider {{
{variants}}}

crate::taxonomy::ids!(Provider {{
{pairs}}});
",
        ids = ids.join(", "),
        pairs = providers
            .iter()
            .map(|p| format!("    {} => {:?},\n", p.name, p.id))
            .collect::<String>()
    )
    .ok();
}

fn gen_rows(
    out: &mut String,
    rows: &[Owned],
    providers: &[schema::ProviderRow],
) -> Result<(), String> {
    let mut items = String::new();
    for o in rows {
        let r = &o.row;
        let provider = match &o.provider {
            Some(p) => format!("Owner::Builtin(Provider::{})", camel(p)),
            None => "Owner::Shared".into(),
        };
        let fields: Vec<String> = r.fields.iter().map(|f| format!("Field::{f:?}")).collect();
        let hint = match &r.hint {
            None => "None".into(),
            Some(h) => format!(
                "Some(RetryHint {{ retry: {}, max_retries: {:?}, backoff: {:?}, log_level: {} }})",
                h.retry,
                h.max_retries,
                h.backoff,
                match &h.log_level {
                    Some(l) => format!("Some(LogLevel::{})", camel(&l.to_ascii_lowercase())),
                    None => "None".into(),
                }
            ),
        };
        let rule = match &o.provider {
            Some(p) if r.fields == [Field::Message] => format!("{p}:phrase:{}", r.id),
            Some(p) => format!("{p}:{}", r.id),
            None => format!("phrase:{}", r.id),
        };
        writeln!(
            items,
            "    CodeInfo {{ owner: {provider}, id: Cow::Borrowed({id}), fields: Cow::Borrowed(&[{fields}]), reason: Reason::{reason}, generic: {generic}, status: {status:?}, lang: {lang}, description: {desc}, source: Cow::Borrowed({source}), note: {note}, hint: {hint}, texts: [{t0}, {t1}, {t2}], rule: Cow::Borrowed({rule}) }},",
            id = lit(&r.id),
            fields = fields.join(", "),
            reason = camel(r.reason),
            generic = r.generic,
            status = r.status,
            lang = opt_lit(r.lang.as_deref()),
            desc = opt_lit(r.description.as_deref()),
            source = lit(&r.source),
            note = opt_lit(r.note.as_deref()),
            t0 = opt_lit(r.texts[0].as_deref()),
            t1 = opt_lit(r.texts[1].as_deref()),
            t2 = opt_lit(r.texts[2].as_deref()),
            rule = lit(&rule),
        )
        .ok();
        // The validator (src/schema.rs) has checked the reason against its kind; the
        // variant path still makes a reason the enum lacks a compile error.
    }
    if rows.len() >= usize::from(u16::MAX) {
        return Err("data: too many rows".into());
    }
    writeln!(out, "/// Every row of every table in `data/`: the shared phrases, then each provider's table in registry order.\npub(crate) static ROWS: [CodeInfo; {}] = [\n{items}];\n", rows.len()).ok();

    let idx = index(rows);
    let mut tables = String::new();
    for f in Field::ALL {
        let Some(m) = idx.get(&f) else {
            writeln!(tables, "    StrTable::EMPTY,").ok();
            continue;
        };
        let keys: Vec<&str> = m.keys().map(String::as_str).collect();
        let (seed, bits, slots) = perfect(&keys, |k, seed| {
            crate::phash::hash_bytes(k.as_bytes(), seed)
        })
        .ok_or_else(|| format!("data: no perfect hash found for field `{}`", f.name()))?;
        let hits: Vec<String> = m.values().map(|v| format!("&{v:?}")).collect();
        // Each key's owners as a mask (a provider's bit by its registry index, the
        // shared phrases' bit 63), so that "does a row of P list it" and "do its rows
        // share one owner" are a bit test, not a walk over the rows.
        let mut owners = Vec::with_capacity(m.len());
        for v in m.values() {
            let mut mask = 0u64;
            for &i in v {
                let bit = match rows.get(i).and_then(|o| o.provider.as_deref()) {
                    None => 63,
                    Some(id) => providers
                        .iter()
                        .position(|p| p.id == id)
                        .filter(|&n| n < 63)
                        .ok_or_else(|| format!("data: provider `{id}` has no owner bit"))?,
                };
                mask |= 1u64 << bit;
            }
            owners.push(mask);
        }
        // The keys that are numbers as a reader writes them (decimal, no sign, no
        // leading zero), by value: a number in a body is looked up without writing it.
        let mut ints: Vec<(i64, usize)> = keys
            .iter()
            .enumerate()
            .filter(|(_, k)| {
                !k.is_empty()
                    && k.bytes().all(|b| b.is_ascii_digit())
                    && (k.len() == 1 || !k.starts_with('0'))
            })
            .filter_map(|(i, k)| k.parse::<i64>().ok().map(|n| (n, i)))
            .collect();
        ints.sort_unstable();
        // The numbers perfect-hashed too (their eight bytes, little-endian).
        let (int_seed, int_bits, int_slots) = if ints.is_empty() {
            (0, 0, Vec::new())
        } else {
            perfect(&ints, |&(n, _), seed| {
                crate::phash::hash_bytes(&n.to_le_bytes(), seed)
            })
            .ok_or_else(|| {
                format!(
                    "data: no perfect hash found for the numbers of `{}`",
                    f.name()
                )
            })?
        };
        writeln!(
            tables,
            "    // {name}\n    StrTable {{ seed: {seed}, bits: {bits}, slots: &{slots:?}, keys: &{keys:?}, hits: &[{hits}], owners: &{owners:?}, ints: &{ints:?}, int_seed: {int_seed}, int_bits: {int_bits}, int_slots: &{int_slots:?} }},",
            name = f.name(),
            hits = hits.join(", ")
        )
        .ok();
    }
    writeln!(out, "/// One perfect-hashed table per field, in `Field::ALL` order: each id and the rows (indices into `ROWS`) that list it in that field.\npub(crate) static TABLES: [StrTable; Field::COUNT] = [\n{tables}];\n").ok();
    let phrases: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, o)| o.row.fields == [Field::Message])
        .map(|(i, _)| i)
        .collect();
    writeln!(out, "/// The phrase rows (indices into `ROWS`), in the order their ties are broken.\npub(crate) static PHRASES: [u16; {}] = {phrases:?};\n", phrases.len()).ok();
    Ok(())
}

fn probe_expr(p: &Probe) -> String {
    match p {
        Probe::Field(f) => format!("Probe::Field(Field::{f:?})"),
        Probe::ErrorObject => "Probe::ErrorObject".into(),
        Probe::Text(t) => format!("Probe::Text(TextAt::{t:?})"),
        Probe::Header(h) => format!("Probe::Header(Cow::Borrowed({}))", lit(h)),
    }
}

/// A detection term as a Rust expression.
fn term_expr(t: &Term) -> String {
    match t {
        Term::Present(p) => format!("Term::Present({})", probe_expr(p)),
        Term::Absent(p) => format!("Term::Absent({})", probe_expr(p)),
        Term::Equals(p, v) => format!(
            "Term::Equals({}, Cow::Borrowed(&[{}]))",
            probe_expr(p),
            v.iter()
                .map(|a| format!("Cow::Borrowed({})", lit(a)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Term::Contains(p, v, rare) => {
            format!(
                "Term::Contains({}, Cow::Borrowed({}), {rare})",
                probe_expr(p),
                lit(v)
            )
        }
        Term::Listed(f) => format!("Term::Listed(Field::{f:?})"),
        Term::Owned(f) => format!("Term::Owned(Field::{f:?})"),
    }
}

fn gen_detect(
    out: &mut String,
    dir: &Path,
    providers: &[schema::ProviderRow],
    rows: &[Owned],
) -> Result<(), String> {
    let known = |id: &str| providers.iter().any(|p| p.id == id);
    let text = read(dir, "detect.tsv")?;
    let markers = schema::detect(&text, &known).map_err(|e| at("detect.tsv", &e))?;
    let mut items = String::new();
    for m in &markers {
        // A marker that asks a provider's table for a field must have rows there.
        for t in m.terms.iter().filter(|_| m.provider != "*") {
            if let Term::Listed(f) | Term::Owned(f) = t {
                let has = rows.iter().any(|o| {
                    o.provider.as_deref() == Some(&m.provider) && o.row.fields.contains(f)
                });
                if !has {
                    return Err(format!(
                        "data/detect.tsv:{}: {} lists nothing in `{}`",
                        m.line,
                        m.provider,
                        f.name()
                    ));
                }
            }
        }
        let (need, forbid) = schema::masks(&m.terms);
        let terms: Vec<String> = m.terms.iter().map(term_expr).collect();
        writeln!(
            items,
            "    Marker {{ provider: {}, need: {need}, forbid: {forbid}, terms: Cow::Borrowed(&[{}]), rule: Cow::Borrowed({}) }},",
            if m.provider == "*" { "Owner::Shared".to_string() } else { format!("Owner::Builtin(Provider::{})", camel(&m.provider)) },
            terms.join(", "),
            lit(&format!("detect:{}:{}", m.provider, m.line))
        )
        .ok();
    }
    writeln!(out, "/// Detection markers from `data/detect.tsv`, in file order, as data: the generated\n/// `detect_builtin` is tested against them.\n#[cfg(test)]\npub(crate) static MARKERS: [Marker; {}] = [\n{items}];\n", markers.len()).ok();
    Ok(())
}

/// The built-in markers as straight-line code (`detect.rs`, included by
/// `src/decide/detect.rs`): each marker's masks, then its terms, in file order, with no
/// table of terms to interpret. The same markers as `MARKERS`, which runtime rules and
/// `--explain` read.
fn gen_detect_code(
    out: &mut String,
    dir: &Path,
    providers: &[schema::ProviderRow],
) -> Result<(), String> {
    let known = |id: &str| providers.iter().any(|p| p.id == id);
    let text = read(dir, "detect.tsv")?;
    let markers = schema::detect(&text, &known).map_err(|e| at("detect.tsv", &e))?;
    let mut body = String::new();
    for m in &markers {
        let (need, forbid) = schema::masks(&m.terms);
        let mut conds = Vec::new();
        if need != 0 {
            conds.push(format!("p & {need} == {need}"));
        }
        if forbid != 0 {
            conds.push(format!("p & {forbid} == 0"));
        }
        let masks = conds.join(" && ");
        let and = if masks.is_empty() { "" } else { " && " };
        if m.provider == "*" {
            let [Term::Owned(f)] = m.terms.as_slice() else {
                return Err(format!(
                    "data/detect.tsv:{}: `*` takes one `f@@` term",
                    m.line
                ));
            };
            writeln!(
                body,
                "    // data/detect.tsv:{line}\n    if {cond} {{\n        if let Some(o) = sole_owner_of(ev, Field::{f:?}) {{\n            return Some(o);\n        }}\n    }}",
                line = m.line,
                cond = if masks.is_empty() { "true" } else { masks.as_str() }
            )
            .ok();
            continue;
        }
        let owner = format!("Owner::Builtin(Provider::{})", camel(&m.provider));
        let terms: Vec<String> = m
            .terms
            .iter()
            .map(|t| format!("term(ev, O, &{})", term_expr(t)))
            .collect();
        writeln!(
            body,
            "    // data/detect.tsv:{line}\n    {{\n        const O: Owner = {owner};\n        if {masks}{and}skip != Some(O) && {terms} {{\n            return Some(O);\n        }}\n    }}",
            line = m.line,
            terms = terms.join(" && ")
        )
        .ok();
    }
    writeln!(
        out,
        "/// The first built-in marker that holds names the provider (`skip`'s markers are off).\npub(crate) fn detect_builtin(ev: &mut Evidence<'_, '_>, skip: Option<Owner>) -> Option<Owner> {{\n    let p = ev.present;\n{body}    None\n}}"
    )
    .ok();
    Ok(())
}

/// Finds a seed under which `hash` puts every key in a slot of its own, in a table of
/// at least four slots per key. Returns (seed, bits, slots: key index per slot).
pub fn perfect<K>(keys: &[K], hash: impl Fn(&K, u64) -> u64) -> Option<(u64, u32, Vec<u16>)> {
    if keys.len() >= usize::from(crate::phash::EMPTY) {
        return None;
    }
    let mut bits = (keys.len().max(1) * 4)
        .next_power_of_two()
        .trailing_zeros()
        .max(2);
    loop {
        let mut slots = vec![crate::phash::EMPTY; 1 << bits];
        'seed: for seed in 0..4_000u64 {
            slots.fill(crate::phash::EMPTY);
            for (i, k) in keys.iter().enumerate() {
                let s = crate::phash::slot(hash(k, seed), bits);
                if slots[s] != crate::phash::EMPTY {
                    continue 'seed;
                }
                slots[s] = i as u16;
            }
            return Some((seed, bits, slots));
        }
        bits += 1;
        if bits > 18 {
            return None;
        }
    }
}

/// One row of `data/redaction.tsv`.
struct Line {
    no: usize,
    fields: Vec<String>,
}

/// Reads `data/redaction.tsv` with the generic row rules (header, field count, no
/// empty fields).
fn read_table(dir: &Path, file: &str, header: &[&str]) -> Result<Vec<Line>, String> {
    let name = file.trim_start_matches("data/");
    let text = read(dir, name)?;
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
                return Err(format!(
                    "{file}:{no}: header must be `{}`",
                    header.join("\\t")
                ));
            }
            seen_header = true;
            continue;
        }
        if fields.len() != header.len() || fields.iter().any(|f| f.is_empty() || f != f.trim()) {
            return Err(format!(
                "{file}:{no}: expected {} non-empty fields separated by one TAB",
                header.len()
            ));
        }
        rows.push(Line { no, fields });
    }
    Ok(rows)
}

fn str_lit(s: &str) -> String {
    lit(s)
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

/// The cues of `data/cues.tsv`: validated (kind and reason ids, weight 1-4, window,
/// language, a source, sorted and unique, the `*` forms), then written as `CUES`.
fn gen_cues(out: &mut String, dir: &Path) -> Result<(), String> {
    let file = "data/cues.tsv";
    let header = [
        "cue", "kind", "reason", "weight", "window", "lang", "source", "note",
    ];
    let rows = read_table(dir, file, &header)?;
    let mut items = String::new();
    let mut prev: Option<String> = None;
    for Line { no, fields: f } in &rows {
        let no = *no;
        let cue = f[0].as_str();
        if let Some(p) = &prev {
            if cue.as_bytes() <= p.as_bytes() {
                return Err(format!(
                    "{file}:{no}: rows must be sorted by cue (byte order) with no duplicates (`{cue}` after `{p}`)"
                ));
            }
        }
        prev = Some(cue.to_string());
        if cue != cue.to_lowercase()
            || cue.contains("  ")
            || cue.contains(['_', '-', '\t'])
            || cue.len() > 64
        {
            return Err(format!(
                "{file}:{no}: a cue is lower case, single-spaced (no `_` or `-`: the words have spaces there) and at most 64 bytes"
            ));
        }
        let stem = cue.ends_with('*') && !cue.ends_with(" *");
        let body = cue.strip_suffix('*').filter(|_| stem).unwrap_or(cue);
        let (head, tail) = match body.split_once(" * ") {
            Some((h, t)) => (h, t),
            None => (body, ""),
        };
        if head.is_empty() || head.contains('*') || tail.contains('*') {
            return Err(format!(
                "{file}:{no}: `*` ends a cue or stands alone between two words (`model * not found`)"
            ));
        }
        let (_, reason) =
            schema::kind_reason(&f[1], &f[2]).map_err(|e| format!("{file}:{no}: {e}"))?;
        let weight: u8 = match f[3].parse() {
            Ok(w @ 1..=4) => w,
            _ => return Err(format!("{file}:{no}: weight is 1, 2, 3 or 4")),
        };
        let window = match f[4].as_str() {
            "-" => "None",
            "long" => "Long",
            "short" => "Short",
            w => return Err(format!("{file}:{no}: window `{w}` is not long, short or -")),
        };
        let cjk = !cue.is_ascii();
        match (f[5].as_str(), cjk) {
            ("en", false) | ("zh", true) => {}
            (l, _) => {
                return Err(format!(
                    "{file}:{no}: lang `{l}` does not fit the cue (en for ASCII, zh otherwise)"
                ))
            }
        }
        writeln!(
            items,
            "    Cue {{ cue: {}, head: {}, tail: {}, stem: {stem}, reason: Reason::{}, weight: {weight}, window: Window::{window}, lang: {}, source: {}, note: {} }},",
            lit(cue),
            lit(head),
            lit(tail),
            camel(reason),
            lit(&f[5]),
            lit(&f[6]),
            schema::opt(&f[7]).map_or("None".into(), |n| format!("Some({})", lit(n))),
        )
        .ok();
    }
    if rows.len() >= usize::from(u16::MAX) {
        return Err(format!("{file}: too many rows"));
    }
    writeln!(
        out,
        "/// The cues of `{file}`, in file order.\npub(crate) static CUES: [Cue; {}] = [\n{items}];\n",
        rows.len()
    )
    .ok();
    Ok(())
}

/// The allowlist of `data/allow.tsv`: one `&str` array per kind, sorted and unique.
fn gen_allow(out: &mut String, dir: &Path) -> Result<(), String> {
    let file = "data/allow.tsv";
    let rows = read_table(dir, file, &["kind", "value", "source", "note"])?;
    let kinds = [
        ("host", "ALLOW_HOSTS"),
        ("domain", "ALLOW_DOMAINS"),
        ("money", "ALLOW_MONEY"),
        ("id_prefix", "ALLOW_ID_PREFIXES"),
        ("tld", "ALLOW_TLDS"),
    ];
    let mut by: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut prev: Option<(String, String)> = None;
    for Line { no, fields: f } in &rows {
        let (kind, value) = (f[0].clone(), f[1].clone());
        if !kinds.iter().any(|(k, _)| *k == kind) {
            return Err(format!(
                "{file}:{no}: kind `{kind}` is not host, domain, money, id_prefix or tld"
            ));
        }
        if value != value.to_lowercase() || value.contains(char::is_whitespace) {
            return Err(format!(
                "{file}:{no}: a value is lower case, without spaces"
            ));
        }
        let key = (kind.clone(), value.clone());
        if prev.as_ref().is_some_and(|p| *p >= key) {
            return Err(format!(
                "{file}:{no}: rows must be sorted by kind, then value, with no duplicates"
            ));
        }
        prev = Some(key);
        let k = kinds
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or("", |(k, _)| k);
        by.entry(k).or_default().push(value);
    }
    for (kind, name) in kinds {
        let values = by.get(kind).cloned().unwrap_or_default();
        let items: Vec<String> = values.iter().map(|v| lit(v)).collect();
        writeln!(
            out,
            "/// `{kind}` rows of `{file}`.\npub(crate) static {name}: [&str; {}] = [{}];",
            items.len(),
            items.join(", ")
        )
        .ok();
    }
    Ok(())
}
