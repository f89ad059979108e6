//! A plain Aho-Corasick automaton, walked one table load per byte: the phrase, cue,
//! window and trigger passes over a response's words.
//!
//! The `aho-corasick` crate's searchers carry what these passes never use (a prefilter,
//! match-kind semantics, restartable searches), and on texts of a few hundred bytes that
//! costs 15-30 instructions per byte. Here every state is a row of a dense table
//! indexed by byte class, a state with matches is flagged in the transition that enters
//! it, and what a pass wants from a state (its matches, or the best of them by the
//! caller's order) is computed when the automaton is built.

/// The flag set on a transition whose target state ends at least one pattern.
const MATCH: u32 = 1 << 31;

/// A dense Aho-Corasick automaton over a set of byte patterns (all matches, overlaps
/// included), optionally ASCII case-insensitive.
pub(crate) struct Dfa {
    /// The class of each byte: bytes no pattern uses share class 0, and an ASCII letter
    /// shares its class with its other case when the automaton ignores case.
    classes: [u8; 256],
    /// Rows are indexed by the byte itself (256 per state), not by its class.
    by_byte: bool,
    /// Entries per state (the row length): the classes, or 256.
    stride: u32,
    /// Transitions: `trans[state + class]` is the next state's row offset, with
    /// [`MATCH`] set when that state ends a pattern; padded with zeros to a power of
    /// two, so that an index masked by [`Dfa::mask`] is in bounds by construction and
    /// the walk needs no bounds check per byte.
    trans: Box<[u32]>,
    /// `trans.len() - 1`.
    mask: usize,
    /// For each state (by row index), its range in `outs`.
    out_at: Box<[(u32, u32)]>,
    /// The patterns each state ends, its own first, then those of its suffixes, longest
    /// first.
    outs: Box<[u32]>,
    /// Each pattern's length in bytes.
    lens: Box<[u32]>,
    /// The longest pattern's length in bytes.
    max_len: usize,
    /// For each state (by row index), the best pattern it ends by the order given to
    /// [`Dfa::with_best`], or `u32::MAX`.
    best: Box<[u32]>,
}

/// The stretches [`Matcher::is_match`] walks in lockstep.
const LANES: usize = 4;

/// The most states an automaton may have: a bound on the memory of a table loaded at
/// runtime (16 MiB of transitions at 256 classes).
const MAX_STATES: usize = 1 << 14;

/// The most transitions of an automaton indexed by byte (128 KiB): the window words and
/// the like, not the phrases or the cues.
const BY_BYTE_MAX: usize = 1 << 15;

impl Dfa {
    /// The automaton of `patterns` (empty patterns are ignored), or `None` when it would
    /// have more than [`MAX_STATES`] states.
    pub(crate) fn new<P: AsRef<[u8]>>(patterns: &[P], ignore_case: bool) -> Option<Dfa> {
        Dfa::build(patterns, ignore_case, BY_BYTE_MAX)
    }

