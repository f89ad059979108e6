//! Cues: the vocabulary of failure (`data/cues.tsv`), matched in one pass over a
//! response's words when no exact row decides.
//!
//! The rule, in two sentences: every cue found adds its weight to its kind, and the
//! answer without words (a catch-all row, else the HTTP status) adds [`PRIOR`] to its
//! own kind; the kind with the highest total wins, the answer without words on a tie.
//! The reason is that of the winning kind's heaviest cue (the first found on a tie), or
//! the answer without words' own reason when no cue of that kind was found; words that
//! give the same reason as the answer without them leave that answer (and its basis)
//! as it is.
//!
//! Every place a cue matches is found (overlaps included); a cue inside a longer one
//! found does not count ("limit exceeded" inside "request limit exceeded"), nor does one
//! inside the span of a cue with a gap ("invalid" inside "token seems invalid"); each
//! cue counts once.

use std::sync::OnceLock;

use crate::text::dfa::Dfa;

/// The generated `CUES` (`data/cues.tsv`).
mod generated {
    use crate::decide::cues::{Cue, Window};
    use crate::Reason;
    include!(concat!(env!("OUT_DIR"), "/cues.rs"));
}
use crate::{ErrorKind, Reason};
use generated::CUES;

/// What the answer without words (a catch-all row or the status) weighs.
pub const PRIOR: u8 = 2;
/// How far apart the two parts of a cue with a gap (`model * not found`) may be.
const GAP: usize = 40;
/// How many cues one response can have found.
const FOUND_MAX: usize = 24;

/// Whether a cue names a window, and of what length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Window {
    /// It names none.
    None,
    /// Seconds or minutes: a throttle it names is a rate limit.
    Short,
    /// Hours or more: a throttle it names is a usage window (quota).
    Long,
}

/// One row of `data/cues.tsv`: words or a short pattern that say what went wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    pub(crate) cue: &'static str,
    pub(crate) head: &'static str,
    pub(crate) tail: &'static str,
    pub(crate) stem: bool,
    pub(crate) reason: Reason,
    pub(crate) weight: u8,
    pub(crate) window: Window,
    pub(crate) lang: &'static str,
    pub(crate) source: &'static str,
    pub(crate) note: Option<&'static str>,
}

impl Cue {
    /// The cue as written in the table (`rate limit*`, `model * not found`, `余额不足`).
    pub fn cue(&self) -> &'static str {
        self.cue
    }
    /// The reason it speaks for.
    pub fn reason(&self) -> Reason {
        self.reason
    }
    /// The kind of [`Cue::reason`].
    pub fn kind(&self) -> ErrorKind {
        self.reason.kind()
    }
    /// Its weight: 1 weak, 2 medium, 3 strong (overrules a status), 4 decisive.
    pub fn weight(&self) -> u8 {
        self.weight
    }
    /// `en` or `zh`.
    pub fn lang(&self) -> &'static str {
        self.lang
    }
    /// The document in whose errors these words carry this meaning.
    pub fn source(&self) -> &'static str {
        self.source
    }
    /// Why, where the row is a judgement.
    pub fn note(&self) -> Option<&'static str> {
        self.note
    }
}

/// Every cue of `data/cues.tsv`, in file order.
pub fn cues() -> impl Iterator<Item = &'static Cue> {
    CUES.iter()
}

/// The cues that decided a verdict: those of the winning kind, heaviest first (at most
/// four).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CueSet {
    idx: [u16; 4],
    len: u8,
}

impl CueSet {
    /// The cues, heaviest first.
    pub fn iter(&self) -> impl Iterator<Item = &'static Cue> + '_ {
        self.idx
            .iter()
            .take(usize::from(self.len))
            .filter_map(|&i| CUES.get(usize::from(i)))
    }

    /// The stable rule id: `cue:<cue>`, several joined with `+`.
    pub fn id(&self) -> String {
        let mut s = String::new();
        for (n, c) in self.iter().enumerate() {
            if n > 0 {
                s.push('+');
            }
            s.push_str("cue:");
            s.push_str(c.cue);
        }
        s
    }
}

