//! The perfect hash behind the provider tables: a multiply-rotate hash over 8-byte
//! words, with a seed `build.rs` searches for so that every key of a table lands in a
//! slot of its own. Shared by `build/codegen.rs` (to build the tables) and the library
//! (to look keys up), so both hash alike.
//!
//! phf's SipHash costs about as much as everything else on the hot path put together;
//! this hash is a few multiplications for the short identifiers in `data/`.

const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// Hashes a byte string with a seed.
#[inline]
pub fn hash_bytes(b: &[u8], seed: u64) -> u64 {
    let mut h = seed ^ (b.len() as u64).wrapping_mul(K);
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    let rem = chunks.remainder();
    if !rem.is_empty() {
        let mut w = [0u8; 8];
        w[..rem.len()].copy_from_slice(rem);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    h ^ (h >> 29)
}

/// Hashes a number with a seed.
#[inline]
pub fn hash_u32(k: u32, seed: u64) -> u64 {
    let h = (u64::from(k) ^ seed).wrapping_mul(K);
    h ^ (h >> 29)
}

/// The slot of a hash in a table of `2^bits` slots (the hash's top bits after one more
/// multiplication).
#[inline]
pub fn slot(h: u64, bits: u32) -> usize {
    (h.wrapping_mul(K) >> (64 - bits)) as usize
}

/// The marker of an empty slot.
pub const EMPTY: u8 = u8::MAX;
