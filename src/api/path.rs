//! Paths from templates: each `{name}` segment filled with its parameter, percent-encoded,
//! so that no parameter can add a `/`, `?`, `#` or a `..` segment to the path.

use crate::error::{Error, Issue, Result};
use crate::schema::rule;

/// `s` percent-encoded but for the URL's unreserved characters (`A-Z a-z 0-9 - . _ ~`): a
/// path segment or a query name or value that stays one.
pub fn encode_component(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// A percent-encoded segment read back (`%XX` as its byte; anything else as written).
pub(super) fn decode_component(s: &str) -> String {
    let hex = |c: u8| char::from(c).to_digit(16);
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match (
            b[i],
            b.get(i + 1).and_then(|&c| hex(c)),
            b.get(i + 2).and_then(|&c| hex(c)),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    crate::text::lossy(&out)
}

/// `{name}` of a template segment.
fn param_name(segment: &str) -> Option<&str> {
    segment
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .filter(|n| !n.is_empty())
}

/// The template with every `{name}` segment replaced by `value(name)`, encoded. A value that
/// is empty, `.` or `..` (a segment URL parsers drop or resolve) is refused.
pub(super) fn fill(template: &str, value: &dyn Fn(&str) -> Option<String>) -> Result<String> {
    let mut out = String::with_capacity(template.len() + 32);
    for (i, segment) in crate::text::split(template, b'/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        let Some(name) = param_name(segment) else {
            out.push_str(segment);
            continue;
        };
        let text = value(name).unwrap_or_default();
        if matches!(text.as_str(), "" | "." | "..") {
            return Err(Error::Validation(vec![Issue {
                field: format!("/{name}"),
                rule: rule::CHARSET,
                message: format!("{name} is a path segment: it cannot be empty, \".\" or \"..\""),
            }]));
        }
        out.push_str(&encode_component(&text));
    }
    Ok(out)
}

/// Whether `path` (no query) is the template's path: the same segments, a `{name}` segment
/// matching any non-empty one.
pub fn path_matches(template: &str, path: &str) -> bool {
    let mut t = crate::text::split(template, b'/');
    let mut p = crate::text::split(path, b'/');
    loop {
        match (t.next(), p.next()) {
            (None, None) => return true,
            (Some(ts), Some(ps)) if ts == ps || (param_name(ts).is_some() && !ps.is_empty()) => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_cannot_leave_their_segment() {
        let value = |v: &'static str| move |_: &str| Some(v.to_owned());
        let t = "/v3/a/{x}/b";
        for (v, sent) in [
            ("12535", "/v3/a/12535/b"),
            ("a/b", "/v3/a/a%2Fb/b"),
            ("a?b#c", "/v3/a/a%3Fb%23c/b"),
            ("../../x", "/v3/a/..%2F..%2Fx/b"),
            ("%2e%2e", "/v3/a/%252e%252e/b"),
            ("用户", "/v3/a/%E7%94%A8%E6%88%B7/b"),
            ("a b+c", "/v3/a/a%20b%2Bc/b"),
        ] {
            assert_eq!(fill(t, &value(v)).unwrap(), sent, "{v}");
        }
        for v in ["", ".", ".."] {
            let e = fill(t, &value(v)).unwrap_err();
            assert_eq!(e.issues()[0].field, "/x", "{v}");
        }
        assert!(fill(t, &|_| None).is_err());
    }

    #[test]
    fn segments_decode() {
        for v in [
            "12535", "a/b", "../../x", "%2e%2e", "用户", "a b+c", "T_1-2*3",
        ] {
            assert_eq!(decode_component(&encode_component(v)), v);
        }
        assert_eq!(decode_component("%zz%4"), "%zz%4");
    }

    #[test]
    fn templates_match_their_paths() {
        let t = "/v3/a/{x}/b";
        assert!(path_matches(t, "/v3/a/1/b"));
        assert!(!path_matches(t, "/v3/a//b"));
        assert!(!path_matches(t, "/v3/a/1/b/"));
        assert!(!path_matches(t, "/v3/a/1"));
        assert!(path_matches("/v3/p", "/v3/p"));
        assert!(!path_matches("/v3/p", "/v3/P"));
    }
}