#[derive(Clone, Copy)]
enum Role {
    Whole,
    Head,
    Tail,
}

pub(crate) struct Matcher {
    dfa: Dfa,
    /// For each pattern, what a match needs known at once (computed when built).
    pats: Vec<Pat>,
    /// The cues each pattern is part of, as what, and whether a match may end inside a
    /// word (a stem's whole or tail): `pats[p].roles` indexes it.
    roles: Vec<(u16, Role, bool)>,
}

/// A pattern of the cue matcher, as a match needs it.
struct Pat {
    /// Its length in bytes.
    len: u32,
    /// Whether it starts with a word byte (then it must start a word).
    latin_start: bool,
    /// Whether it ends with a word byte (then it must end a word, unless a stem).
    latin_end: bool,
    /// Its range in `Matcher::roles`.
    roles: (u32, u32),
}

pub(crate) fn matcher() -> Option<&'static Matcher> {
    static M: OnceLock<Option<Matcher>> = OnceLock::new();
    M.get_or_init(|| {
        let mut patterns: Vec<&'static str> = Vec::new();
        let mut roles: Vec<Vec<(u16, Role)>> = Vec::new();
        let mut add = |p: &'static str, cue: u16, role: Role| {
            let at = match patterns.iter().position(|q| *q == p) {
                Some(i) => i,
                None => {
                    patterns.push(p);
                    roles.push(Vec::new());
                    patterns.len() - 1
                }
            };
            if let Some(r) = roles.get_mut(at) {
                r.push((cue, role));
            }
        };
        for (i, c) in CUES.iter().enumerate() {
            let i = u16::try_from(i).ok()?;
            if c.tail.is_empty() {
                add(c.head, i, Role::Whole);
            } else {
                add(c.head, i, Role::Head);
                add(c.tail, i, Role::Tail);
            }
        }
        let dfa = Dfa::new(&patterns, false)?;
        let mut flat = Vec::new();
        let mut pats = Vec::with_capacity(patterns.len());
        for (p, r) in patterns.iter().zip(&roles) {
            let from = u32::try_from(flat.len()).ok()?;
            for &(cue, role) in r {
                let stem = CUES.get(usize::from(cue)).is_some_and(|c| c.stem);
                flat.push((cue, role, stem && !matches!(role, Role::Head)));
            }
            let b = p.as_bytes();
            pats.push(Pat {
                len: u32::try_from(b.len()).ok()?,
                latin_start: wordish(b.first()),
                latin_end: wordish(b.last()),
                roles: (from, u32::try_from(flat.len()).ok()?),
            });
        }
        Some(Matcher {
            dfa,
            pats,
            roles: flat,
        })
    })
    .as_ref()
}

/// A word byte: a cue of Latin letters matches only whole words.
fn wordish(b: Option<&u8>) -> bool {
    b.is_some_and(u8::is_ascii_alphanumeric)
}

/// The cues found in `words` (normalized, see `read::words`), without allocating.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    /// The distinct cues, in the order of their first place in the words.
    cues: [u16; FOUND_MAX],
    len: usize,
}

impl Default for Found {
    fn default() -> Found {
        Found {
            cues: [0; FOUND_MAX],
            len: 0,
        }
    }
}

