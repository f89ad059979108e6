//! Differential: on every body serde_json accepts, errnorm's scanner reads the same
//! fields as the reference reader (serde_json's Value); on the others it must not panic.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = errnorm::scanner_agrees(data) {
        panic!("{e}");
    }
});
