//! The perfect hash behind the provider tables: a multiply-rotate hash over 8-byte
//! words, with a seed `build.rs` searches for so that every key of a table lands in a
//! slot of its own. Shared by `build/codegen.rs` (to build the tables) and the library
//! (to look keys up), so both hash alike.
//!
//! phf's SipHash costs about as much as everything else on the hot path put together;
//! this hash is a few multiplications for the short identifiers in `data/`.

const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// Hashes a byte string with a seed: whole 8-byte words, then the last 8 bytes again
/// (overlapping) for a ragged tail; keys under 8 bytes are read as two overlapping
/// 4-byte halves, or byte by byte under 4. No copies, no calls.
#[inline]
pub fn hash_bytes(b: &[u8], seed: u64) -> u64 {
    let n = b.len();
    let mut h = seed ^ (n as u64).wrapping_mul(K);
    if n >= 8 {
        let mut i = 0;
        while i + 8 <= n {
            h = mix(h, read8(b, i));
            i += 8;
        }
        if i < n {
            h = mix(h, read8(b, n - 8));
        }
    } else if n >= 4 {
        h = mix(
            h,
            u64::from(read4(b, 0)) | (u64::from(read4(b, n - 4)) << 32),
        );
    } else if n > 0 {
        let byte = |i: usize| u64::from(b.get(i).copied().unwrap_or_default());
        h = mix(h, byte(0) | (byte(n / 2) << 8) | (byte(n - 1) << 16));
    }
    h ^ (h >> 29)
}

#[inline]
fn mix(h: u64, w: u64) -> u64 {
    (h.rotate_left(5) ^ w).wrapping_mul(K)
}

#[inline]
fn read8(b: &[u8], i: usize) -> u64 {
    b.get(i..i + 8)
        .and_then(|s| <[u8; 8]>::try_from(s).ok())
        .map_or(0, u64::from_le_bytes)
}

#[inline]
fn read4(b: &[u8], i: usize) -> u32 {
    b.get(i..i + 4)
        .and_then(|s| <[u8; 4]>::try_from(s).ok())
        .map_or(0, u32::from_le_bytes)
}

/// The slot of a hash in a table of `2^bits` slots (the hash's top bits after one more
/// multiplication).
#[inline]
pub fn slot(h: u64, bits: u32) -> usize {
    (h.wrapping_mul(K) >> (64 - bits)) as usize
}

/// The marker of an empty slot (written by `build.rs`).
#[allow(dead_code)]
pub const EMPTY: u16 = u16::MAX;