    /// [`Dfa::new`], with rows indexed by byte where they fit `by_byte_max` entries.
    fn build<P: AsRef<[u8]>>(patterns: &[P], ignore_case: bool, by_byte_max: usize) -> Option<Dfa> {
        let fold = |b: u8| {
            if ignore_case {
                b.to_ascii_lowercase()
            } else {
                b
            }
        };
        // Byte classes: one per distinct byte the patterns use, 0 for the rest.
        let mut classes = [0u8; 256];
        let mut next_class: u16 = 1;
        for p in patterns {
            for &b in p.as_ref() {
                let b = fold(b);
                if classes[usize::from(b)] == 0 {
                    classes[usize::from(b)] = u8::try_from(next_class).ok()?;
                    next_class += 1;
                }
            }
        }
        if ignore_case {
            for b in b'A'..=b'Z' {
                classes[usize::from(b)] = classes[usize::from(b.to_ascii_lowercase())];
            }
        }
        let stride = usize::from(next_class);
        // The trie: `goto[state * stride + class]`, 0 meaning none (the root is never
        // a child).
        let mut goto: Vec<u32> = vec![0; stride];
        let mut own: Vec<Vec<u32>> = vec![Vec::new()];
        let mut lens = Vec::with_capacity(patterns.len());
        for (i, p) in patterns.iter().enumerate() {
            let p = p.as_ref();
            lens.push(u32::try_from(p.len()).ok()?);
            if p.is_empty() {
                continue;
            }
            let mut s = 0usize;
            for &b in p {
                let c = usize::from(classes[usize::from(fold(b))]);
                let at = s * stride + c;
                let child = *goto.get(at)?;
                s = if child != 0 {
                    child as usize
                } else {
                    let n = own.len();
                    if n >= MAX_STATES {
                        return None;
                    }
                    own.push(Vec::new());
                    goto.resize(goto.len() + stride, 0);
                    *goto.get_mut(at)? = u32::try_from(n).ok()?;
                    n
                };
            }
            own.get_mut(s)?.push(u32::try_from(i).ok()?);
        }
        let n = own.len();
        // Breadth first: each state's failure state is done before it, so its full row
        // and its matches are known.
        let mut trans = vec![0u32; n * stride];
        let mut fail = vec![0usize; n];
        let mut out_at = vec![(0u32, 0u32); n];
        let mut outs: Vec<u32> = Vec::new();
        let mut queue = std::collections::VecDeque::with_capacity(n);
        {
            let own0 = own.first()?;
            out_at[0] = (0, u32::try_from(own0.len()).ok()?);
            outs.extend_from_slice(own0);
        }
        for c in 0..stride {
            let child = *goto.get(c)? as usize;
            if child != 0 {
                fail[child] = 0;
                queue.push_back(child);
            }
            *trans.get_mut(c)? = u32::try_from(child * stride).ok()?;
        }
        while let Some(s) = queue.pop_front() {
            // Matches: the state's own patterns, then its failure state's.
            let start = u32::try_from(outs.len()).ok()?;
            outs.extend_from_slice(own.get(s)?);
            let (fs, fe) = *out_at.get(fail[s])?;
            outs.extend_from_within(fs as usize..fe as usize);
            out_at[s] = (start, u32::try_from(outs.len()).ok()?);
            for c in 0..stride {
                let child = *goto.get(s * stride + c)? as usize;
                let via_fail = *trans.get(fail[s] * stride + c)? & !MATCH;
                if child != 0 {
                    fail[child] = via_fail as usize / stride;
                    queue.push_back(child);
                    *trans.get_mut(s * stride + c)? = u32::try_from(child * stride).ok()?;
                } else {
                    *trans.get_mut(s * stride + c)? = via_fail;
                }
            }
        }
        // Flag every transition into a state that ends a pattern.
        for t in trans.iter_mut() {
            let (a, b) = *out_at.get(*t as usize / stride)?;
            if a != b {
                *t |= MATCH;
            }
        }
        // A small automaton gets a row of 256 per state, indexed by the byte itself:
        // one load a byte fewer (the class), for at most `BY_BYTE_MAX` entries.
        let by_byte = n * 256 <= by_byte_max;
        let (trans, stride) = if by_byte {
            let mut rows = vec![0u32; n * 256];
            for (i, t) in rows.iter_mut().enumerate() {
                let (state, byte) = (i / 256, i % 256);
                let old = *trans.get(state * stride + usize::from(classes[byte]))?;
                let target = (old & !MATCH) as usize / stride;
                *t = u32::try_from(target * 256).ok()? | (old & MATCH);
            }
            (rows, 256)
        } else {
            (trans, stride)
        };
        let mut trans = trans;
        let len = trans.len().checked_next_power_of_two()?;
        trans.resize(len, 0);
        Some(Dfa {
            classes,
            by_byte,
            stride: u32::try_from(stride).ok()?,
            mask: len - 1,
            trans: trans.into_boxed_slice(),
            out_at: out_at.into_boxed_slice(),
            outs: outs.into_boxed_slice(),
            max_len: lens.iter().max().map_or(0, |&l| l as usize),
            lens: lens.into_boxed_slice(),
            best: Box::new([]),
        })
    }

    /// The same automaton, with the best pattern of each state precomputed:
    /// `better(a, b)` says whether pattern `a` beats pattern `b`.
    pub(crate) fn with_best(mut self, better: impl Fn(u32, u32) -> bool) -> Dfa {
        self.best = self
            .out_at
            .iter()
            .map(|&(a, b)| {
                let mut best = u32::MAX;
                for &p in self.outs.get(a as usize..b as usize).unwrap_or_default() {
                    if best == u32::MAX || better(p, best) {
                        best = p;
                    }
                }
                best
            })
            .collect();
        self
    }

