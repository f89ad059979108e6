//! The format of the tables in `data/`, and the one validator for it.
//!
//! `build.rs` includes this file to compile the built-in tables, and the library uses it
//! to read runtime [`Rules`](crate::Rules): a row the build refuses is refused at
//! runtime too, with the same `line: message`. It depends on nothing but `std`.
//!
//! Three formats, told apart by their header row:
//! - a provider table (`data/<provider>.tsv`, `data/phrases.tsv`):
//!   `id where status kind reason weight lang description source note`, optionally
//!   followed by the retry-hint columns of [`HINT_COLUMNS`];
//! - the detection markers (`data/detect.tsv`): `provider marker source`;
//! - the provider registry (`data/providers.tsv`): `id name doc`.

use std::borrow::Cow;
use std::fmt;

/// The six kinds, by id.
pub const KINDS: [&str; 6] = [
    "auth",
    "quota",
    "rate_limit",
    "content",
    "validation",
    "transient",
];

/// Every reason id with the id of its kind (the library tests that this agrees with
/// `Reason`).
pub const REASONS: [(&str, &str); 25] = [
    ("invalid_key", "auth"),
    ("missing_key", "auth"),
    ("permission_denied", "auth"),
    ("account_suspended", "auth"),
    ("ip_not_allowed", "auth"),
    ("verification_required", "auth"),
    ("insufficient_balance", "quota"),
    ("usage_window_exhausted", "quota"),
    ("plan_limit", "quota"),
    ("requests_per_time", "rate_limit"),
    ("tokens_per_time", "rate_limit"),
    ("concurrency", "rate_limit"),
    ("growth_limit", "rate_limit"),
    ("input_flagged", "content"),
    ("output_flagged", "content"),
    ("invalid_params", "validation"),
    ("context_length_exceeded", "validation"),
    ("model_not_found", "validation"),
    ("not_found", "validation"),
    ("unsupported_parameter", "validation"),
    ("conflict", "validation"),
    ("timeout", "transient"),
    ("server_error", "transient"),
    ("overloaded", "transient"),
    ("upstream_unavailable", "transient"),
];

/// Which step of the order of evidence a field belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A provider's own code in a structured field.
    Code,
    /// A code written inside the message text.
    InMessage,
    /// An error type or canonical status.
    Type,
    /// A fixed phrase of the message.
    Phrase,
}

/// What clears a text when a later key replaces what holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clears {
    /// A later top-level `error` (the text is under it).
    Error,
    /// A later `base_resp`.
    BaseResp,
    /// Only a later value of its own key.
    Own,
}

/// The one table of the places in a response errnorm reads: identifiers (the `where`
/// column of a provider table: [`Field`]) and texts (messages and the texts around
/// them: [`TextAt`]). Each row carries its name, its JSON pointer, and for an
/// identifier its step of the order of evidence, for a text whether it is a message
/// (in the order of precedence of the rows), whether its words are read, and what
/// clears it. The presence bits are laid out from the same rows: identifiers first,
/// then the `error` object, then the texts.
macro_rules! places {
    (
        ids {
            $($(#[$doc:meta])* $v:ident = $name:literal, $step:ident, $ptr:literal,
                reported: $rank:literal;)*
        }
        texts {
            $($(#[$tdoc:meta])* $t:ident = $tname:literal, $tptr:literal,
                message: $msg:literal, words: $words:literal, clears: $clears:ident;)*
        }
    ) => {
        /// A place in a response where a provider puts an identifier: the `where` column
        /// of a provider table. The ladder reads them in this order (see
        /// [`Field::ALL`]); the tables say which provider owns a value in which field.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Field {
            $($(#[$doc])* $v,)*
        }

        impl Field {
            /// Every field, in the order the ladder reads them.
            pub const ALL: [Field; [$(Field::$v),*].len()] = [$(Field::$v),*];
            /// How many fields there are.
            pub const COUNT: usize = Field::ALL.len();

            /// The name used in the `where` column.
            pub const fn name(self) -> &'static str {
                match self { $(Field::$v => $name,)* }
            }

            /// The step of the order of evidence it belongs to.
            pub const fn step(self) -> Step {
                match self { $(Field::$v => Step::$step,)* }
            }

            /// Where it is, as a JSON pointer (or `header:` and a header name).
            pub const fn pointer(self) -> &'static str {
                match self { $(Field::$v => $ptr,)* }
            }

            /// The field of a `where` name.
            pub fn from_name(s: &str) -> Option<Field> {
                match s { $($name => Some(Field::$v),)* _ => None }
            }

            /// Its rank among the fields whose value a verdict reports as the body's own
            /// code (code fields) or type (type fields), 1 first; 0 when never reported.
            pub const fn reported(self) -> u8 {
                match self { $(Field::$v => $rank,)* }
            }
        }

        /// A place in a response that holds a text: a message, or a text read around
        /// one. In the order of the table: the first message present is the message.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum TextAt {
            $($(#[$tdoc])* $t,)*
        }

        impl TextAt {
            /// Every text place, in the table's order.
            pub const ALL: [TextAt; [$(TextAt::$t),*].len()] = [$(TextAt::$t),*];
            /// How many there are.
            pub const COUNT: usize = TextAt::ALL.len();

            /// The name a detection marker uses.
            pub const fn name(self) -> &'static str {
                match self { $(TextAt::$t => $tname,)* }
            }

            /// Where it is, as a JSON pointer (`body` for a plain-text body).
            pub const fn pointer(self) -> &'static str {
                match self { $(TextAt::$t => $tptr,)* }
            }

            /// Whether it can be the message (the first present, in table order).
            pub const fn is_message(self) -> bool {
                match self { $(TextAt::$t => $msg,)* }
            }

            /// Whether its words are read when words decide.
            pub const fn has_words(self) -> bool {
                match self { $(TextAt::$t => $words,)* }
            }

            /// What clears it.
            pub const fn clears(self) -> Clears {
                match self { $(TextAt::$t => Clears::$clears,)* }
            }

            /// The text place of a marker's name.
            pub fn from_name(s: &str) -> Option<TextAt> {
                TextAt::ALL.into_iter().find(|t| t.name() == s)
            }

            /// Its presence bit (after the fields' and the `error` object's).
            pub const fn bit(self) -> u32 {
                1 << (Field::COUNT as u32 + 1 + self as u32)
            }
        }
    };
}

