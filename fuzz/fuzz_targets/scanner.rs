//! Differential: on every body serde_json accepts, errnorm's scanner reads the same
//! fields as the serde_json reference reader; on the others it must not panic.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = errnorm::scanner_agrees_with_serde(data) {
        panic!("{e}");
    }
});
