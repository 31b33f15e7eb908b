//! The values the JSON mutations put in: numbers, raw tokens that are not JSON, characters,
//! lengths around the limits, random strings, string edits and near-misses of keys.

use super::J;
use crate::rng::Rng;

pub(super) const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "2",
    "12535",
    "9007199254740991",
    "9007199254740992",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "-9223372036854775809",
    "1e2",
    "1E+2",
    "1.0",
    "0.5",
    "1e400",
    "-1e400",
    "1e-400",
    "123456789012345678901234567890123456789",
    "4294967296",
    "65536",
];
pub(super) const BAD_RAW: &[&str] = &[
    "01",
    "+1",
    "1.",
    ".5",
    "NaN",
    "Infinity",
    "-",
    "1e",
    "0x10",
    "\"\\ud83d\"",
    "\"\\udc00x\"",
    "\"a\\ud800\\ud800b\"",
    "\"\\ud83d\\ude00\"",
    "\"\\x41\"",
    "\"\\u12\"",
    "\"unterminated",
    "\"\u{7}\"",
    "[1,]",
    "{,}",
    "nul",
    "tru",
    "\"\\u0000\"",
    "undefined",
    "\"\\/\"",
];
const CHARS: &[char] = &[
    'a',
    'Z',
    '0',
    '_',
    '-',
    ' ',
    '/',
    '~',
    '.',
    ':',
    '@',
    '\\',
    '"',
    '中',
    '微',
    'é',
    '😀',
    '𠀀',
    '\u{10FFFF}',
    '\u{FFFD}',
    '\u{FEFF}',
    '\u{0}',
    '\u{1f}',
    '\u{7f}',
    '\u{85}',
    '\u{2028}',
    '\u{301}',
    '\t',
    '\n',
    '%',
    '?',
    '#',
    '[',
    ']',
];
const LENGTHS: &[usize] = &[
    0, 1, 2, 5, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 1000, 5000, 70000,
];

/// A length from [`LENGTHS`]: the long ones (past 257) one time in 32.
fn length(rng: &mut Rng) -> usize {
    if rng.one_in(32) {
        *rng.pick(LENGTHS)
    } else {
        *rng.pick(&LENGTHS[..LENGTHS.len() - 3])
    }
}

pub(super) fn random_string(rng: &mut Rng) -> String {
    let len = length(rng);
    let class = rng.below(4);
    let one = *rng.pick(CHARS);
    (0..len)
        .map(|_| match class {
            0 => one,
            1 => char::from(b'a' + rng.below(26) as u8),
            _ => *rng.pick(CHARS),
        })
        .collect()
}

pub(super) fn mutate_string(rng: &mut Rng, s: &mut String, dict: &[&str]) {
    match rng.below(9) {
        0 => *s = random_string(rng),
        1 if !dict.is_empty() => *s = (*rng.pick(dict)).to_owned(),
        2 => {
            let chars: Vec<char> = s.chars().collect();
            let at = rng.below(chars.len() + 1);
            let mut out: String = chars[..at].iter().collect();
            out.push(*rng.pick(CHARS));
            out.extend(&chars[at..]);
            *s = out;
        }
        3 => {
            let n = s.chars().count();
            *s = s.chars().take(rng.below(n + 1)).collect();
        }
        4 => *s = s.to_ascii_lowercase(),
        5 => {
            // Grow to just past a length limit, keeping the value's own characters.
            let target = length(rng);
            let fill = s.chars().last().unwrap_or('a');
            while s.chars().count() < target {
                s.push(fill);
            }
        }
        6 => {
            let times = rng.range(2, 40).min(100_000 / (s.len() + 1)).max(1);
            *s = s.repeat(times);
        }
        7 => *s = format!(" {s} "),
        _ => s.clear(),
    }
}

pub(super) fn random_value(rng: &mut Rng, dict: &[&str]) -> J {
    match rng.below(9) {
        0 => J::Null,
        1 => J::Bool(rng.one_in(2)),
        2 => J::Num((*rng.pick(NUMBERS)).to_owned()),
        3 if !dict.is_empty() => J::Str((*rng.pick(dict)).to_owned()),
        4 => J::Arr(vec![]),
        5 => J::Obj(vec![]),
        6 => J::Raw((*rng.pick(BAD_RAW)).to_owned()),
        _ => J::Str(random_string(rng)),
    }
}

pub(super) fn near_miss(rng: &mut Rng, key: &str) -> String {
    let mut k = key.to_owned();
    match rng.below(7) {
        0 => k = k.to_ascii_uppercase(),
        1 => k = k.replace('_', ""),
        2 => k.push_str(rng.pick::<&str>(&["Ms", "_", "s", "2", "~1", "/x"])),
        3 if !k.is_empty() => {
            let at = rng.below(k.len());
            if k.is_char_boundary(at) && k.is_char_boundary(at + 1) {
                k.remove(at);
            }
        }
        4 => k = random_string(rng),
        5 => k.insert(0, *rng.pick(CHARS)),
        _ => k = k.replace('_', "-"),
    }
    k
}
