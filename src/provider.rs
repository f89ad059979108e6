//! The providers errnorm knows, with their snake_case ids.

use serde::{Deserialize, Serialize};
use strum::{Display, EnumCount, EnumIter, EnumString, IntoStaticStr};

/// An upstream provider, or a family of providers that share one error format.
///
/// The ids (`minimax`, `mimo`, `novita`, `gateway`, `openai`, `anthropic`) are used by
/// [`FromStr`](std::str::FromStr), [`Display`](std::fmt::Display), serde, the CLI and
/// the tables in `data/`.
#[non_exhaustive]
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Display,
    EnumString,
    EnumIter,
    EnumCount,
    IntoStaticStr,
    Serialize,
    Deserialize,
)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// MiniMax: numeric codes in `base_resp.status_code`, or as a `(NNNN)` suffix of a
    /// message from its OpenAI- and Anthropic-compatible endpoints (`data/minimax.tsv`).
    Minimax,
    /// Xiaomi MiMo: string codes in an OpenAI-like `error` object (`data/mimo.tsv`).
    Mimo,
    /// Novita AI: named codes in a top-level `reason` (`data/novita.tsv`).
    Novita,
    /// OpenAI-style gateways of the new-api / one-api family: free text, sometimes an
    /// identifier in `error.code` (`data/gateway.tsv`, `data/phrases.tsv`).
    Gateway,
    /// OpenAI's own `{"error":{"message","type","param","code"}}` (`data/openai.tsv`).
    Openai,
    /// Anthropic's `{"type":"error","error":{"type","message"}}` (`data/anthropic.tsv`).
    Anthropic,
}

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
        assert_eq!(
            ids,
            [
                "minimax",
                "mimo",
                "novita",
                "gateway",
                "openai",
                "anthropic"
            ]
        );
        for p in Provider::iter() {
            assert_eq!(p.to_string().parse::<Provider>().unwrap(), p);
            assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{p}\""));
        }
        assert!("open_ai".parse::<Provider>().is_err());
    }
}
