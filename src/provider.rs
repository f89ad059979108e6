//! The providers errnorm knows, with their snake_case ids. The enum is generated from
//! `data/providers.tsv`, so adding a provider is a data change.

use serde::{Deserialize, Serialize};
use strum::{Display, EnumCount, EnumIter, EnumString, IntoStaticStr};

include!(concat!(env!("OUT_DIR"), "/provider.rs"));

impl Provider {
    /// The snake_case id.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

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