places! {
    ids {
        /// MiniMax's `base_resp.status_code`.
        BaseRespStatusCode = "base_resp.status_code", Code, "/base_resp/status_code", reported: 1;
        /// A top-level `reason` (Novita's named codes).
        Reason = "reason", Code, "/reason", reported: 3;
        /// A top-level `error_code` (Baidu style).
        ErrorCodeTop = "error_code", Code, "/error_code", reported: 4;
        /// A top-level `code`, string or number.
        Code = "code", Code, "/code", reported: 8;
        /// `error.code`, string or number.
        ErrorCode = "error.code", Code, "/error/code", reported: 5;
        /// Azure's `error.innererror.code`.
        InnerCode = "error.innererror.code", Code, "/error/innererror/code", reported: 6;
        /// Google's `error.details[].reason`.
        DetailReason = "error.details.reason", Code, "/error/details/reason", reported: 7;
        /// The AWS error type: the `x-amzn-errortype` header, or a body's `__type`, up to
        /// the first `:`.
        AmznType = "x-amzn-errortype", Code, "header:x-amzn-errortype", reported: 0;
        /// A numeric code written as a `(NNNN)` suffix of the message.
        MessageCode = "message.code", InMessage, "/error/message", reported: 2;
        /// `error.type`.
        ErrorType = "error.type", Type, "/error/type", reported: 1;
        /// Google's canonical `error.status` (`RESOURCE_EXHAUSTED`).
        ErrorStatus = "error.status", Type, "/error/status", reported: 2;
        /// A top-level `type` other than `error`.
        Type = "type", Type, "/type", reported: 3;
        /// A success-shaped body's finish reason (`content_filter`, `SAFETY`).
        FinishReason = "finish_reason", Type, "/choices/0/finish_reason", reported: 0;
        /// Gemini's `promptFeedback.blockReason`.
        BlockReason = "block_reason", Type, "/promptFeedback/blockReason", reported: 0;
        /// A fixed phrase of the message (the `id` is the phrase).
        Message = "message", Phrase, "/error/message", reported: 0;
    }
    texts {
        /// `error.message`.
        ErrorMessage = "error.message", "/error/message",
            message: true, words: true, clears: Error;
        /// A top-level `message`, or `detail` when there is no `message`.
        Message = "message", "/message",
            message: true, words: true, clears: Own;
        /// MiniMax's `base_resp.status_msg`.
        StatusMsg = "base_resp.status_msg", "/base_resp/status_msg",
            message: true, words: true, clears: BaseResp;
        /// A top-level `error` string.
        ErrorText = "error.text", "/error",
            message: true, words: true, clears: Error;
        /// A top-level `error_msg` (Baidu style).
        ErrorMsg = "error_msg", "/error_msg",
            message: true, words: true, clears: Own;
        /// A top-level `msg` (many Chinese APIs: `{"code": N, "msg": "..."}`).
        Msg = "msg", "/msg",
            message: true, words: true, clears: Own;
        /// A top-level `description`.
        Description = "description", "/description",
            message: true, words: true, clears: Own;
        /// OpenRouter's `error.metadata.raw`: the upstream's own body, as a string.
        Raw = "error.raw", "/error/metadata/raw",
            message: false, words: true, clears: Error;
        /// A plain-text body (not HTML), read for phrases only.
        Plain = "body", "body",
            message: true, words: true, clears: Own;
        /// A top-level `object` (`"object": "error"`).
        Object = "object", "/object",
            message: false, words: false, clears: Own;
    }
}

