//! Words: the error texts of a response and its identifiers, put in one bounded,
//! normalized text that the cues (`data/cues.tsv`) are matched against.
//!
//! Messages are lower-cased (ASCII) with `_` and `-` read as spaces; identifiers are
//! split into words as well (`ACCOUNT_ARREARS` -> `account arrears`,
//! `ModelNotAllowedForKey` -> `model not allowed for key`, `Throttling.Concurrency` ->
//! `throttling concurrency`, `RESOURCE_EXHAUSTED` -> `resource exhausted`). Each piece
//! ends with a line break, so no cue spans two of them.

/// How many bytes of words one response gives at most: a bound on the work of the
/// cue matcher and the delay reader on any body.
pub(crate) const WORDS_LIMIT: usize = 4096;
/// How many bytes of one text are read at most.
const PIECE_LIMIT: usize = 1024;
/// The longest identifier read as words; longer ones are not identifiers.
const IDENT_LIMIT: usize = 96;

/// The normalized words of one response. The buffer is reused by the next response
/// read on the same thread, so that reading words allocates nothing after the first.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Words {
    /// UTF-8 by construction: ASCII bytes are changed into ASCII bytes, and the bytes of
    /// other characters are copied whole.
    buf: Vec<u8>,
}

thread_local! {
    static SPARE: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

impl Default for Words {
    fn default() -> Words {
        let mut buf = SPARE.try_with(std::cell::Cell::take).unwrap_or_default();
        buf.clear();
        // Once, for the thread: the words never grow past it.
        buf.reserve(WORDS_LIMIT + 8);
        Words { buf }
    }
}

impl Drop for Words {
    fn drop(&mut self) {
        let buf = std::mem::take(&mut self.buf);
        let _ = SPARE.try_with(|s| s.set(buf));
    }
}

impl Words {
    /// The words so far, as bytes (what the cue matcher walks: no UTF-8 check).
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// The words so far.
    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf).unwrap_or_default()
    }

    fn room(&self) -> usize {
        WORDS_LIMIT.saturating_sub(self.buf.len())
    }

    /// Adds a text (a message, a description): lower-cased, `_` and `-` as spaces.
    pub(crate) fn text(&mut self, s: &str) {
        // A case change may add a space a byte: half the room is the most a text takes.
        let s = crate::text::head(s, PIECE_LIMIT.min(self.room().saturating_sub(2) / 2));
        if s.trim().is_empty() {
            return;
        }
        // Runs of bytes kept as they are (lower-case letters, digits, spaces, most
        // punctuation, the bytes of non-ASCII characters) are copied whole; the rest
        // byte by byte, through a table for ASCII: a byte of another character is
        // copied as it is (so the text stays UTF-8), a typographic apostrophe becomes
        // one.
        let b = s.as_bytes();
        self.buf.reserve(2 * b.len() + 1);
        let start = self.buf.len();
        let mut lower = false;
        let mut i = 0;
        while i < b.len() {
            let rest = b.get(i..).unwrap_or_default();
            let run = rest
                .iter()
                .position(|&c| !SAME[usize::from(c)])
                .unwrap_or(rest.len());
            if run > 0 {
                self.buf
                    .extend_from_slice(rest.get(..run).unwrap_or_default());
                lower = rest.get(run - 1).is_some_and(u8::is_ascii_lowercase);
                i += run;
            }
            let Some(&c) = b.get(i) else { break };
            i += 1;
            if c < 0x80 {
                // An identifier quoted in a message is split as one
                // (`ProvisionedThroughputExceededException`): a lower-case letter then
                // a capital starts a word.
                if lower && c.is_ascii_uppercase() {
                    self.buf.push(b' ');
                }
                lower = c.is_ascii_lowercase();
                self.buf.push(FOLD[usize::from(c)]);
            } else if c == 0xE2 && b.get(i..i + 2) == Some(&[0x80, 0x99]) {
                // "isn’t supported" is "isn't supported".
                self.buf.push(b'\'');
                lower = false;
                i += 2;
            } else {
                self.buf.push(c);
                lower = false;
            }
        }
        self.end_piece(start);
    }

    /// Ends the piece written from `start` with a line break, or takes it back when the
    /// words already hold the same piece (a status that repeats the message, Google's
    /// localized message that repeats the error's): a cue counts once, so the second
    /// copy only doubles the matching.
    fn end_piece(&mut self, start: usize) {
        self.buf.push(b'\n');
        let (before, piece) = self.buf.split_at(start.min(self.buf.len()));
        // The earlier pieces, each compared whole (a response has few).
        let seen = before
            .split_inclusive(|&c| c == b'\n')
            .any(|earlier| earlier == piece);
        if seen {
            self.buf.truncate(start);
        }
    }

    /// Adds an identifier (a code, a type, a status name) split into words. Anything
    /// longer than an identifier, or with spaces, is read as a text.
    pub(crate) fn ident(&mut self, s: &str) {
        let s = s.trim();
        // A case change adds a space: an identifier needs twice its length at most.
        if s.is_empty() || s.len() > IDENT_LIMIT || 2 * s.len() + 1 > self.room() || s.contains(' ')
        {
            if s.contains(' ') {
                self.text(s);
            }
            return;
        }
        // Byte by byte: a byte of a non-ASCII character is copied as it is (so the
        // words stay UTF-8) and, like a letter, ends a run of separators.
        let b = s.as_bytes();
        self.buf.reserve(2 * b.len() + 1);
        let start = self.buf.len();
        let mut prev_sep = true;
        for (i, &c) in b.iter().enumerate() {
            if matches!(c, b'_' | b'-' | b'.' | b':' | b'/' | b'#' | b' ') {
                if !prev_sep {
                    self.buf.push(b' ');
                }
                prev_sep = true;
                continue;
            }
            if c.is_ascii_uppercase() && !prev_sep {
                let before = i
                    .checked_sub(1)
                    .and_then(|j| b.get(j).copied())
                    .unwrap_or(b' ');
                let after = b.get(i + 1).copied().unwrap_or(b' ');
                // A case change starts a word: `notFound`, `HTTPError` (before `E`).
                if before.is_ascii_lowercase()
                    || before.is_ascii_digit()
                    || (before.is_ascii_uppercase() && after.is_ascii_lowercase())
                {
                    self.buf.push(b' ');
                }
            }
            self.buf.push(c.to_ascii_lowercase());
            prev_sep = false;
        }
        self.end_piece(start);
    }
}