    /// The length in bytes of pattern `p`.
    pub(crate) fn len_of(&self, p: u32) -> usize {
        self.lens.get(p as usize).map_or(0, |&l| l as usize)
    }

    /// The transitions, as a slice whose length the compiler knows to be `mask + 1`
    /// (so that [`Dfa::step`]'s masked index needs no check).
    #[inline(always)]
    fn table(&self) -> Option<&[u32]> {
        self.trans.get(..=self.mask)
    }

    /// One step of a walk: the state after `s` reads `b`, with rows indexed by the byte
    /// (`BY_BYTE`) or by its class; `None` for a table shorter than its mask.
    #[inline(always)]
    fn stepper<const BY_BYTE: bool>(&self) -> Option<impl Fn(u32, u8) -> u32 + '_> {
        let trans = self.table()?;
        let classes = &self.classes;
        let mask = self.mask;
        Some(move |s: u32, b: u8| -> u32 {
            let c = if BY_BYTE {
                usize::from(b)
            } else {
                usize::from(classes[usize::from(b)])
            };
            trans.get((s as usize + c) & mask).copied().unwrap_or(0)
        })
    }

    /// Walks `hay` from the start state and calls `hit(end, state)` at each byte whose
    /// transition enters a state that ends a pattern (`end` is the index after that
    /// byte, `state` the row offset); stops when `hit` returns `false`.
    ///
    /// Eight bytes at a time: a state carries its [`MATCH`] flag into the next step
    /// (the index is masked, so the flag never reaches the table), the flags of the
    /// eight are OR-ed, and only an eight with a match is walked again byte by byte.
    /// Matches are rare in words, so most bytes cost five instructions.
    #[inline(always)]
    fn walk(&self, hay: &[u8], hit: impl FnMut(usize, u32) -> bool) {
        if self.by_byte {
            self.walk_by::<true>(hay, hit);
        } else {
            self.walk_by::<false>(hay, hit);
        }
    }

    /// [`Dfa::walk`], with rows indexed by the byte (`BY_BYTE`) or by its class.
    #[inline(always)]
    fn walk_by<const BY_BYTE: bool>(&self, hay: &[u8], mut hit: impl FnMut(usize, u32) -> bool) {
        let Some(step) = self.stepper::<BY_BYTE>() else {
            return;
        };
        let mut s = 0u32;
        let mut chunks = hay.chunks_exact(8);
        let mut at = 0;
        for chunk in chunks.by_ref() {
            let Ok(eight) = <&[u8; 8]>::try_from(chunk) else {
                return;
            };
            let from = s;
            let mut any = 0u32;
            for &b in eight {
                s = step(s, b);
                any |= s;
            }
            if any & MATCH != 0 {
                let mut t = from;
                for (k, &b) in eight.iter().enumerate() {
                    t = step(t, b);
                    if t & MATCH != 0 && !hit(at + k + 1, t & !MATCH) {
                        return;
                    }
                }
            }
            at += 8;
        }
        for (k, &b) in chunks.remainder().iter().enumerate() {
            s = step(s, b);
            if s & MATCH != 0 && !hit(at + k + 1, s & !MATCH) {
                return;
            }
        }
    }

    /// Calls `f(pattern, end)` for every match in `hay`, overlaps included, in the order
    /// of their ends (at one end, longest first); stops when `f` returns `false`.
    pub(crate) fn each(&self, hay: &[u8], mut f: impl FnMut(u32, usize) -> bool) {
        self.walk(hay, |end, s| {
            let (a, e) = self
                .out_at
                .get((s / self.stride) as usize)
                .copied()
                .unwrap_or((0, 0));
            self.outs
                .get(a as usize..e as usize)
                .unwrap_or_default()
                .iter()
                .all(|&p| f(p, end))
        });
    }

    /// The best pattern in `hay` by the order given to [`Dfa::with_best`] (which must
    /// have been called), or `None`.
    pub(crate) fn best(&self, hay: &[u8], better: impl Fn(u32, u32) -> bool) -> Option<u32> {
        let mut best = u32::MAX;
        self.walk(hay, |_, s| {
            let p = self
                .best
                .get((s / self.stride) as usize)
                .copied()
                .unwrap_or(u32::MAX);
            if p != u32::MAX && (best == u32::MAX || better(p, best)) {
                best = p;
            }
            true
        });
        (best != u32::MAX).then_some(best)
    }

    /// The matches `leftmost-longest` would report, without overlaps: of the matches
    /// found (at most `N`), the one starting first (the longest there) is taken, then
    /// the first starting at or after its end, and so on. `f(pattern, start, end)`.
    pub(crate) fn leftmost_longest<const N: usize>(
        &self,
        hay: &[u8],
        mut f: impl FnMut(u32, usize, usize) -> bool,
    ) {
        let mut all = [(0usize, 0usize, 0u32); N];
        let mut n = 0;
        self.each(hay, |p, end| {
            if let Some(slot) = all.get_mut(n) {
                *slot = (end - self.len_of(p), end, p);
                n += 1;
            }
            n < N
        });
        let all = all.get_mut(..n).unwrap_or_default();
        // By start, then longest first.
        all.sort_unstable_by_key(|&(s, e, p)| (s, std::cmp::Reverse(e), p));
        let mut from = 0;
        for &(s, e, p) in all.iter() {
            if s < from {
                continue;
            }
            if !f(p, s, e) {
                return;
            }
            from = e;
        }
    }
}

