//! Detection: which provider a response's shape names, by the markers of
//! `data/detect.tsv` (and of runtime rules, read first). The only per-provider
//! knowledge outside the tables, and it is data too.

use super::tables::{self, Marker, Owner, ProbeC, TermC};
use super::Evidence;
use crate::read::{Text, Val};
use crate::schema::Field;

/// The provider the first matching marker names, or `None`.
pub(crate) fn detect(ev: &mut Evidence<'_, '_>) -> Option<Owner> {
    if let Some(rules) = ev.rules {
        for m in rules.markers() {
            if holds(ev, m) {
                return Some(m.provider);
            }
        }
    }
    tables::MARKERS
        .iter()
        .find(|m| holds(ev, m))
        .map(|m| m.provider)
}

fn holds(ev: &mut Evidence<'_, '_>, m: &Marker<'_>) -> bool {
    m.terms.iter().all(|t| term(ev, m.provider, t))
}

/// A probe's value: `Some(None)` when present without text (an object, a number).
fn probe<'e>(ev: &'e Evidence<'_, '_>, p: &ProbeC<'_>) -> Option<Option<&'e [u8]>> {
    let text = |t: Option<&'e Text<'_>>| t.map(|t| Some(t.bytes()));
    match p {
        ProbeC::Header(h) => ev.headers.get(h.as_ref()).map(|v| Some(v.as_bytes())),
        ProbeC::Field(Field::AmznType) => ev.amzn.map(Some),
        ProbeC::Field(Field::MessageCode) => ev.msg_code.map(|_| None),
        ProbeC::Field(f) => match ev.fields?.get(*f)? {
            Val::Str(t) => Some(Some(t.bytes())),
            Val::Int(_) => Some(None),
            Val::Other => None,
        },
        ProbeC::ErrorObject => ev.fields?.error_obj.then_some(None),
        ProbeC::ErrorText => text(ev.fields?.error_text.as_ref()),
        ProbeC::ErrorMessage => text(ev.fields?.error_message.as_ref()),
        ProbeC::TopMessage => text(ev.fields?.message.as_ref()),
        ProbeC::Object => text(ev.fields?.object.as_ref()),
        ProbeC::ErrorMsg => text(ev.fields?.error_msg.as_ref()),
    }
}

fn term(ev: &mut Evidence<'_, '_>, owner: Owner, t: &TermC<'_>) -> bool {
    match t {
        TermC::Present(p) => match probe(ev, p) {
            Some(Some(b)) => !b.iter().all(u8::is_ascii_whitespace),
            Some(None) => true,
            None => false,
        },
        TermC::Absent(p) => probe(ev, p).is_none(),
        TermC::Equals(p, v) => probe(ev, p).flatten() == Some(v.as_bytes()),
        TermC::Contains(p, v) => probe(ev, p)
            .flatten()
            .is_some_and(|b| memchr::memmem::find(b, v.as_bytes()).is_some()),
        TermC::Listed(f) => ev.hits(*f).iter().any(|r| r.owner == owner),
        TermC::Owned(f) => {
            let h = ev.hits(*f);
            !h.is_empty() && h.iter().all(|r| r.owner == owner)
        }
    }
}