/// ASCII folded for matching: lower case, and `_`, `-` and white space as a space.
/// The bytes [`Words::text`] copies unchanged in runs: ASCII that [`FOLD`] keeps and
/// that starts no word (not a capital), and every byte of a non-ASCII character but
/// the first byte of a typographic apostrophe.
static SAME: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = if c < 0x80 {
            FOLD[i] == c && !c.is_ascii_uppercase()
        } else {
            c != 0xE2
        };
        i += 1;
    }
    t
};

static FOLD: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut i = 0;
    while i < 128 {
        let c = i as u8;
        t[i] = match c {
            b'_' | b'-' | b'\n' | b'\r' | b'\t' => b' ',
            c => c.to_ascii_lowercase(),
        };
        i += 1;
    }
    t
};

#[cfg(test)]
mod tests {
    use super::*;

    /// The identifier splitting as it was written char by char: what the byte loop
    /// must produce.
    fn ident_by_chars(s: &str) -> String {
        let mut out: Vec<u8> = Vec::new();
        let b = s.as_bytes();
        let mut prev_sep = true;
        for (i, c) in s.char_indices() {
            if matches!(c, '_' | '-' | '.' | ':' | '/' | '#' | ' ') {
                if !prev_sep {
                    out.push(b' ');
                }
                prev_sep = true;
                continue;
            }
            if c.is_ascii_uppercase() && !prev_sep {
                let before = char::from(
                    i.checked_sub(1)
                        .and_then(|j| b.get(j).copied())
                        .unwrap_or(b' '),
                );
                let after = char::from(b.get(i + 1).copied().unwrap_or(b' '));
                // A case change starts a word: `notFound`, `HTTPError` (before `E`).
                if before.is_ascii_lowercase()
                    || before.is_ascii_digit()
                    || (before.is_ascii_uppercase() && after.is_ascii_lowercase())
                {
                    out.push(b' ');
                }
            }
            let mut utf8 = [0u8; 4];
            out.extend_from_slice(c.to_ascii_lowercase().encode_utf8(&mut utf8).as_bytes());
            prev_sep = false;
        }
        String::from_utf8(out).unwrap()
    }

