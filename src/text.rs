//! Text searched, split and read by bytes, for the core's few string patterns. core's
//! `&str` patterns (`contains("..")`, `split_once("://")`) link its two-way searcher, whose
//! string slicing can panic with a message that formats a `char` with `Debug`, and that
//! links the Unicode printable tables into the wasm module; its `char` patterns
//! (`split('/')`, `lines()`, `replace('~', ..)`, `trim_end_matches('/')`) its `CharSearcher`
//! and their iterators; `str::parse` a generic integer reader. Each helper is held to the
//! core function it replaces by a native test.

/// Byte offset of the first `needle` in `hay`.
pub fn find(hay: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.as_bytes()
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
}

/// Whether `needle` occurs in `hay`.
pub fn contains(hay: &str, needle: &str) -> bool {
    find(hay, needle).is_some()
}

/// `hay.split_once(sep)`: the text before the first `sep` and the text after it.
pub fn split_once<'a>(hay: &'a str, sep: &str) -> Option<(&'a str, &'a str)> {
    let at = find(hay, sep)?;
    Some((hay.get(..at)?, hay.get(at + sep.len()..)?))
}

/// `s.split(sep)` for an ASCII `sep`: the pieces between its bytes (an ASCII byte is never
/// inside a multi-byte character, so each piece is on character boundaries). core's `char`
/// patterns link its `CharSearcher` (586 B raw) and the `Split` and `Lines` machinery.
pub fn split(s: &str, sep: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    core::iter::from_fn(move || {
        let r = rest?;
        match r.bytes().position(|b| b == sep) {
            Some(at) => {
                rest = r.get(at + 1..);
                r.get(..at)
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// `s.rsplit_once(sep)` for an ASCII `sep`: the text before its last byte and after it.
pub fn rsplit_once(s: &str, sep: u8) -> Option<(&str, &str)> {
    let at = s.bytes().rposition(|b| b == sep)?;
    Some((s.get(..at)?, s.get(at + 1..)?))
}

/// `s.trim_start_matches(byte)` for an ASCII `byte`, without core's `char` searcher.
pub fn trim_start(s: &str, byte: u8) -> &str {
    s.get(s.bytes().take_while(|&b| b == byte).count()..)
        .unwrap_or(s)
}

/// `s.trim_end_matches(byte)` for an ASCII `byte`, without core's `char` searcher.
pub fn trim_end(s: &str, byte: u8) -> &str {
    let mut end = s.len();
    while end > 0 && s.as_bytes().get(end - 1) == Some(&byte) {
        end -= 1;
    }
    s.get(..end).unwrap_or(s)
}

/// `s.lines()`: the text between `\n`s, less a `\r` before each `\n`; no empty last line
/// after a final `\n`.
pub fn lines(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = s;
    core::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let Some(at) = rest.bytes().position(|b| b == b'\n') else {
            return Some(core::mem::take(&mut rest));
        };
        let line = rest.get(..at)?;
        rest = rest.get(at + 1..)?;
        Some(match line.strip_suffix('\r') {
            Some(l) => l,
            None => line,
        })
    })
}

/// `s.chars().count()`: the bytes that start a character (every byte of UTF-8 that is not a
/// continuation byte `0b10xx_xxxx`): smaller in wasm than core's `Chars::count` and its
/// word-at-a-time counter for the two lengths a rule or a message needs (63 B of the gzipped
/// main module; the counter itself stays linked, `Formatter::pad` uses it).
pub fn char_count(s: &str) -> usize {
    s.bytes().filter(|b| b & 0xC0 != 0x80).count()
}

/// `String::from_utf8_lossy(bytes)`: each invalid sequence as one U+FFFD, by the rule of
/// `Utf8Error::error_len` (the same as core's), with `from_utf8`, which the module links
/// anyway, instead of core's `Utf8Chunks` iterator and its copy of the decoder.
pub fn lossy(mut bytes: &[u8]) -> String {
    let mut out = String::new();
    loop {
        match core::str::from_utf8(bytes) {
            Ok(valid) => {
                out.push_str(valid);
                return out;
            }
            Err(e) => {
                let (valid, rest) = bytes.split_at(e.valid_up_to());
                out.push_str(core::str::from_utf8(valid).unwrap_or_default());
                out.push(char::REPLACEMENT_CHARACTER);
                bytes = rest
                    .get(e.error_len().unwrap_or(rest.len())..)
                    .unwrap_or_default();
            }
        }
    }
}

/// `n` in decimal digits, as `n.to_string()` writes it, without linking core's `u64`
/// formatting for one call.
pub fn decimal(mut n: u64) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(b'0' + (n % 10) as u8);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits.iter().rev().map(|&d| char::from(d)).collect()
}

/// `s.parse::<i64>().ok()`: an optional `+` or `-`, then ASCII digits, in range, without
/// linking core's `str::parse` and its generic integer reader (605 B raw) for two timestamps.
pub fn integer(s: &str) -> Option<i64> {
    let (negative, digits) = match s.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        all => (false, all),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        let d = i64::from(d - b'0');
        n = n.checked_mul(10)?;
        n = if negative {
            n.checked_sub(d)?
        } else {
            n.checked_add(d)?
        };
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_core_does() {
        for (hay, needle) in [
            ("https://h/p", "://"),
            ("a://b://c", "://"),
            ("no scheme", "://"),
            ("", "x"),
            ("x", ""),
            ("用户://名", "://"),
            (
                "-----BEGIN PRIVATE KEY-----\n",
                "-----BEGIN PRIVATE KEY-----",
            ),
            ("ab", "abc"),
        ] {
            assert_eq!(find(hay, needle), hay.find(needle), "{hay} {needle}");
            assert_eq!(contains(hay, needle), hay.contains(needle));
            assert_eq!(split_once(hay, needle), hay.split_once(needle));
        }
    }

    #[test]
    fn split_and_lines_as_core_do() {
        for s in [
            "",
            "/",
            "//",
            "a",
            "/a/b",
            "a/b/",
            "/v3/{id}/x",
            "合同/用户/",
            "a\nb",
            "a\r\nb\r\n",
            "\n",
            "\n\n",
            "a\r",
            "\r\n",
            "a\n\r",
            "x\r\r\ny",
            "-----BEGIN-----\nAB\n-----END-----\n",
            "a@b@c",
            "@",
            "用户@名",
            "127.0.0.1",
            "000",
            "0012AB00",
            "0",
            "a.b.",
        ] {
            for sep in [b'/', b'.', b'#', b'@', b'\n'] {
                let c = char::from(sep);
                assert!(split(s, sep).eq(s.split(c)), "{s:?} split {c:?}");
                assert_eq!(
                    rsplit_once(s, sep),
                    s.rsplit_once(c),
                    "{s:?} rsplit_once {c:?}"
                );
            }
            assert!(lines(s).eq(s.lines()), "{s:?} lines");
            assert_eq!(trim_end(s, b'/'), s.trim_end_matches('/'), "{s:?} trim_end");
            assert_eq!(
                trim_start(s, b'0'),
                s.trim_start_matches('0'),
                "{s:?} trim_start"
            );
        }
    }

    #[test]
    fn char_count_as_core_does() {
        for s in [
            "",
            "a",
            "合同",
            "a\u{7f}\u{80}\u{7ff}\u{800}\u{ffff}\u{10000}\u{10ffff}",
            "😀x😀",
        ] {
            assert_eq!(char_count(s), s.chars().count(), "{s}");
        }
    }

    #[test]
    fn lossy_as_core_does() {
        let cases: [&[u8]; 12] = [
            b"",
            b"plain",
            "合同😀".as_bytes(),
            b"\xff",
            b"a\xffb",
            b"\xe5\x90",
            b"\xe5\x90x\xe5",
            b"\xf0\x9f\x98",
            b"\xed\xa0\x80",
            b"\xc0\xaf\x80\x80",
            b"\xf4\x90\x80\x80ok",
            b"<html>\xfe\xfe</html>",
        ];
        for bytes in cases {
            assert_eq!(lossy(bytes), String::from_utf8_lossy(bytes), "{bytes:?}");
        }
    }

    #[test]
    fn integer_as_core_parses() {
        for s in [
            "",
            "+",
            "-",
            "0",
            "-0",
            "+0",
            "7",
            "+7",
            "-7",
            "007",
            "+-1",
            "-+1",
            "--1",
            " 1",
            "1 ",
            "1a",
            "a1",
            "1.0",
            "1e3",
            "١",
            "１",
            "1700000000",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "+9223372036854775807",
            "99999999999999999999",
            "0000000000000000000000000001",
        ] {
            assert_eq!(integer(s), s.parse::<i64>().ok(), "{s:?}");
        }
        // An IPv4 part (validate's is_loopback): digits only, then at most 255. `parse::<u8>`
        // also takes a leading "+", which the URL standard does not read as a number.
        for s in ["0", "1", "255", "256", "+1", "-0", "-1", "00", "1000"] {
            let ours = s.bytes().all(|b| b.is_ascii_digit())
                && integer(s).is_some_and(|n| (0..=255).contains(&n));
            let digits_u8 = !s.starts_with('+') && s.parse::<u8>().is_ok();
            assert_eq!(ours, digits_u8, "{s:?} as an IPv4 part");
        }
    }

    #[test]
    fn decimal_as_to_string() {
        for n in [0, 7, 10, 12535, 9_007_199_254_740_991, u64::MAX] {
            assert_eq!(decimal(n), n.to_string());
        }
    }
}