/// The fields a verdict reports the body's own code from, most specific first (the
/// `reported` rank of the code fields).
pub const REPORTED_CODES: [Field; reported_count(false)] = reported(false);
/// The fields a verdict reports the body's error type from, in rank order.
pub const REPORTED_TYPES: [Field; reported_count(true)] = reported(true);

/// The fields whose presence bits `mask` has, in the ladder's order (bits past the
/// fields are ignored).
#[inline]
pub fn fields_in(mask: u32) -> impl Iterator<Item = Field> {
    let mut todo = mask & ((1u32 << Field::COUNT) - 1);
    std::iter::from_fn(move || {
        if todo == 0 {
            return None;
        }
        let i = todo.trailing_zeros();
        todo &= todo - 1;
        Field::ALL.get(i as usize).copied()
    })
}

/// The presence bits of the fields whose place is under the top-level `error` object
/// (see [`under_error`]): what a later `error` key clears.
pub const UNDER_ERROR: u32 = {
    let mut m = 0;
    let mut i = 0;
    while i < Field::COUNT {
        if under_error(Field::ALL[i]) {
            m |= field_bit(Field::ALL[i]);
        }
        i += 1;
    }
    m
};

/// Whether a field's place is under the top-level `error` object (its pointer starts
/// with `/error/`): a later `error` key replaces it.
pub const fn under_error(f: Field) -> bool {
    let p = f.pointer().as_bytes();
    let want = b"/error/";
    if p.len() < want.len() {
        return false;
    }
    let mut i = 0;
    while i < want.len() {
        if p[i] != want[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn is_type(f: Field) -> bool {
    matches!(f.step(), Step::Type)
}

const fn reported_count(types: bool) -> usize {
    let (mut i, mut n) = (0, 0);
    while i < Field::COUNT {
        let f = Field::ALL[i];
        if f.reported() > 0 && is_type(f) == types {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The reported fields of one kind, by rank (ranks are 1..=n, each once: checked here,
/// at compile time).
const fn reported<const N: usize>(types: bool) -> [Field; N] {
    let mut out = [Field::Message; N];
    let mut rank = 1;
    while rank <= N {
        let (mut i, mut found) = (0, 0);
        while i < Field::COUNT {
            let f = Field::ALL[i];
            if f.reported() as usize == rank && is_type(f) == types {
                out[rank - 1] = f;
                found += 1;
            }
            i += 1;
        }
        assert!(
            found == 1,
            "each reported rank is held by exactly one field"
        );
        rank += 1;
    }
    out
}

/// The retry-hint columns a provider table may add after its ten columns, all or none.
pub const HINT_COLUMNS: [&str; 7] = [
    "retry",
    "max_retries",
    "backoff",
    "log_level",
    "solution_en",
    "message_zh",
    "solution_zh",
];

/// The ten columns of a provider table.
pub const TABLE_COLUMNS: [&str; 10] = [
    "id",
    "where",
    "status",
    "kind",
    "reason",
    "weight",
    "lang",
    "description",
    "source",
    "note",
];

/// The columns of `data/detect.tsv`.
pub const DETECT_COLUMNS: [&str; 3] = ["provider", "marker", "source"];

/// The columns of `data/providers.tsv`.
pub const PROVIDER_COLUMNS: [&str; 3] = ["id", "name", "doc"];

/// The longest phrase a table may hold, in bytes. Phrases are fixed parts of short
/// messages; the cap keeps building the matcher cheap whatever a rules file holds.
pub const PHRASE_MAX: usize = 200;

/// A bad row: its line (0 for the file as a whole) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 1-based line number, or 0.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.line, self.message)
    }
}

fn bad(line: usize, message: impl Into<String>) -> RowError {
    RowError {
        line,
        message: message.into(),
    }
}

/// Which format a table has, by its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A provider table, with or without the retry-hint columns.
    Table,
    /// Detection markers.
    Detect,
    /// The provider registry.
    Providers,
}

/// A provider's per-code retry hints.
#[derive(Debug, Clone, PartialEq)]
pub struct Hint {
    /// Whether the provider says to retry.
    pub retry: bool,
    /// The most retries it suggests.
    pub max_retries: Option<u8>,
    /// The backoff factor it suggests (>= 1.0).
    pub backoff: Option<f32>,
    /// The log level it suggests.
    pub log_level: Option<String>,
}

/// One validated row of a provider table.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    /// 1-based line.
    pub line: usize,
    /// The identifier (a phrase in lower case for `message`).
    pub id: String,
    /// The fields it appears in.
    pub fields: Vec<Field>,
    /// The HTTP status documented with it.
    pub status: Option<u16>,
    /// The kind id.
    pub kind: &'static str,
    /// The reason id.
    pub reason: &'static str,
    /// A catch-all that a phrase overrides.
    pub generic: bool,
    /// `en` or `zh` (phrases).
    pub lang: Option<String>,
    /// The provider's own meaning.
    pub description: Option<String>,
    /// Where the row comes from.
    pub source: String,
    /// Why, where the row is a decision.
    pub note: Option<String>,
    /// Retry hints, where the table has the columns and the row a value.
    pub hint: Option<Hint>,
    /// Suggested solution (English), meaning and solution (Chinese).
    pub texts: [Option<String>; 3],
}

/// The index of the byte of `needle` least likely in a provider's message (the first
/// of the rarest): a search for the needle looks for that byte first, so that a needle
/// that starts with a common letter (`aiplatform.googleapis.com`) does not stop at
/// every `a`. The ranks are coarse: punctuation that rarely occurs in prose, then
/// capitals and digits, then rare letters, sentence punctuation, UTF-8 lead and
/// continuation bytes, common letters (by English frequency), and the space.
pub fn rare_byte(needle: &[u8]) -> usize {
    const fn rank(b: u8) -> u8 {
        const COMMON: &[u8] = b"etaoinsrhldcumwfgypbvkjxqz";
        let mut i = 0;
        while i < COMMON.len() {
            if COMMON[i] == b || COMMON[i].to_ascii_uppercase() == b && i < 3 {
                return 200 - i as u8;
            }
            i += 1;
        }
        match b {
            b' ' => 255,
            0x80..=0xBF => 150,
            0xC0..=0xFF => 140,
            b'.' | b',' => 120,
            b'A'..=b'Z' | b'0'..=b'9' => 80,
            b'-' | b'_' | b'/' | b'\'' => 60,
            _ => 30,
        }
    }
    let mut best = 0;
    for (i, &b) in needle.iter().enumerate() {
        if rank(b) < needle.get(best).map_or(u8::MAX, |&c| rank(c)) {
            best = i;
        }
    }
    best
}

/// A term of a detection marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term<'r> {
    /// The probe is present (a non-empty value).
    Present(Probe<'r>),
    /// The probe is absent.
    Absent(Probe<'r>),
    /// The probe's value equals one of the texts (`f=a|b|c`).
    Equals(Probe<'r>, Cow<'r, [Cow<'r, str>]>),
    /// The probe's value contains the text; the index of its rarest byte (see
    /// [`rare_byte`]), which the search looks for first.
    Contains(Probe<'r>, Cow<'r, str>, usize),
    /// The provider's own table lists the field's value in that field.
    Listed(Field),
    /// The provider's table lists it, and no other provider's table does.
    Owned(Field),
}

/// What a detection marker can look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe<'r> {
    /// A field of the ladder.
    Field(Field),
    /// A top-level `error` object.
    ErrorObject,
    /// A text of the body.
    Text(TextAt),
    /// A response header, by lower-case name.
    Header(Cow<'r, str>),
}

/// The presence bits of the fields of one step.
pub const fn step_mask(step: Step) -> u32 {
    let mut m = 0;
    let mut i = 0;
    while i < Field::COUNT {
        if Field::ALL[i].step() as u8 == step as u8 {
            m |= 1 << i;
        }
        i += 1;
    }
    m
}

// The presence mask is a `u32`: every field, the `error` object and every text must
// have a bit in it. A new place past the bound fails the build here, not a shift at run
// time.
const _: () = assert!(
    Field::COUNT + 1 + TextAt::COUNT <= 32,
    "the presence mask is full"
);

/// The presence bit of each probe a body can answer (a header has none: it is looked
/// at only when a marker's other terms hold).
pub const fn field_bit(f: Field) -> u32 {
    1 << (f as u32)
}

impl Probe<'_> {
    /// The probe's presence bit (see [`field_bit`]); `None` for headers.
    pub fn bit(&self) -> Option<u32> {
        Some(match self {
            Probe::Field(f) => field_bit(*f),
            Probe::ErrorObject => 1 << Field::COUNT,
            Probe::Text(t) => t.bit(),
            Probe::Header(_) => return None,
        })
    }

    fn parse(s: &str) -> Option<Probe<'static>> {
        if s == "error" {
            return Some(Probe::ErrorObject);
        }
        if let Some(t) = TextAt::from_name(s) {
            return Some(Probe::Text(t));
        }
        Some(match s.strip_prefix("header.") {
            Some(h)
                if !h.is_empty()
                    && h.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') =>
            {
                Probe::Header(Cow::Owned(h.to_string()))
            }
            Some(_) => return None,
            None => Probe::Field(Field::from_name(s).filter(|f| *f != Field::Message)?),
        })
    }
}

/// One detection marker: a provider and the terms that must all hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectRow {
    /// 1-based line.
    pub line: usize,
    /// The provider id.
    pub provider: String,
    /// All must hold.
    pub terms: Vec<Term<'static>>,
    /// Where the marker comes from.
    pub source: String,
}

/// One row of the provider registry (read by `build.rs` only).
#[allow(dead_code)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderRow {
    /// 1-based line.
    pub line: usize,
    /// The snake_case id.
    pub id: String,
    /// The enum variant name.
    pub name: String,
    /// The variant's doc text.
    pub doc: String,
}

/// The text of a table file: a leading BOM is dropped, and bytes that are not UTF-8
/// are reported with their line.
pub fn text_of(bytes: &[u8]) -> Result<&str, RowError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let upto = bytes.get(..e.valid_up_to()).unwrap_or_default();
        let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
        bad(line, "not UTF-8")
    })
}

