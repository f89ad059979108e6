//! Event streams built from a set of events seen in providers' streams (ordinary
//! chunks, keep-alives, error events of OpenAI, Anthropic, MiniMax and new-api), with
//! any of the three line ends, for the chunking properties.

#![allow(dead_code)]

/// The events, one line each (a `\n` separates lines of one event).
pub const EVENTS: &[&str] = &[
    "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}",
    "data: {\"choices\":[{\"delta\":{\"content\":\"no error here\"}}]}",
    ": keep-alive",
    "id: 7\nretry: 100",
    "data: [DONE]",
    "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}",
    "event: error\ndata: {\"message\":\"Rate limit reached for requests\"}",
    "event: error\ndata: upstream closed the connection",
    "data: {\"base_resp\":{\"status_code\":1008,\"status_msg\":\"insufficient balance\"}}",
    "event: error\ndata: {\"type\":\"error\",\ndata: \"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow\"}}",
    "data: {\"error\":{\"message\":\"当前分组上游负载已饱和，请稍后再试\",\"type\":\"new_api_error\"}}",
];

/// A stream of `EVENTS[i]` for each `i` in `events`, lines ended by `ends` in turn
/// (`\n`, `\r\n`, `\r`), with a line over the event limit before event `long`.
pub fn body(events: &[usize], ends: &[u8], long: Option<usize>) -> Vec<u8> {
    let mut out = Vec::new();
    for (n, &e) in events.iter().enumerate() {
        let end: &[u8] = match ends[n % ends.len()] % 3 {
            0 => b"\n",
            1 => b"\r\n",
            _ => b"\r",
        };
        if long == Some(n) {
            // A line over the limit, in the same event as what follows it.
            out.extend_from_slice(b"data: ");
            out.extend(vec![b'x'; errnorm::stream::STREAM_EVENT_LIMIT + 10]);
            out.extend_from_slice(end);
        }
        for line in EVENTS[e].split('\n') {
            out.extend_from_slice(line.as_bytes());
            out.extend_from_slice(end);
        }
        out.extend_from_slice(end);
    }
    out
}