/// An automaton that answers only whether any pattern occurs (the window words of a
/// message). Each state that ends a pattern is absorbing: its row points back at it, so
/// the state a walk ends in says whether the walk ever matched, and no flag is
/// collected byte by byte.
pub(crate) struct Matcher(Dfa);

impl Matcher {
    /// The matcher of `patterns` (see [`Dfa::new`]).
    pub(crate) fn new<P: AsRef<[u8]>>(patterns: &[P], ignore_case: bool) -> Option<Matcher> {
        Matcher::of(Dfa::new(patterns, ignore_case)?)
    }

    /// `d` with every state that ends a pattern made absorbing.
    fn of(mut d: Dfa) -> Option<Matcher> {
        let stride = d.stride as usize;
        // A transition that enters a state ending a pattern is that state's row offset
        // with the flag: the same value fills the state's own row.
        let mut ends: Vec<u32> = d.trans.iter().copied().filter(|t| t & MATCH != 0).collect();
        ends.sort_unstable();
        ends.dedup();
        for t in ends {
            let row = (t & !MATCH) as usize;
            d.trans.get_mut(row..row + stride)?.fill(t);
        }
        Some(Matcher(d))
    }

    /// Whether any pattern occurs in `hay`. A walk is a chain of dependent loads (each
    /// step needs the state the last one reached), so it runs at the memory's latency,
    /// not at the processor's width: a haystack long enough is cut into four stretches,
    /// each overlapping the next by the longest pattern less one byte (so that every
    /// occurrence lies whole in one of them), walked in lockstep from the start state:
    /// four independent chains in about the time of one.
    pub(crate) fn is_match(&self, hay: &[u8]) -> bool {
        if self.0.by_byte {
            self.walk::<true>(hay)
        } else {
            self.walk::<false>(hay)
        }
    }

