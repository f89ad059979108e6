//! The evidence of one response as the ladder and detection ask for it: the fields
//! read, the headers that matter, the message's code and the AWS error type, presence
//! bits, and each table lookup done at most once.

use http::HeaderMap;

use super::rules::Rules;
use super::tables::{self, CodeInfo, Owner};
use crate::read::evidence::Key;
use crate::read::{self, Fields};
use crate::schema::Field;
#[cfg(feature = "holdout")]
use crate::Provider;

/// The evidence of one response as read, with every table lookup done at most once
/// and shared by detection and the ladder.
pub(crate) struct Evidence<'a, 'r> {
    /// What reading handed over (fields, headers, the message's code, presence bits).
    pub read: read::evidence::Read<'a>,
    pub rules: Option<&'r Rules>,
    /// The lookups done so far: a body has few fields, so a short list beats a table.
    cache: [(Option<Field>, Hits<'r>); 4],
}

impl<'a> std::ops::Deref for Evidence<'a, '_> {
    type Target = read::evidence::Read<'a>;

    fn deref(&self) -> &Self::Target {
        &self.read
    }
}

/// The rows that list one field's value: the runtime ones, then the built-in ones.
#[derive(Clone, Copy)]
pub(crate) struct Hits<'r> {
    runtime: &'r [CodeInfo],
    builtin: &'static [u16],
    /// The owners of the built-in rows, a bit each (see `tables::owner_bit`).
    mask: u64,
}

impl<'r> Hits<'r> {
    const NONE: Hits<'static> = Hits {
        runtime: &[],
        builtin: &[],
        mask: 0,
    };

    pub(crate) fn iter(&self) -> impl Iterator<Item = &'r CodeInfo> + '_ {
        let rows = tables::all_rows();
        // A provider whose rows are left out (the leave-one-provider-out measurement).
        let skip = held_out();
        self.runtime
            .iter()
            .chain(
                self.builtin
                    .iter()
                    .filter_map(move |&i| rows.get(usize::from(i))),
            )
            .filter(move |r| skip != Some(r.owner))
    }

    /// The one owner of every row, if they share one (from the built-in rows' owner
    /// mask when no runtime row lists the value: the common case, one bit count).
    pub(crate) fn sole_owner(&self) -> Option<Owner> {
        if self.runtime.is_empty() && held_out().is_none() {
            return tables::owner_of_bit(self.mask);
        }
        let first = self.iter().next()?.owner;
        self.iter().all(|r| r.owner == first).then_some(first)
    }

    /// Whether a row of `owner` lists the value (a bit of the built-in rows' owner mask
    /// when no runtime row does).
    pub(crate) fn has_owner(&self, owner: Owner) -> bool {
        if self.runtime.is_empty() && held_out().is_none() {
            return self.mask & tables::owner_bit(owner) != 0;
        }
        self.iter().any(|r| r.owner == owner)
    }

    pub(crate) fn is_empty(&self) -> bool {
        if held_out().is_some() {
            return self.iter().next().is_none();
        }
        self.runtime.is_empty() && self.builtin.is_empty()
    }

    /// The row that answers: the preferred provider's, else the first (runtime rows
    /// first, then registry order).
    pub(crate) fn best(&self, prefer: Option<Owner>) -> Option<&'r CodeInfo> {
        if self.runtime.is_empty() && held_out().is_none() {
            let rows = tables::all_rows();
            let row = |i: &u16| rows.get(usize::from(*i));
            if let Some(p) = prefer {
                if let Some(r) = self.builtin.iter().filter_map(row).find(|r| r.owner == p) {
                    return Some(r);
                }
            }
            return self.builtin.first().and_then(row);
        }
        if let Some(p) = prefer {
            if let Some(r) = self.iter().find(|r| r.owner == p) {
                return Some(r);
            }
        }
        self.iter().next()
    }
}

impl<'a, 'r> Evidence<'a, 'r> {
    pub(crate) fn new(
        fields: Option<&'a Fields<'a>>,
        headers: &'a HeaderMap,
        seen: &'a read::headers::Seen<'a>,
        rules: Option<&'r Rules>,
    ) -> Evidence<'a, 'r> {
        Evidence {
            read: read::evidence::Read::new(fields, headers, seen),
            rules,
            cache: [(None, Hits::NONE); 4],
        }
    }

    /// The rows that list this field's value (looked up once).
    pub(crate) fn hits(&mut self, field: Field) -> Hits<'r> {
        if self.present & crate::schema::field_bit(field) == 0 {
            return Hits::NONE;
        }
        if let Some((_, h)) = self.cache.iter().find(|(f, _)| *f == Some(field)) {
            return *h;
        }
        let rules = self.rules;
        // Without runtime rules a number is looked up by value, its digits unwritten.
        let h = self
            .read
            .with_key(field, rules.is_none(), |key| match key {
                Key::Int(n) => {
                    let (builtin, mask) = tables::lookup_int(field, n);
                    Hits {
                        runtime: &[],
                        builtin,
                        mask,
                    }
                }
                Key::Bytes(key) => {
                    let (builtin, mask) = tables::lookup_entry(field, key);
                    Hits {
                        runtime: rules.map_or(&[][..], |r| r.lookup(field, key)),
                        builtin,
                        mask,
                    }
                }
            })
            .unwrap_or(Hits::NONE);
        if let Some(slot) = self.cache.iter_mut().find(|(f, _)| f.is_none()) {
            *slot = (Some(field), h);
        }
        h
    }

    /// The best phrase in the message: a runtime one first, then a built-in one.
    pub(crate) fn phrase(&self) -> Option<(&'r CodeInfo, &'static str)> {
        let (m, at) = self.fields?.message()?;
        let rules = self.rules;
        let row = m.with(|m| {
            let row = rules
                .and_then(|r| r.phrase(m))
                .or_else(|| tables::phrase_in(m))?;
            match held_out() {
                // The held-out provider's phrase: the best phrase of the others.
                Some(skip) if row.owner == skip => tables::phrase_in_except(m, skip),
                _ => Some(row),
            }
        })?;
        Some((row, at.pointer()))
    }
}

#[cfg(feature = "holdout")]
thread_local! {
    static HELD_OUT: std::cell::Cell<Option<Provider>> = const { std::cell::Cell::new(None) };
}

/// The provider whose rows and markers are switched off on this thread, if any.
#[inline(always)]
pub(crate) fn held_out() -> Option<Owner> {
    #[cfg(feature = "holdout")]
    {
        HELD_OUT
            .try_with(std::cell::Cell::get)
            .ok()
            .flatten()
            .map(Owner::Builtin)
    }
    #[cfg(not(feature = "holdout"))]
    {
        None
    }
}

/// Runs `f` with one provider's own rows (codes, types, phrases) and detection markers
/// switched off on this thread, as if errnorm had no table for it: the
/// leave-one-provider-out measurement of how well the generic layer (shapes, words,
/// cues) serves a provider it does not know. For errnorm's own tests (feature
/// `holdout`); never needed by a consumer.
#[cfg(feature = "holdout")]
#[doc(hidden)]
pub fn hold_out<R>(provider: Provider, f: impl FnOnce() -> R) -> R {
    struct Reset(Option<Provider>);
    impl Drop for Reset {
        fn drop(&mut self) {
            let _ = HELD_OUT.try_with(|h| h.set(self.0));
        }
    }
    let _reset = Reset(
        HELD_OUT
            .try_with(|h| h.replace(Some(provider)))
            .ok()
            .flatten(),
    );
    f()
}
