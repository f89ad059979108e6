//! For the lookup benchmarks only (feature `bench`): the keys of the busiest fields as
//! phf maps and as `match`es, the baselines the crate's own perfect hash is measured
//! against. A consumer's build never runs this.

use std::fmt::Write as _;
use std::path::Path;

/// The generated source: for each benchmarked field, `<NAME>_PHF`, `<name>_match` and
/// `<NAME>_KEYS`, each giving the key's index.
pub fn generate(dir: &Path) -> Result<String, String> {
    let mut out = String::new();
    for (field, keys) in crate::codegen::bench_keys(dir)? {
        let name = field
            .replace('.', "_dot_")
            .replace('-', "_")
            .to_ascii_uppercase();
        let mut map = phf_codegen::Map::<&str>::new();
        let mut arms = String::new();
        for (i, k) in keys.iter().enumerate() {
            map.entry(k.as_str(), i.to_string());
            writeln!(arms, "        {k:?} => Some({i}),").ok();
        }
        writeln!(
            out,
            "/// `{field}` as a phf map.\npub static {name}_PHF: ::phf::Map<&'static str, usize> = {};\n/// `{field}` as a match.\npub fn {lower}_match(k: &str) -> Option<usize> {{\n    match k {{\n{arms}        _ => None,\n    }}\n}}\n/// `{field}`'s keys.\npub static {name}_KEYS: [&str; {}] = {keys:?};\n",
            map.build(),
            keys.len(),
            lower = name.to_ascii_lowercase(),
        )
        .ok();
    }
    Ok(out)
}
