//! Detection: which provider a response's shape names, by the markers of
//! `data/detect.tsv` (and of runtime rules, read first). The only per-provider
//! knowledge outside the tables, and it is data too.

use super::evidence::{held_out, Evidence};
use super::tables::{Marker, Owner};
use crate::read::{Text, Val};
use crate::schema::{Field, Probe, Term};

/// The provider the first matching marker names, or `None`.
pub(crate) fn detect(ev: &mut Evidence<'_, '_>) -> Option<Owner> {
    if let Some(rules) = ev.rules {
        for m in rules.markers() {
            if let Some(o) = holds(ev, m) {
                return Some(o);
            }
        }
    }
    // The built-in markers, generated as straight-line code: each marker's presence
    // masks first, then its terms.
    generated::detect_builtin(ev, held_out())
}

/// The generated `detect_builtin` (`data/detect.tsv`).
mod generated {
    use std::borrow::Cow;

    use super::{sole_owner_of, term};
    use crate::decide::evidence::Evidence;
    use crate::decide::tables::Owner;
    use crate::schema::{Field, Probe, Term, TextAt};
    use crate::Provider;
    include!(concat!(env!("OUT_DIR"), "/detect.rs"));
}

/// The provider whose table alone lists `f`'s value, if any (a `*` marker). A bare
/// number names no provider: every provider has its own numbers.
fn sole_owner_of(ev: &mut Evidence<'_, '_>, f: Field) -> Option<Owner> {
    if ev.fields.and_then(|x| x.get(f)).is_some_and(|v| match v {
        Val::Int(_) => true,
        Val::Str(t) => t.with(|b| b.iter().all(u8::is_ascii_digit)),
        Val::Other => false,
    }) {
        return None;
    }
    let o = ev.hits(f).sole_owner()?;
    (o != Owner::Shared && Some(o) != held_out()).then_some(o)
}

/// The provider a marker names, if it holds. A marker of `*` (its one term `f@@`)
/// names whichever provider alone lists the field's value.
fn holds(ev: &mut Evidence<'_, '_>, m: &Marker<'_>) -> Option<Owner> {
    if ev.present & m.need != m.need || ev.present & m.forbid != 0 {
        return None;
    }
    if m.provider == Owner::Shared {
        let [Term::Owned(f)] = m.terms.as_ref() else {
            return None;
        };
        return sole_owner_of(ev, *f);
    }
    m.terms
        .iter()
        .all(|t| term(ev, m.provider, t))
        .then_some(m.provider)
}

/// A probe's value: bytes (a header's, the AWS type) or a text of the body.
#[derive(Clone, Copy)]
enum Value<'e> {
    Bytes(&'e [u8]),
    Text(&'e Text<'e>),
}

impl Value<'_> {
    /// `f` on the value's bytes (a text decoded where escaped).
    #[inline(always)]
    fn with<R>(self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Value::Bytes(b) => f(b),
            Value::Text(t) => t.with(f),
        }
    }
}

/// A probe's value: `Some(None)` when present without text (an object, a number).
#[inline(always)]
fn probe<'e>(ev: &'e Evidence<'_, '_>, p: &Probe<'_>) -> Option<Option<Value<'e>>> {
    match p {
        Probe::Header(_) if ev.headers.is_empty() => None,
        Probe::Header(h) => match ev.seen.get(h) {
            // A header the one pass reads (as `apim-request-id`): no second lookup.
            Some(v) => v.map(|v| Some(Value::Bytes(v))),
            None => ev
                .headers
                .get(h.as_ref())
                .map(|v| Some(Value::Bytes(v.as_bytes()))),
        },
        Probe::Field(Field::AmznType) => ev.amzn.map(|v| Some(Value::Bytes(v))),
        Probe::Field(Field::MessageCode) => ev.msg_code.map(|_| None),
        Probe::Field(f) => match ev.fields?.get(*f)? {
            Val::Str(t) => Some(Some(Value::Text(t))),
            Val::Int(_) => Some(None),
            Val::Other => None,
        },
        Probe::ErrorObject => ev.fields?.error_obj.then_some(None),
        Probe::Text(at) => ev.fields?.at(*at).map(|t| Some(Value::Text(t))),
    }
}

/// Whether `needle` occurs in `hay`: each place of its byte at `rare` (its rarest,
/// see `schema::rare_byte`) found by `memchr`, then a compare around it. For the short
/// needles of markers this beats building a `memmem` searcher per call.
pub(crate) fn contains(hay: &[u8], needle: &[u8], rare: usize) -> bool {
    let Some(&b) = needle.get(rare) else {
        return needle.is_empty();
    };
    let mut from = rare;
    while let Some(i) = hay.get(from..).and_then(|h| memchr::memchr(b, h)) {
        let start = from + i - rare;
        if hay.get(start..start + needle.len()) == Some(needle) {
            return true;
        }
        from += i + 1;
    }
    false
}