    /// [`Matcher::is_match`], with rows indexed by the byte (`BY_BYTE`) or by its class.
    #[inline(always)]
    fn walk<const BY_BYTE: bool>(&self, hay: &[u8]) -> bool {
        let Some(step) = self.0.stepper::<BY_BYTE>() else {
            return false;
        };
        let overlap = self.0.max_len.saturating_sub(1);
        let part = hay.len().div_ceil(LANES);
        // Each lane is `part + overlap` bytes rounded up to whole fours; the first three
        // start at `0`, `part` and `2 * part`, the last ends where the haystack does (it
        // may overlap the third more): every occurrence lies whole in a lane, and no lane
        // has a ragged end.
        let len = (part + overlap).div_ceil(4) * 4;
        let last = hay.len().checked_sub(len);
        let Some(last) = last.filter(|_| part > overlap + LANES) else {
            // Too short to cut: one walk.
            return hay.iter().fold(0, |s, &b| step(s, b)) & MATCH != 0;
        };
        let lane = |from: usize| {
            hay.get(from.min(last)..from.min(last) + len)
                .unwrap_or_default()
        };
        let (mut s0, mut s1, mut s2, mut s3) = (0u32, 0u32, 0u32, 0u32);
        let rounds = lane(0).chunks_exact(4).zip(lane(part).chunks_exact(4)).zip(
            lane(2 * part)
                .chunks_exact(4)
                .zip(lane(last).chunks_exact(4)),
        );
        // Four bytes of each lane a round (fixed-size arrays: unrolled, no bounds
        // check); a lane that matched stays matched, so a round ends the walk early.
        for ((a4, b4), (c4, d4)) in rounds {
            let (Ok(a4), Ok(b4), Ok(c4), Ok(d4)) = (
                <&[u8; 4]>::try_from(a4),
                <&[u8; 4]>::try_from(b4),
                <&[u8; 4]>::try_from(c4),
                <&[u8; 4]>::try_from(d4),
            ) else {
                break;
            };
            for k in 0..4 {
                s0 = step(s0, a4[k]);
                s1 = step(s1, b4[k]);
                s2 = step(s2, c4[k]);
                s3 = step(s3, d4[k]);
            }
            if (s0 | s1 | s2 | s3) & MATCH != 0 {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::{Dfa, Matcher};

    fn all(d: &Dfa, hay: &str) -> Vec<(u32, usize)> {
        let mut v = Vec::new();
        d.each(hay.as_bytes(), |p, e| {
            v.push((p, e));
            true
        });
        v
    }

    #[test]
    fn every_match_with_overlaps_in_the_order_of_their_ends() {
        let d = Dfa::new(&["he", "she", "his", "hers"], false).unwrap();
        // "ushers": she (end 4), he (end 4), hers (end 6).
        assert_eq!(all(&d, "ushers"), vec![(1, 4), (0, 4), (3, 6)]);
        assert_eq!(all(&d, "xyz"), vec![]);
        let m = Matcher::new(&["he", "she", "his", "hers"], false).unwrap();
        assert!(m.is_match(b"this"));
        assert!(!m.is_match(b"hi"));
    }

    #[test]
    fn case_is_ignored_only_when_asked_and_only_for_ascii() {
        let d = Dfa::new(&["quota", "余额"], true).unwrap();
        assert_eq!(all(&d, "QuOtA 余额"), vec![(0, 5), (1, 12)]);
        let m = Matcher::new(&["quota"], false).unwrap();
        assert!(!m.is_match(b"QUOTA"));
        assert!(m.is_match(b"xquotax"));
    }

    #[test]
    fn the_best_pattern_by_the_given_order() {
        let pats = ["rate limit", "limit", "rate limit exceeded"];
        let longer = |a: u32, b: u32| pats[a as usize].len() > pats[b as usize].len();
        let d = Dfa::new(&pats, true).unwrap().with_best(longer);
        assert_eq!(d.best(b"Rate limit exceeded, wait", longer), Some(2));
        assert_eq!(d.best(b"over the limit", longer), Some(1));
        assert_eq!(d.best(b"nothing", longer), None);
    }

    #[test]
    fn leftmost_longest_takes_the_longest_at_the_first_start_and_no_overlap() {
        let d = Dfa::new(&["status ", "status code ", "code 4"], true).unwrap();
        let mut got = Vec::new();
        d.leftmost_longest::<8>(b"status code 429", |p, s, e| {
            got.push((p, s, e));
            true
        });
        // "status code " wins at 0; "code 4" overlaps it and is not reported.
        assert_eq!(got, vec![(1, 0, 12)]);
    }

    /// Every `(pattern, end)` by definition: each end, each pattern the text before it
    /// ends with (ASCII case folded), longest first.
    fn by_definition(pats: &[String], hay: &[u8]) -> Vec<(u32, usize)> {
        let mut v = Vec::new();
        for end in 1..=hay.len() {
            let mut at: Vec<(u32, usize)> = pats
                .iter()
                .enumerate()
                .filter(|(_, p)| {
                    !p.is_empty()
                        && hay[..end]
                            .to_ascii_lowercase()
                            .ends_with(&p.as_bytes().to_ascii_lowercase())
                })
                .map(|(i, _)| (i as u32, end))
                .collect();
            at.sort_by_key(|&(i, _)| std::cmp::Reverse(pats[i as usize].len()));
            v.extend(at);
        }
        v
    }

    proptest::proptest! {
        /// The eight-at-a-time walk finds what the definition finds, at every length
        /// and across the edges of its eights (a small alphabet makes matches dense).
        #[test]
        fn the_walk_finds_every_match_the_definition_finds(
            pats in proptest::collection::btree_set("[abAB ]{1,5}", 1..6),
            hay in proptest::collection::vec(proptest::sample::select(b"abAB x".to_vec()), 0..40),
            sparse in proptest::collection::vec(proptest::sample::select(b"xxxxxxxxxxxxxxab ".to_vec()), 0..200),
        ) {
            let pats: Vec<String> = pats
                .into_iter()
                .map(|p| p.to_ascii_lowercase())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let want = by_definition(&pats, &hay);
            // Rows by byte (as a small automaton has them) and by class (as a large one).
            for by_byte_max in [super::BY_BYTE_MAX, 0] {
                let d = Dfa::build(&pats, true, by_byte_max).unwrap();
                proptest::prop_assert_eq!(d.by_byte, by_byte_max > 0);
                let mut got = Vec::new();
                d.each(&hay, |p, e| {
                    got.push((p, e));
                    true
                });
                proptest::prop_assert_eq!(&got, &want);
                let m = Matcher::of(Dfa::build(&pats, true, by_byte_max).unwrap()).unwrap();
                proptest::prop_assert_eq!(m.is_match(&hay), !want.is_empty());
                // Longer haystacks with rare matches: the four stretches walked in
                // lockstep, a match anywhere, at their edges included.
                proptest::prop_assert_eq!(m.is_match(&sparse), !by_definition(&pats, &sparse).is_empty());
                let longer = |a: u32, b: u32| pats[a as usize].len() > pats[b as usize].len();
                let d = d.with_best(longer);
                let best = want.iter().map(|&(p, _)| p).fold(None, |b: Option<u32>, p| match b {
                    Some(b) if !longer(p, b) => Some(b),
                    _ => Some(p),
                });
                proptest::prop_assert_eq!(d.best(&hay, longer), best);
            }
        }
    }

    #[test]
    fn a_match_across_the_edge_of_two_stretches_is_found() {
        let d = Matcher::new(&["duration", "day"], true).unwrap();
        // Every length (the stretches' lengths are rounded to fours, so an edge falls
        // at every place of an eight for some length), every place.
        for len in 8..=300 {
            for at in 0..=len - 8 {
                let mut hay = vec![b'x'; len];
                hay[at..at + 8].copy_from_slice(b"DURATION");
                assert!(d.is_match(&hay), "{len} {at}");
                hay[at + 7] = b'x';
                assert!(!d.is_match(&hay), "{len} {at}");
            }
        }
    }

    #[test]
    fn two_stretches_that_match_in_the_same_round_still_match() {
        // Two occurrences at every pair of places: some pair falls at the same offset
        // of two stretches, so that both enter a matching state in the same round.
        let m = Matcher::new(&["duration", "day"], true).unwrap();
        for len in [64, 100, 129, 200] {
            for p in 0..=len - 8 {
                for q in p + 8..=len - 8 {
                    let mut hay = vec![b'x'; len];
                    hay[p..p + 8].copy_from_slice(b"DURATION");
                    hay[q..q + 8].copy_from_slice(b"duration");
                    assert!(m.is_match(&hay), "{len} {p} {q}");
                }
            }
        }
    }

    #[test]
    fn a_match_is_stopped_at_in_any_eight() {
        let d = Dfa::new(&["ab"], false).unwrap();
        // At every place, in and across the edges of the eights.
        for at in 0..20 {
            let mut hay = vec![b'x'; 24];
            hay[at] = b'a';
            hay[at + 1] = b'b';
            assert_eq!(
                all(&d, std::str::from_utf8(&hay).unwrap()),
                vec![(0, at + 2)]
            );
            let mut n = 0;
            d.each(&hay, |_, _| {
                n += 1;
                false
            });
            assert_eq!(n, 1);
        }
    }

    #[test]
    fn empty_patterns_and_empty_text_match_nothing() {
        let d = Dfa::new(&["", "a"], false).unwrap();
        assert_eq!(all(&d, ""), vec![]);
        assert_eq!(all(&d, "a"), vec![(1, 1)]);
        assert!(!Matcher::new::<&str>(&[], false)
            .unwrap()
            .is_match(b"anything"));
    }
}