/// Rows of a table: (line number, fields).
type Rows<'t> = Vec<(usize, Vec<&'t str>)>;

/// The lines that are rows: (line number, fields), after the header; and the header.
fn split(text: &str) -> Result<(Vec<&str>, Rows<'_>), RowError> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut header = None;
    let mut rows = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let no = i + 1;
        if raw.starts_with('#') || raw.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = raw.split('\t').collect();
        if header.is_none() {
            header = Some(fields);
            continue;
        }
        rows.push((no, fields));
    }
    let header = header.ok_or_else(|| bad(0, "no header row"))?;
    Ok((header, rows))
}

/// Which format a text has, by its header row.
pub fn format_of(text: &str) -> Result<Format, RowError> {
    let (header, _) = split(text)?;
    if header == DETECT_COLUMNS {
        Ok(Format::Detect)
    } else if header == PROVIDER_COLUMNS {
        Ok(Format::Providers)
    } else if header.get(..TABLE_COLUMNS.len()) == Some(&TABLE_COLUMNS[..])
        && (header.len() == TABLE_COLUMNS.len()
            || header.get(TABLE_COLUMNS.len()..) == Some(&HINT_COLUMNS[..]))
    {
        Ok(Format::Table)
    } else {
        let line = text
            .lines()
            .position(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map_or(0, |i| i + 1);
        Err(bad(
            line,
            format!(
                "the header is not that of a provider table (`{}`, optionally then `{}`), of detect.tsv (`{}`) or of providers.tsv (`{}`)",
                TABLE_COLUMNS.join("\\t"),
                HINT_COLUMNS.join("\\t"),
                DETECT_COLUMNS.join("\\t"),
                PROVIDER_COLUMNS.join("\\t")
            ),
        ))
    }
}

/// Checks the shape of every row: as many fields as the header, none empty, none with
/// surrounding spaces.
fn shaped<'t>(header: &[&str], rows: Rows<'t>) -> Result<Rows<'t>, RowError> {
    for (no, f) in &rows {
        if f.len() != header.len() {
            return Err(bad(
                *no,
                format!(
                    "{} fields, expected {} ({}); fields are separated by one TAB",
                    f.len(),
                    header.len(),
                    header.join(", ")
                ),
            ));
        }
        for (v, name) in f.iter().zip(header) {
            if v.is_empty() || *v != v.trim() {
                return Err(bad(
                    *no,
                    format!(
                        "field `{name}` is empty or has surrounding spaces (use `-` for empty)"
                    ),
                ));
            }
        }
    }
    Ok(rows)
}