#[inline(always)]
fn term(ev: &mut Evidence<'_, '_>, owner: Owner, t: &Term<'_>) -> bool {
    match t {
        Term::Present(p) => match probe(ev, p) {
            Some(Some(v)) => v.with(|b| !b.iter().all(u8::is_ascii_whitespace)),
            Some(None) => true,
            None => false,
        },
        Term::Absent(p) => probe(ev, p).is_none(),
        Term::Equals(p, alts) => probe(ev, p)
            .flatten()
            .is_some_and(|v| v.with(|b| alts.iter().any(|a| a.as_bytes() == b))),
        Term::Contains(p, v, rare) => probe(ev, p).flatten().is_some_and(|x| match x {
            // Found in the body as it is, the text holds it decoded too, unless the
            // needle could begin inside an escape (`\u0028` is `(`; `(` is never
            // part of one): the escaped message is not decoded to be searched.
            Value::Text(Text::Escaped(raw) | Text::Wide(raw))
                if !v.contains('\\')
                    && !v.starts_with(|c: char| c.is_ascii_alphanumeric() || "\"/".contains(c))
                    && contains(raw, v.as_bytes(), *rare) =>
            {
                true
            }
            x => x.with(|b| contains(b, v.as_bytes(), *rare)),
        }),
        Term::Listed(f) => ev.hits(*f).has_owner(owner),
        Term::Owned(f) => ev.hits(*f).sole_owner() == Some(owner),
    }
}

/// The built-in markers read as data, one term at a time: what the generated code
/// must agree with.
#[cfg(test)]
fn interpret(ev: &mut Evidence<'_, '_>) -> Option<Owner> {
    super::tables::MARKERS.iter().find_map(|m| holds(ev, m))
}

#[cfg(test)]
mod tests {
    use super::contains;

    #[test]
    fn contains_finds_every_occurrence_and_no_false_one() {
        let has = |hay: &[u8], needle: &[u8]| {
            let rare = crate::schema::rare_byte(needle);
            let got = contains(hay, needle, rare);
            // Whichever byte is looked for first, the answer is the same.
            for at in 0..needle.len() {
                assert_eq!(contains(hay, needle, at), got, "{hay:?} {needle:?} {at}");
            }
            got
        };
        assert!(has(b"x (request id: 1)", b"(request id:"));
        assert!(has(b"((request id:", b"(request id:"));
        assert!(!has(b"(request i", b"(request id:"));
        assert!(!has(b"", b"a"));
        assert!(has(b"abc", b""));
        assert!(has(b"aab", b"ab"));
        assert!(has(
            b"at aiplatform.googleapis.com.",
            b"aiplatform.googleapis.com"
        ));
        assert!(!has(
            b"API key not valid. Please pass a valid API key.",
            b"aiplatform.googleapis.com"
        ));
        assert!(has(b"..a.b", b"a.b"));
        assert!(!has(b"a.", b"a.b"));
    }

    #[test]
    fn the_rarest_byte_is_looked_for_first() {
        use crate::schema::rare_byte;
        assert_eq!(rare_byte(b"(request id:"), 0);
        assert_eq!(rare_byte(b"aiplatform.googleapis.com"), 10);
        assert_eq!(rare_byte(b"quota"), 0);
        assert_eq!(rare_byte(b"the"), 1);
        assert_eq!(rare_byte(b""), 0);
    }

    /// Every body of every fixture, corpus and untabled file, with its headers: the
    /// generated walk names the provider the markers name, read one term at a time.
    #[test]
    fn the_generated_walk_agrees_with_the_markers_on_every_fixture() {
        use super::{generated, interpret, Evidence};
        use crate::read::{self, headers::Seen, Fields};
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
        let mut files = Vec::new();
        for dir in ["fixtures", "corpus", "corpus/untabled"] {
            for e in std::fs::read_dir(root.join(dir)).unwrap() {
                let p = e.unwrap().path();
                if p.extension().is_some_and(|x| x == "jsonl") {
                    files.push(p);
                }
            }
        }
        let mut n = 0;
        let mut named = 0;
        for p in files {
            for line in std::fs::read_to_string(&p).unwrap().lines() {
                let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                    continue;
                };
                let Some(body) = v["body"].as_str() else {
                    continue;
                };
                let mut h = http::HeaderMap::new();
                if let Some(m) = v["headers"].as_object() {
                    for (k, x) in m {
                        if let (Ok(k), Some(Ok(x))) = (
                            http::HeaderName::from_bytes(k.as_bytes()),
                            x.as_str().map(http::HeaderValue::from_str),
                        ) {
                            h.append(k, x);
                        }
                    }
                }
                let mut f = Fields::default();
                let mut buf = Vec::new();
                let (_, ok) = read::read(body.as_bytes(), &mut buf, &mut f);
                let seen = Seen::read(&h);
                let mut ev = Evidence::new(ok.then_some(&f), &h, &seen, None);
                let want = interpret(&mut ev);
                let mut ev = Evidence::new(ok.then_some(&f), &h, &seen, None);
                let got = generated::detect_builtin(&mut ev, None);
                assert_eq!(got, want, "{}: {body}", p.display());
                n += 1;
                named += usize::from(want.is_some());
            }
        }
        assert!(n > 700 && named > 500, "{n} bodies, {named} named");
    }
}