    proptest::proptest! {
        #[test]
        fn identifiers_split_byte_by_byte_as_char_by_char(
            s in "[a-zA-Z0-9_\\-.:/# éÉ東]{1,40}"
        ) {
            let mut w = Words::default();
            w.ident(&s);
            let s = s.trim();
            if !s.contains(' ') {
                proptest::prop_assert_eq!(w.as_str().trim_end_matches('\n'), ident_by_chars(s));
            }
        }
    }

    fn ident(s: &str) -> String {
        let mut w = Words::default();
        w.ident(s);
        w.as_str().trim_end().to_string()
    }

    #[test]
    fn a_piece_the_words_already_hold_is_not_added_again() {
        let mut w = Words::default();
        w.text("Invalid API key");
        w.ident("invalid_api_key");
        w.text("Invalid API key");
        assert_eq!(w.as_str(), "invalid api key\n");
        // Part of a piece, or a piece with more, is a piece of its own.
        w.text("API key");
        w.text("Invalid API key, again");
        assert_eq!(
            w.as_str(),
            "invalid api key\napi key\ninvalid api key, again\n"
        );
    }

    #[test]
    fn identifiers_split_into_words() {
        assert_eq!(ident("ACCOUNT_ARREARS"), "account arrears");
        assert_eq!(
            ident("monthly_spend_limit_reached"),
            "monthly spend limit reached"
        );
        assert_eq!(ident("PaymentRequired"), "payment required");
        assert_eq!(ident("ModelNotAllowedForKey"), "model not allowed for key");
        assert_eq!(ident("Throttling.Concurrency"), "throttling concurrency");
        assert_eq!(ident("InvalidParameter.Format"), "invalid parameter format");
        assert_eq!(ident("RESOURCE_EXHAUSTED"), "resource exhausted");
        assert_eq!(ident("HTTPError"), "http error");
        assert_eq!(ident("model-not-found"), "model not found");
        assert_eq!(
            ident("com.amazon.coral#ThrottlingException"),
            "com amazon coral throttling exception"
        );
        assert_eq!(
            ident("GenerateRequestsPerDayPerProjectPerModel-FreeTier"),
            "generate requests per day per project per model free tier"
        );
    }

    /// The byte-by-byte reading `Words::text` does in runs: the definition it must
    /// keep to.
    fn text_by_bytes(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut lower = false;
        let mut i = 0;
        while let Some(&c) = b.get(i) {
            i += 1;
            if c < 0x80 {
                if lower && c.is_ascii_uppercase() {
                    out.push(b' ');
                }
                lower = c.is_ascii_lowercase();
                out.push(FOLD[usize::from(c)]);
            } else if c == 0xE2 && b.get(i..i + 2) == Some(&[0x80, 0x99]) {
                out.push(b'\'');
                lower = false;
                i += 2;
            } else {
                out.push(c);
                lower = false;
            }
        }
        out.push(b'\n');
        String::from_utf8(out).unwrap()
    }

    proptest::proptest! {
        #[test]
        fn runs_read_as_bytes_do(s in "([a-zA-Z0-9 _\\-\t\n.,'’é余额]{0,40})") {
            let mut w = Words::default();
            w.text(&s);
            if !s.trim().is_empty() {
                proptest::prop_assert_eq!(w.as_str(), text_by_bytes(&s));
            }
        }
    }

    #[test]
    fn runs_read_as_bytes_do_on_real_messages() {
        for s in [
            "Too many tokens, please wait before trying again.",
            "ProvisionedThroughputExceededException: isn’t supported",
            "Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM)",
            "当前分组上游负载已饱和，请稍后再试",
            "aB_c-D\tE\nf’g’",
        ] {
            let mut w = Words::default();
            w.text(s);
            assert_eq!(w.as_str(), text_by_bytes(s), "{s}");
        }
    }

    #[test]
    fn texts_are_lowered_and_bounded() {
        let mut w = Words::default();
        w.text("Rate-Limit EXCEEDED_now");
        assert_eq!(w.as_str(), "rate limit exceeded now\n");
        let mut w = Words::default();
        w.text("limit 'DefaultRequestsPerMinutePerProject' of");
        assert_eq!(
            w.as_str(),
            "limit 'default requests per minute per project' of\n"
        );
        let mut w = Words::default();
        for _ in 0..100 {
            w.text(&"余额不足".repeat(200));
        }
        assert!(w.as_str().len() <= WORDS_LIMIT);
        let long = "x".repeat(IDENT_LIMIT + 1);
        let mut w = Words::default();
        w.ident(&long);
        assert_eq!(w.as_str(), "");
    }
}