/// `-` is empty.
pub fn opt(s: &str) -> Option<&str> {
    (s != "-").then_some(s)
}

fn owned(s: &str) -> Option<String> {
    opt(s).map(str::to_string)
}

/// The kind and reason of a row, checked against each other.
pub fn kind_reason(kind: &str, reason: &str) -> Result<(&'static str, &'static str), String> {
    let k = KINDS
        .iter()
        .find(|k| **k == kind)
        .ok_or_else(|| format!("unknown kind `{kind}` (one of {})", KINDS.join(", ")))?;
    let (r, rk) = REASONS
        .iter()
        .find(|(r, _)| *r == reason)
        .ok_or_else(|| format!("unknown reason `{reason}`"))?;
    if rk != k {
        return Err(format!(
            "reason `{reason}` does not belong to kind `{kind}`"
        ));
    }
    Ok((k, r))
}

/// Reads and validates a provider table. Rows must be sorted by id (byte order) with no
/// id listed twice for one field.
pub fn table(text: &str) -> Result<Vec<TableRow>, RowError> {
    if format_of(text)? != Format::Table {
        return Err(bad(0, "not a provider table"));
    }
    let (header, rows) = split(text)?;
    let hints = header.len() > TABLE_COLUMNS.len();
    let rows = shaped(&header, rows)?;
    let mut out: Vec<TableRow> = Vec::with_capacity(rows.len());
    for (no, f) in rows {
        let row = table_row(&f, hints).map_err(|m| bad(no, m))?;
        if let Some(prev) = out.last() {
            if order(&row.id, &prev.id) == std::cmp::Ordering::Less {
                return Err(bad(
                    no,
                    format!(
                        "rows must be sorted by id, numbers by value (`{}` after `{}`)",
                        row.id, prev.id
                    ),
                ));
            }
        }
        for prev in out.iter().rev().take_while(|p| p.id == row.id) {
            if let Some(f) = row.fields.iter().find(|f| prev.fields.contains(f)) {
                return Err(bad(
                    no,
                    format!(
                        "`{}` in `{}` is already listed at line {}",
                        row.id,
                        f.name(),
                        prev.line
                    ),
                ));
            }
        }
        out.push(TableRow { line: no, ..row });
    }
    Ok(out)
}

