//! Detection: which provider a response's shape names, by the markers of
//! `data/detect.tsv` (and of runtime rules, read first). The only per-provider
//! knowledge outside the tables, and it is data too.

use super::evidence::{held_out, Evidence};
use super::tables::{self, Marker, Owner};
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
    // A tight first pass over the markers' presence masks; only a marker whose masks
    // pass has its values looked at.
    let present = ev.present;
    let skip = held_out();
    for (i, &(need, forbid)) in tables::MARKER_MASKS.iter().enumerate() {
        if present & need != need || present & forbid != 0 {
            continue;
        }
        if skip.is_some() && tables::MARKERS.get(i).map(|m| m.provider) == skip {
            continue;
        }
        if let Some(o) = tables::MARKERS.get(i).and_then(|m| holds(ev, m)) {
            return Some(o);
        }
    }
    None
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
        // A bare number names no provider: every provider has its own numbers.
        if ev.fields.and_then(|x| x.get(*f)).is_some_and(|v| match v {
            Val::Int(_) => true,
            Val::Str(t) => t.bytes().iter().all(u8::is_ascii_digit),
            Val::Other => false,
        }) {
            return None;
        }
        let o = ev.hits(*f).sole_owner()?;
        return (o != Owner::Shared && Some(o) != held_out()).then_some(o);
    }
    m.terms
        .iter()
        .all(|t| term(ev, m.provider, t))
        .then_some(m.provider)
}

/// A probe's value: `Some(None)` when present without text (an object, a number).
fn probe<'e>(ev: &'e Evidence<'_, '_>, p: &Probe<'_>) -> Option<Option<&'e [u8]>> {
    let text = |t: Option<&'e Text<'_>>| t.map(|t| Some(t.bytes()));
    match p {
        Probe::Header(_) if ev.headers.is_empty() => None,
        Probe::Header(h) => ev.headers.get(h.as_ref()).map(|v| Some(v.as_bytes())),
        Probe::Field(Field::AmznType) => ev.amzn.map(Some),
        Probe::Field(Field::MessageCode) => ev.msg_code.map(|_| None),
        Probe::Field(f) => match ev.fields?.get(*f)? {
            Val::Str(t) => Some(Some(t.bytes())),
            Val::Int(_) => Some(None),
            Val::Other => None,
        },
        Probe::ErrorObject => ev.fields?.error_obj.then_some(None),
        Probe::ErrorText => text(ev.fields?.error_text.as_ref()),
        Probe::ErrorMessage => text(ev.fields?.error_message.as_ref()),
        Probe::TopMessage => text(ev.fields?.message.as_ref()),
        Probe::Object => text(ev.fields?.object.as_ref()),
        Probe::ErrorMsg => text(ev.fields?.error_msg.as_ref()),
        Probe::Raw => text(ev.fields?.raw.as_ref()),
    }
}

/// Whether `needle` occurs in `hay`: the first byte by `memchr`, then a compare. For
/// the short needles of markers this beats building a `memmem` searcher per call.
pub(crate) fn contains(hay: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    let mut from = 0;
    while let Some(i) = hay.get(from..).and_then(|h| memchr::memchr(first, h)) {
        let at = from + i + 1;
        if hay.get(at..at + rest.len()) == Some(rest) {
            return true;
        }
        from = at;
    }
    false
}

fn term(ev: &mut Evidence<'_, '_>, owner: Owner, t: &Term<'_>) -> bool {
    match t {
        Term::Present(p) => match probe(ev, p) {
            Some(Some(b)) => !b.iter().all(u8::is_ascii_whitespace),
            Some(None) => true,
            None => false,
        },
        Term::Absent(p) => probe(ev, p).is_none(),
        Term::Equals(p, alts) => probe(ev, p)
            .flatten()
            .is_some_and(|b| alts.iter().any(|a| a.as_bytes() == b)),
        Term::Contains(p, v) => probe(ev, p)
            .flatten()
            .is_some_and(|b| contains(b, v.as_bytes())),
        Term::Listed(f) => ev.hits(*f).iter().any(|r| r.owner == owner),
        Term::Owned(f) => ev.hits(*f).sole_owner() == Some(owner),
    }
}

#[cfg(test)]
mod tests {
    use super::contains;

    #[test]
    fn contains_finds_every_occurrence_and_no_false_one() {
        assert!(contains(b"x (request id: 1)", b"(request id:"));
        assert!(contains(b"((request id:", b"(request id:"));
        assert!(!contains(b"(request i", b"(request id:"));
        assert!(!contains(b"", b"a"));
        assert!(contains(b"abc", b""));
        assert!(contains(b"aab", b"ab"));
    }
}
