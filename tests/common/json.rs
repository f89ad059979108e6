//! JSON built as a tree and printed with random escapes and white space, for the
//! property tests.

#![allow(dead_code)]

/// A JSON value as text, printed with random escapes and white space.
#[derive(Debug, Clone)]
pub enum J {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

/// Prints `j`, with `r` choosing escapes and white space.
pub fn print(j: &J, r: &mut impl FnMut() -> u32, out: &mut String) {
    let ws = |r: &mut dyn FnMut() -> u32, out: &mut String| {
        for _ in 0..(r() % 3) {
            out.push([' ', '\n', '\t', '\r'][(r() % 4) as usize]);
        }
    };
    match j {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Num(n) => out.push_str(n),
        J::Str(s) => print_str(s, r, out),
        J::Arr(v) => {
            out.push('[');
            for (i, x) in v.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                ws(r, out);
                print(x, r, out);
                ws(r, out);
            }
            out.push(']');
        }
        J::Obj(v) => {
            out.push('{');
            for (i, (k, x)) in v.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                ws(r, out);
                print_str(k, r, out);
                ws(r, out);
                out.push(':');
                ws(r, out);
                print(x, r, out);
                ws(r, out);
            }
            out.push('}');
        }
    }
}

pub fn print_str(s: &str, r: &mut impl FnMut() -> u32, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        let must = c == '"' || c == '\\' || (c as u32) < 0x20;
        if must || r() % 5 == 0 {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{:04x}", u));
            }
        } else {
            out.push(c);
        }
    }
    out.push('"');
}

pub fn render(j: &J, seed: u64) -> String {
    let mut x = seed | 1;
    let mut r = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 32) as u32
    };
    let mut out = String::new();
    print(j, &mut r, &mut out);
    out
}