impl Found {
    /// The distinct cues, in the order of their first place in the words.
    fn cues(&self) -> impl Iterator<Item = (u16, &'static Cue)> + '_ {
        self.cues
            .iter()
            .take(self.len)
            .filter_map(|&i| Some((i, CUES.get(usize::from(i))?)))
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The window the cues name: short if any names seconds or minutes, else long if
    /// any names hours or more.
    pub(crate) fn window(&self) -> Window {
        let mut w = Window::None;
        for (_, c) in self.cues() {
            match c.window {
                Window::Short => return Window::Short,
                Window::Long => w = Window::Long,
                Window::None => {}
            }
        }
        w
    }

    /// Whether a cue of this reason was found.
    pub(crate) fn names(&self, reason: Reason) -> bool {
        self.cues().any(|(_, c)| c.reason == reason)
    }
}

/// A fixed list of (cue, start, end) spans; places as `u16` (words are at most
/// `u16::MAX` bytes here), so that the three lists of a pass are small to set up.
struct Spans {
    at: [(u16, u16, u16); FOUND_MAX],
    len: usize,
}

impl Spans {
    fn new() -> Spans {
        Spans {
            at: [(0, 0, 0); FOUND_MAX],
            len: 0,
        }
    }
    fn push(&mut self, (i, s, e): (u16, usize, usize)) {
        let place = |x: usize| u16::try_from(x).unwrap_or(u16::MAX);
        if let Some(slot) = self.at.get_mut(self.len) {
            *slot = (i, place(s), place(e));
            self.len += 1;
        }
    }
    fn full(&self) -> bool {
        self.len >= FOUND_MAX
    }
    fn all(&self) -> &[(u16, u16, u16)] {
        self.at.get(..self.len).unwrap_or_default()
    }
}

/// Finds the cues in `words`, in one pass of the matcher.
pub(crate) fn find(words: &[u8]) -> Found {
    let mut found = Found::default();
    let Some(m) = matcher() else { return found };
    // Words are capped far below this (4 KiB); the cap keeps every place a `u16`.
    let b = words.get(..usize::from(u16::MAX)).unwrap_or(words);
    let mut spans = Spans::new();
    let mut heads = Spans::new();
    m.dfa.each(b, |pattern, e| {
        let Some(p) = m.pats.get(pattern as usize) else {
            return true;
        };
        let s = e.saturating_sub(p.len as usize);
        let start_ok = !p.latin_start || s == 0 || !wordish(b.get(s - 1));
        if !start_ok {
            return true;
        }
        let end_ok = !p.latin_end || !wordish(b.get(e));
        let roles = m
            .roles
            .get(p.roles.0 as usize..p.roles.1 as usize)
            .unwrap_or_default();
        for &(i, role, stem_end) in roles {
            if !end_ok && !stem_end {
                continue;
            }
            match role {
                Role::Whole => spans.push((i, s, e)),
                Role::Head => heads.push((i, s, e)),
                Role::Tail => {
                    let head = heads.all().iter().find(|&&(h, _, he)| {
                        let he = usize::from(he);
                        h == i
                            && he < s
                            && s - he <= GAP
                            && !b.get(he..s).is_some_and(|g| g.contains(&b'\n'))
                    });
                    if let Some(&(_, hs, _)) = head {
                        spans.push((i, usize::from(hs), e));
                    }
                }
            }
        }
        !spans.full()
    });
    // A cue inside a longer cue found does not count; each cue counts once, in the
    // order of its first place.
    let all = spans.all();
    let mut order = Spans::new();
    for &(i, s, e) in all {
        let inside = all
            .iter()
            .any(|&(j, s2, e2)| j != i && s2 <= s && e <= e2 && e2 - s2 > e - s);
        if !inside {
            order.push((i, usize::from(s), usize::from(e)));
        }
    }
    let keep = order.len;
    order
        .at
        .get_mut(..keep)
        .unwrap_or_default()
        .sort_unstable_by_key(|x| (x.1, x.2));
    for &(i, _, _) in order.all() {
        if !found.cues.iter().take(found.len).any(|&c| c == i) {
            if let Some(slot) = found.cues.get_mut(found.len) {
                *slot = i;
                found.len += 1;
            }
        }
    }
    found
}

/// The verdict of the cues against the answer without words (`prior`): the reason and
/// the cues that decided, or `None` when the prior's kind wins without a cue of its own.
pub(crate) fn vote(found: &Found, prior: Option<Reason>) -> Option<(Reason, CueSet)> {
    if found.is_empty() {
        return None;
    }
    let kind_index = |k: ErrorKind| k as usize;
    let mut total = [0u32; 6];
    let mut heaviest: [Option<(u8, u16)>; 6] = [None; 6];
    for (i, c) in found.cues() {
        let k = kind_index(c.kind());
        if let Some(t) = total.get_mut(k) {
            *t += u32::from(c.weight);
        }
        if let Some(h) = heaviest.get_mut(k) {
            if h.map_or(true, |(w, _)| c.weight > w) {
                *h = Some((c.weight, i));
            }
        }
    }
    let prior_kind = prior.map(|r| kind_index(r.kind()));
    if let Some(t) = prior_kind.and_then(|k| total.get_mut(k)) {
        *t += u32::from(PRIOR);
    }
    let best = total.iter().copied().max()?;
    // The prior's kind on a tie; else the tied kind with the heaviest cue, in kind order.
    let winner = match prior_kind {
        Some(k) if total.get(k) == Some(&best) => k,
        _ => (0..6)
            .filter(|&k| total.get(k) == Some(&best))
            .max_by_key(|&k| {
                (
                    heaviest.get(k).copied().flatten().map_or(0, |h| h.0),
                    std::cmp::Reverse(k),
                )
            })?,
    };
    let (_, lead) = heaviest.get(winner).copied().flatten()?;
    let reason = CUES.get(usize::from(lead))?.reason;
    // Words that only agree with the answer without them leave it as it is.
    if prior == Some(reason) {
        return None;
    }
    let mut set = CueSet {
        idx: [0; 4],
        len: 0,
    };
    // Heaviest first, the first found on a tie.
    for w in (1..=4u8).rev() {
        for (i, c) in found.cues() {
            if kind_index(c.kind()) == winner && c.weight == w {
                if let Some(slot) = set.idx.get_mut(usize::from(set.len)) {
                    *slot = i;
                    set.len += 1;
                }
            }
        }
    }
    Some((reason, set))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::words::Words;

    fn found(text: &str) -> Vec<&'static str> {
        let mut w = Words::default();
        w.text(text);
        find(w.as_bytes()).cues().map(|(_, c)| c.cue).collect()
    }

    fn decide(text: &str, prior: Option<Reason>) -> Option<Reason> {
        let mut w = Words::default();
        w.text(text);
        vote(&find(w.as_bytes()), prior).map(|v| v.0)
    }

    #[test]
    fn whole_words_stems_and_gaps() {
        assert_eq!(
            found("Rate limited, slow down"),
            ["rate limit*", "slow down"]
        );
        // `balance` is not inside `balancer`.
        assert!(found("the load balancer failed").is_empty());
        assert_eq!(
            found("The model `gpt-9` was not found"),
            ["model * not found"]
        );
        // The gap stops at a line: two texts are not one sentence.
        let mut w = Words::default();
        w.text("model");
        w.text("route not found");
        let f: Vec<_> = find(w.as_bytes()).cues().map(|(_, c)| c.cue).collect();
        assert_eq!(f, ["not found"]);
        assert_eq!(found("账户欠费"), ["欠费"]);
    }

    #[test]
    fn the_rule() {
        use Reason::*;
        // A strong cue overrules a status that contradicts it.
        assert_eq!(
            decide("The model is overloaded", Some(RequestsPerTime)),
            Some(Overloaded)
        );
        assert_eq!(
            decide("No credits left on this account", Some(InvalidKey)),
            Some(InsufficientBalance)
        );
        // A medium cue does not: on a tie the status stays.
        assert_eq!(decide("unavailable", Some(RequestsPerTime)), None);
        // A cue of the status's own kind refines its reason.
        assert_eq!(
            decide("Too many tokens per minute", Some(RequestsPerTime)),
            Some(TokensPerTime)
        );
        // No cue: nothing to say.
        assert_eq!(decide("hello", Some(ServerError)), None);
        // No prior: the cues alone.
        assert_eq!(decide("账户余额不足", None), Some(InsufficientBalance));
    }

    #[test]
    fn every_cue_is_found_in_its_own_words() {
        for c in cues() {
            let text = if c.tail.is_empty() {
                c.head.to_string()
            } else {
                format!("{} xyz {}", c.head, c.tail)
            };
            let mut w = Words::default();
            w.text(&text);
            let f = find(w.as_bytes());
            assert!(
                f.cues().any(|(_, d)| d.cue == c.cue),
                "cue `{}` is not found in `{text}`",
                c.cue
            );
        }
    }
}
