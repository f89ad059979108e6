//! Per-provider knowledge: how each provider's body is recognised. What each code means
//! is in the provider's table in `data/`; the order in which evidence is read is in
//! `classify.rs`, written down once for all providers.

pub(crate) mod anthropic;
pub(crate) mod gateway;
pub(crate) mod mimo;
pub(crate) mod minimax;
pub(crate) mod novita;
pub(crate) mod openai;

use crate::body::Fields;
use crate::Provider;

/// Detects the provider from the body's shape, most specific shape first:
/// MiniMax (`base_resp`, or a `(NNNN)` code suffix in a message), Novita (a top-level
/// `reason`), then the `error`-object family: a gateway fork's type or request id, MiMo's
/// codes (under `"type":"error"`) and types, a gateway identifier in `error.code`,
/// Anthropic's `{"type":"error"}` envelope, and OpenAI for any other `error` object.
/// `None` when the body has no shape errnorm knows.
/// `msg_code` is the message's `(NNNN)` suffix code, read once by the caller.
pub(crate) fn detect(f: &Fields<'_>, msg_code: Option<i64>) -> Option<Provider> {
    if minimax::looks_like(f, msg_code) {
        Some(Provider::Minimax)
    } else if novita::looks_like(f) {
        Some(Provider::Novita)
    } else if gateway::has_marker(f) {
        Some(Provider::Gateway)
    } else if mimo::looks_like(f) {
        Some(Provider::Mimo)
    } else if gateway::has_code(f) {
        Some(Provider::Gateway)
    } else if anthropic::looks_like(f) {
        Some(Provider::Anthropic)
    } else if openai::looks_like(f) {
        Some(Provider::Openai)
    } else if f.error_text.is_some() || f.message.is_some() {
        // `{"error":"..."}` or `{"message":"..."}`: the free-text shape of gateways.
        Some(Provider::Gateway)
    } else {
        None
    }
}

/// The order in which the providers' tables are consulted: the given or detected
/// provider first, then the others in a fixed order.
pub(crate) fn order(first: Option<Provider>) -> &'static [Provider; 6] {
    use Provider::*;
    match first {
        None | Some(Minimax) => &[Minimax, Novita, Mimo, Gateway, Openai, Anthropic],
        Some(Novita) => &[Novita, Minimax, Mimo, Gateway, Openai, Anthropic],
        Some(Mimo) => &[Mimo, Minimax, Novita, Gateway, Openai, Anthropic],
        Some(Gateway) => &[Gateway, Minimax, Novita, Mimo, Openai, Anthropic],
        Some(Openai) => &[Openai, Minimax, Novita, Mimo, Gateway, Anthropic],
        Some(Anthropic) => &[Anthropic, Minimax, Novita, Mimo, Gateway, Openai],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_puts_the_first_provider_first_and_keeps_the_rest() {
        use strum::IntoEnumIterator;
        assert_eq!(order(None)[0], Provider::Minimax);
        for p in Provider::iter() {
            let o = order(Some(p));
            assert_eq!(o[0], p);
            let rest: Vec<_> = o[1..].to_vec();
            let want: Vec<_> = order(None).iter().copied().filter(|&q| q != p).collect();
            assert_eq!(rest, want, "{p}: the others keep the fixed order");
        }
        let o = order(Some(Provider::Openai));
        assert_eq!(
            *o,
            [
                Provider::Openai,
                Provider::Minimax,
                Provider::Novita,
                Provider::Mimo,
                Provider::Gateway,
                Provider::Anthropic
            ]
        );
    }
}
