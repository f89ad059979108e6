//! The conformance corpus: real error responses from the providers a gateway routes to,
//! bodies verbatim from public sources (provider documents, SDK test fixtures, server
//! source code, public issue threads), each labelled by hand from the provider's
//! documentation, never from running errnorm. See `tests/corpus/README.md`.
//!
//! Every case goes through `classify` without a provider hint, as a gateway that does
//! not know the upstream would call it. Two sets are scored apart: the providers errnorm
//! has tables for, and providers, proxies and servers it has none for (only the generic
//! layer serves those). Each test prints the kind accuracy per provider, fails below
//! its floor, and fails when the set of misses differs from the one listed, with
//! reasons, in `tests/corpus/misses.tsv`: a new miss must be fixed or explained, and a
//! fixed one must leave the list.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::corpus::{self, Case};
use errnorm::classify;

/// The least kind accuracy of the providers with tables.
const FLOOR: f64 = 0.97;
/// The least kind accuracy of the providers with no table.
const UNTABLED_FLOOR: f64 = 0.95;

fn kind(c: &Case) -> String {
    classify(c.status, &c.headers, c.body.as_bytes())
        .map_or("none".to_string(), |v| v.kind().as_str().to_string())
}

/// Fails when `misses` differ from the listed ones of `prefix`.
fn same_misses(misses: &BTreeMap<String, (String, String)>, untabled: bool) {
    let listed: BTreeMap<String, String> = corpus::listed("misses.tsv")
        .into_iter()
        .filter(|(id, _)| id.starts_with("untabled/") == untabled)
        .collect();
    for (id, (want, got)) in misses {
        println!("{id}\t{want}\t{got}");
    }
    let now: BTreeSet<&String> = misses.keys().collect();
    let was: BTreeSet<&String> = listed.keys().collect();
    let new: Vec<_> = now.difference(&was).collect();
    let fixed: Vec<_> = was.difference(&now).collect();
    assert!(
        new.is_empty(),
        "misses not in tests/corpus/misses.tsv: {new:?}"
    );
    assert!(
        fixed.is_empty(),
        "listed misses that now pass (remove them): {fixed:?}"
    );
    for (id, (_, got)) in misses {
        assert_eq!(&listed[id], got, "{id}: misses.tsv says another answer");
    }
}

#[test]
fn the_corpus_scores_above_the_floor_and_every_miss_is_explained() {
    let cases = corpus::tabled();
    assert!(cases.len() >= 250, "only {} cases", cases.len());
    let (per, misses) = corpus::score(&cases, kind);
    let acc = corpus::print("Providers with a table, no hint", &per);
    same_misses(&misses, false);
    assert!(
        acc >= FLOOR,
        "kind accuracy {:.1}% is below {:.0}%",
        100.0 * acc,
        100.0 * FLOOR
    );
}

#[test]
fn providers_with_no_table_score_above_their_floor() {
    let cases = corpus::untabled();
    assert!(cases.len() >= 150, "only {} cases", cases.len());
    let (per, misses) = corpus::score(&cases, kind);
    assert!(per.len() >= 20, "only {} providers", per.len());
    let acc = corpus::print("Providers with no table, no hint", &per);
    same_misses(&misses, true);
    assert!(
        acc >= UNTABLED_FLOOR,
        "kind accuracy {:.1}% is below {:.0}%",
        100.0 * acc,
        100.0 * UNTABLED_FLOOR
    );
}
