//! The providers errnorm knows, with their snake_case ids. The enum is generated from
//! `data/providers.tsv`, so adding a provider is a data change.

use serde::{Deserialize, Serialize};

include!(concat!(env!("OUT_DIR"), "/provider.rs"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        let ids: Vec<_> = Provider::iter().map(Provider::as_str).collect();
        for id in [
            "minimax",
            "mimo",
            "novita",
            "gateway",
            "openai",
            "anthropic",
        ] {
            assert!(ids.contains(&id), "{id}");
        }
        for p in Provider::iter() {
            assert_eq!(p.to_string().parse::<Provider>().unwrap(), p);
            assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{p}\""));
        }
        assert!("open_ai".parse::<Provider>().is_err());
    }
}