/// The order of ids: numbers by value, then everything else in byte order.
fn order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        _ => a.as_bytes().cmp(b.as_bytes()),
    }
}

fn table_row(f: &[&str], hints: bool) -> Result<TableRow, String> {
    let (id, place, status, kind, reason, weight, lang) =
        (f[0], f[1], f[2], f[3], f[4], f[5], f[6]);
    let mut fields = Vec::new();
    for name in place.split('+') {
        let field = Field::from_name(name).ok_or_else(|| {
            format!(
                "where `{name}` is not a field ({})",
                Field::ALL.map(Field::name).join(", ")
            )
        })?;
        if fields.contains(&field) {
            return Err(format!("where names `{name}` twice"));
        }
        fields.push(field);
    }
    let phrase = fields.contains(&Field::Message);
    if phrase && fields.len() > 1 {
        return Err("a phrase (`message`) cannot share a row with other fields".into());
    }
    if id.chars().any(char::is_control) {
        return Err(format!(
            "id `{}` has a control character",
            id.escape_debug()
        ));
    }
    if phrase {
        if id != id.to_lowercase() {
            return Err(format!("phrase `{id}` must be lower case"));
        }
        if id.chars().count() < 2 {
            return Err(format!("phrase `{id}` is too short to mean anything"));
        }
        if id.len() > PHRASE_MAX {
            return Err(format!("phrase is longer than {PHRASE_MAX} bytes"));
        }
        match lang {
            "en" | "zh" => {}
            l => return Err(format!("lang `{l}` is not en or zh")),
        }
    } else {
        // Spaces are allowed: xAI sends gRPC status texts as codes.
        if id.len() > 128 {
            return Err("id is longer than 128 bytes".into());
        }
        if lang != "-" {
            return Err("lang is for phrases (`message`) only; use `-`".into());
        }
    }
    let numeric = [
        Field::BaseRespStatusCode,
        Field::MessageCode,
        Field::ErrorCodeTop,
    ];
    if let Some(n) = fields.iter().find(|f| numeric.contains(f)) {
        match id.parse::<u32>() {
            Ok(0) => return Err(format!("code 0 means success in `{}`", n.name())),
            Ok(_) if !id.starts_with('0') => {}
            _ => return Err(format!("`{}` holds numbers; `{id}` is not one", n.name())),
        }
    }
    let status = match opt(status) {
        None => None,
        Some(s) => match s.parse::<u16>() {
            Ok(n) if (100..600).contains(&n) => Some(n),
            _ => return Err(format!("status `{s}` is not an HTTP status")),
        },
    };
    let (kind, reason) = kind_reason(kind, reason)?;
    let generic = match weight {
        "exact" => false,
        "generic" => true,
        w => return Err(format!("weight `{w}` is not exact or generic")),
    };
    if phrase && generic {
        return Err("a phrase is always exact".into());
    }
    let mut row = TableRow {
        line: 0,
        id: id.to_string(),
        fields,
        status,
        kind,
        reason,
        generic,
        lang: owned(lang),
        description: owned(f[7]),
        source: f[8].to_string(),
        note: owned(f[9]),
        hint: None,
        texts: [None, None, None],
    };
    if row.source == "-" {
        return Err("every row needs a source".into());
    }
    if hints {
        row.hint = hint(&f[10..14], kind)?;
        row.texts = [owned(f[14]), owned(f[15]), owned(f[16])];
    }
    Ok(row)
}

