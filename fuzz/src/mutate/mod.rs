//! Mutators: byte-level ones for any input, and structure-aware ones for JSON ([`json`]),
//! DER ([`der`]) and PEM ([`pem`]).

pub mod der;
pub mod json;
pub mod pem;

use crate::rng::Rng;

/// Largest input a mutation produces (bytes); larger results are cut.
pub const MAX_INPUT: usize = 256 * 1024;

const INTERESTING: &[u8] = &[
    0, 1, 0x7f, 0x80, 0xff, b'"', b'\\', b'\n', b'\r', b' ', b'{', b'}', b'[', b']', b',', b':',
    b'=', b'-', b'0', b'9', 0xc3, 0xe4, 0xf0, 0xed, 0xa0,
];

/// One byte-level mutation of `data`, with `tokens` to insert and `other` to splice from.
pub fn bytes(rng: &mut Rng, data: &mut Vec<u8>, tokens: &[&str], other: &[u8]) {
    let len = data.len();
    match rng.below(11) {
        0 if len > 0 => {
            let at = rng.below(len);
            data[at] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let at = rng.below(len);
            data[at] = *rng.pick(INTERESTING);
        }
        2 if len > 0 => {
            let at = rng.below(len);
            let n = rng.small_size(len - at);
            data.drain(at..(at + n).min(len));
        }
        3 => {
            let at = rng.below(len + 1);
            let n = rng.small_size(32);
            let fresh: Vec<u8> = (0..n).map(|_| rng.byte()).collect();
            data.splice(at..at, fresh);
        }
        4 if len > 0 => {
            // Repeat a range, sometimes many times (inputs must stay proportionate).
            let at = rng.below(len);
            let n = rng.small_size((len - at).min(64));
            let times = if rng.one_in(32) {
                rng.range(2, 4000)
            } else {
                rng.range(2, 4)
            };
            let chunk = data[at..at + n].to_vec();
            let copies: Vec<u8> = chunk.iter().copied().cycle().take(n * times).collect();
            data.splice(at..at, copies);
        }
        5 if !tokens.is_empty() => {
            let at = rng.below(len + 1);
            data.splice(at..at, rng.pick(tokens).bytes());
        }
        6 if !other.is_empty() => {
            // Splice: this input's head with the other's tail.
            let at = rng.below(len + 1);
            let from = rng.below(other.len());
            data.truncate(at);
            data.extend_from_slice(&other[from..]);
        }
        7 if len > 0 => data.truncate(rng.below(len)),
        8 if len > 1 => {
            let (a, b) = (rng.below(len), rng.below(len));
            data.swap(a, b);
        }
        9 if len > 0 => {
            // Overwrite with a run of one byte.
            let at = rng.below(len);
            let n = rng.small_size(len - at);
            let b = *rng.pick(INTERESTING);
            data[at..at + n].fill(b);
        }
        _ => {
            let at = rng.below(len + 1);
            data.insert(at, *rng.pick(INTERESTING));
        }
    }
    data.truncate(MAX_INPUT);
}

/// A few byte-level mutations.
pub fn bytes_stacked(rng: &mut Rng, data: &mut Vec<u8>, tokens: &[&str], other: &[u8]) {
    for _ in 0..rng.range(1, 4) {
        bytes(rng, data, tokens, other);
    }
}