fn hint(f: &[&str], kind: &str) -> Result<Option<Hint>, String> {
    let retryable = kind == "rate_limit" || kind == "transient";
    let retry = match f[0] {
        "-" => {
            if f[1..].iter().any(|v| *v != "-") {
                return Err("max_retries, backoff and log_level need retry yes or no".into());
            }
            return Ok(None);
        }
        "yes" => true,
        "no" => false,
        r => return Err(format!("retry `{r}` is not yes, no or -")),
    };
    if retry != retryable {
        return Err(format!("retry `{}` contradicts kind `{kind}`", f[0]));
    }
    let max_retries = match opt(f[1]) {
        None => None,
        Some(m) => Some(
            m.parse::<u8>()
                .map_err(|_| format!("max_retries `{m}` is not a small number"))?,
        ),
    };
    let backoff = match opt(f[2]) {
        None => None,
        Some(b) => match b.parse::<f32>() {
            Ok(v) if v.is_finite() && (1.0..=10.0).contains(&v) => Some(v),
            _ => return Err(format!("backoff `{b}` is not a factor from 1.0 to 10.0")),
        },
    };
    if !retry && (max_retries.is_some() || backoff.is_some()) {
        return Err("max_retries/backoff need retry yes".into());
    }
    let log_level = match opt(f[3]) {
        None => None,
        Some(l @ ("ERROR" | "WARNING" | "INFO" | "DEBUG")) => Some(l.to_string()),
        Some(l) => {
            return Err(format!(
                "log_level `{l}` is not ERROR, WARNING, INFO or DEBUG"
            ))
        }
    };
    Ok(Some(Hint {
        retry,
        max_retries,
        backoff,
        log_level,
    }))
}

/// The presence bits a marker's terms need, and those they forbid: a cheap first test
/// before its values are looked at.
pub fn masks(terms: &[Term<'_>]) -> (u32, u32) {
    let (mut need, mut forbid) = (0, 0);
    for t in terms {
        match t {
            Term::Present(p) | Term::Equals(p, _) | Term::Contains(p, _, _) => {
                need |= p.bit().unwrap_or(0)
            }
            Term::Absent(p) => forbid |= p.bit().unwrap_or(0),
            Term::Listed(f) | Term::Owned(f) => need |= field_bit(*f),
        }
    }
    (need, forbid)
}

/// Reads and validates detection markers. `known` says whether a provider id exists.
pub fn detect(text: &str, known: &dyn Fn(&str) -> bool) -> Result<Vec<DetectRow>, RowError> {
    if format_of(text)? != Format::Detect {
        return Err(bad(0, "not a detection table"));
    }
    let (header, rows) = split(text)?;
    let mut out = Vec::new();
    for (no, f) in shaped(&header, rows)? {
        let any = f[0] == "*";
        if !any && !known(f[0]) {
            return Err(bad(no, format!("unknown provider `{}`", f[0])));
        }
        let terms = f[1]
            .split(" & ")
            .map(term)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|m| bad(no, m))?;
        if any && !matches!(terms.as_slice(), [Term::Owned(_)]) {
            return Err(bad(no, "provider `*` takes one term, `f@@`"));
        }
        if terms.iter().all(|t| matches!(t, Term::Absent(_))) {
            return Err(bad(no, "a marker needs a term that looks for something"));
        }
        out.push(DetectRow {
            line: no,
            provider: f[0].to_string(),
            terms,
            source: f[2].to_string(),
        });
    }
    Ok(out)
}

fn term(s: &str) -> Result<Term<'static>, String> {
    let probe = |p: &str| {
        Probe::parse(p).ok_or_else(|| format!("`{p}` is not something a marker can look at"))
    };
    let field = |p: &str| match Field::from_name(p) {
        Some(f) if f != Field::Message && f != Field::MessageCode => Ok(f),
        _ => Err(format!("`{p}` is not a table field")),
    };
    if let Some(p) = s.strip_suffix("@@") {
        return Ok(Term::Owned(field(p)?));
    }
    if let Some(p) = s.strip_suffix('@') {
        return Ok(Term::Listed(field(p)?));
    }
    if let Some(p) = s.strip_prefix('!') {
        return Ok(Term::Absent(probe(p)?));
    }
    if let Some((p, v)) = s.split_once('~') {
        if v.is_empty() {
            return Err(format!("`{s}`: nothing to look for"));
        }
        return Ok(Term::Contains(
            probe(p)?,
            Cow::Owned(v.to_string()),
            rare_byte(v.as_bytes()),
        ));
    }
    if let Some((p, v)) = s.split_once('=') {
        let alts: Vec<String> = v.split('|').map(str::to_string).collect();
        if alts.iter().any(String::is_empty) && alts.len() > 1 {
            return Err(format!("`{s}`: an empty alternative"));
        }
        return Ok(Term::Equals(
            probe(p)?,
            Cow::Owned(alts.into_iter().map(Cow::Owned).collect()),
        ));
    }
    Ok(Term::Present(probe(s)?))
}

#[allow(dead_code)]
/// Reads and validates the provider registry: snake_case ids, CamelCase names, no
/// duplicates.
pub fn providers(text: &str) -> Result<Vec<ProviderRow>, RowError> {
    if format_of(text)? != Format::Providers {
        return Err(bad(0, "not a provider registry"));
    }
    let (header, rows) = split(text)?;
    let mut out: Vec<ProviderRow> = Vec::new();
    for (no, f) in shaped(&header, rows)? {
        let (id, name) = (f[0], f[1]);
        if !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            || !id.starts_with(|c: char| c.is_ascii_lowercase())
        {
            return Err(bad(no, format!("id `{id}` is not snake_case")));
        }
        if camel(id) != name {
            return Err(bad(no, format!("name `{name}` should be `{}`", camel(id))));
        }
        if out.iter().any(|p| p.id == id) {
            return Err(bad(no, format!("provider `{id}` is listed twice")));
        }
        out.push(ProviderRow {
            line: no,
            id: id.to_string(),
            name: name.to_string(),
            doc: f[2].to_string(),
        });
    }
    Ok(out)
}

/// `snake_case` to `CamelCase` (for `build.rs`).
#[allow(dead_code)]
pub fn camel(id: &str) -> String {
    id.split('_')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_presence_bit_is_inside_the_bound_the_build_checks() {
        let mut all = 0u32;
        for p in std::iter::once(Probe::ErrorObject)
            .chain(TextAt::ALL.iter().map(|t| Probe::Text(*t)))
            .chain(Field::ALL.iter().map(|f| Probe::Field(*f)))
        {
            let bit = p.bit().unwrap();
            assert_eq!(all & bit, 0, "{p:?} shares a bit");
            all |= bit;
        }
        assert_eq!(all.count_ones() as usize, Field::COUNT + 1 + TextAt::COUNT);
        assert!(Probe::Header("x".into()).bit().is_none());
    }

    #[test]
    fn the_reported_code_and_type_are_read_in_the_documented_order() {
        // The verdict's code: the deciding one, else the most specific in the body:
        // MiniMax's status code, a code in the message, a named reason, a top-level
        // error_code, error.code, Azure's inner code, Google's reason, a top-level code.
        use Field::*;
        assert_eq!(
            REPORTED_CODES,
            [
                BaseRespStatusCode,
                MessageCode,
                Reason,
                ErrorCodeTop,
                ErrorCode,
                InnerCode,
                DetailReason,
                Code
            ]
        );
        assert_eq!(REPORTED_TYPES, [ErrorType, ErrorStatus, Type]);
    }

    #[test]
    fn the_fields_a_later_error_replaces_are_those_under_it() {
        use Field::*;
        let under: Vec<Field> = Field::ALL.into_iter().filter(|f| under_error(*f)).collect();
        // The error object's code, type, status, inner code and details' reason; the
        // message's code and phrase are read from `error.message`, never stored.
        assert_eq!(
            under,
            [
                ErrorCode,
                InnerCode,
                DetailReason,
                MessageCode,
                ErrorType,
                ErrorStatus,
                Message
            ]
        );
    }

    #[test]
    fn every_text_place_is_a_probe_by_its_name_and_names_are_unique() {
        for t in TextAt::ALL {
            assert_eq!(Probe::parse(t.name()), Some(Probe::Text(t)), "{t:?}");
        }
        assert_eq!(Probe::parse("error"), Some(Probe::ErrorObject));
        assert_eq!(
            Probe::parse("error.code"),
            Some(Probe::Field(Field::ErrorCode))
        );
        // The message of the ladder's phrase step is not a probe; `message` is the text.
        assert_eq!(Probe::parse("message"), Some(Probe::Text(TextAt::Message)));
        let mut names: Vec<_> = TextAt::ALL.iter().map(|t| t.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), TextAt::COUNT);
    }
}
