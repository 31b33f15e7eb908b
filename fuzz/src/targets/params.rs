//! Path and query parameters (`queryContract`, `queryOrder`): a generator of mutated ids, and
//! the oracles of a path built from them.
//!
//! An accepted parameters' object must build a path with the template's segments, none of
//! them empty, `.` or `..`, no `?` or `#` before the query; each parameter's segment
//! percent-decodes back to the parameter; the query is the operation's, encoded; the built
//! path reaches the operation (`operation_at`) and passes `check_path` (what the generic
//! `request()` checks). A path written with the raw parameters (as a caller of `request()`
//! might) goes through `check_path` too: when it passes, no parameter's segment decodes to a
//! `/`, `?`, `#` or a `.`/`..` segment.

use serde_json::Value;
use wechatpay_wasm::api::{self, Prepared, QueryValue};

use super::validate::{check_issues, MCHID};
use crate::mutate::json::{self, J};
use crate::rng::Rng;

/// Pieces of ids that try to leave a path segment, or stretch its rules.
pub const PIECES: &[&str] = &[
    "/", "?", "#", "..", ".", "%", "%2F", "%2f", "%2E%2E", "%2e", "%3F", "%23", "%25", "%00", "\\",
    " ", "+", "&", "=", ";", "@", ":", "*", "_", "-", "~", "\u{0}", "\t", "用户", "😀", "\u{FFFF}",
    "\u{202E}", "é", "Ａ",
];

/// Whole values worth trying as a parameter.
const VALUES: &[&str] = &[
    "",
    ".",
    "..",
    "...",
    "./",
    "../",
    "/..",
    "%2e%2e",
    "a/../b",
    "?",
    "#",
    "%",
    "0",
    "00",
    "-1",
    "12535",
    " 12535",
    "12535 ",
    "1e3",
    "9007199254740991",
    "9007199254740992",
    "18446744073709551616",
];

/// Numbers worth trying as a parameter.
const NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "12535",
    "1.0",
    "1e3",
    "1E+2",
    "9007199254740991",
    "9007199254740992",
    "18446744073709551615",
    "18446744073709551616",
    "-0",
    "0.5",
];

/// The `{name}`s of a path template, and the query's parameters.
fn param_names(op: &api::Operation) -> Vec<&'static str> {
    op.params.iter().map(|f| f.name).collect()
}

/// A mutated id for one parameter of `parent` (a parameters' object); `None` when `parent`
/// is not a JSON object.
pub fn mutate_ids(rng: &mut Rng, op: &api::Operation, parent: &[u8]) -> Option<Vec<u8>> {
    let mut root = json::parse(core::str::from_utf8(parent).ok()?)?;
    let J::Obj(fields) = &mut root else {
        return None;
    };
    let names = param_names(op);
    let name = *rng.pick(&names);
    let current = fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| match v {
            J::Str(s) | J::Num(s) => s.clone(),
            _ => String::new(),
        })
        .unwrap_or_default();
    let value = match rng.below(6) {
        0 => J::Str((*rng.pick(VALUES)).to_owned()),
        1 => J::Num((*rng.pick(NUMBERS)).to_owned()),
        2 => {
            // A long id: at the limit, past it, and far past it.
            let n = *rng.pick(&[31, 32, 33, 64, 1000, 70_000]);
            let c = *rng.pick(&["a", "9", "用", "%", "/", "."]);
            J::Str(c.repeat(n))
        }
        _ => {
            // The current id with pieces inserted or replacing characters.
            let mut chars: Vec<char> = current.chars().collect();
            for _ in 0..rng.range(1, 3) {
                let at = rng.below(chars.len() + 1);
                let piece: Vec<char> = rng.pick(PIECES).chars().collect();
                if rng.one_in(3) && at < chars.len() {
                    chars.splice(at..at + 1, piece);
                } else {
                    chars.splice(at..at, piece);
                }
            }
            J::Str(chars.into_iter().collect())
        }
    };
    match fields.iter_mut().find(|(k, _)| k == name) {
        Some(field) => field.1 = value,
        None => fields.push((name.to_owned(), value)),
    }
    let mut out = json::write(&root, json::Style::random(rng)).into_bytes();
    out.truncate(crate::mutate::MAX_INPUT);
    Some(out)
}

/// `s` with each `%XX` read as its byte (the fuzzer's own decoder, not the crate's).
fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |at: usize| b.get(at).and_then(|c| char::from(*c).to_digit(16));
        match (b[i], hex(i + 1), hex(i + 2)) {
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
    out
}

/// A parameter's value as the path carries it: a string as is, an integer in decimal.
fn param_text(params: &Value, name: &str) -> Option<String> {
    match params.get(name)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => n.as_u64().map(|n| n.to_string()),
        _ => None,
    }
}

/// The oracles of a path built from accepted parameters.
pub fn built_path(op: &api::Operation, text: &str, prepared: &Prepared) -> Result<(), String> {
    if prepared.body.is_some() {
        return Err("a parameters' operation built a body".into());
    }
    let params: Value =
        serde_json::from_str(text).map_err(|e| format!("accepted parameters are not JSON: {e}"))?;
    let built = &prepared.path_and_query;
    let (path, query) = built.split_once('?').unwrap_or((built, ""));
    if path.contains('#') {
        return Err(format!("a `#` in the built path {built:?}"));
    }
    let template: Vec<&str> = op.path.split('/').collect();
    let segments: Vec<&str> = path.split('/').collect();
    if segments.len() != template.len() {
        return Err(format!(
            "the built path {built:?} has other segments than {}",
            op.path
        ));
    }
    for (t, s) in template.iter().zip(&segments) {
        let Some(name) = t.strip_prefix('{').and_then(|n| n.strip_suffix('}')) else {
            if t != s {
                return Err(format!(
                    "the built path {built:?} changed the segment {t:?}"
                ));
            }
            continue;
        };
        if matches!(*s, "" | "." | "..") {
            return Err(format!("parameter {name} built the segment {s:?}"));
        }
        let value = param_text(&params, name)
            .ok_or_else(|| format!("accepted parameter {name} is not a string or integer"))?;
        if percent_decode(s) != value.as_bytes() {
            return Err(format!("the segment of {name} does not decode back to it"));
        }
    }
    // The query read back on its own terms (not rebuilt with the crate's encoder): the
    // operation's names in order, each value only unreserved characters and `%XX`, decoding
    // back to the parameter (or the client's mchid).
    let mut expected = Vec::new();
    for (name, from) in op.query {
        let value = match from {
            QueryValue::Mchid => Some(MCHID.to_owned()),
            QueryValue::Param(p) => param_text(&params, p),
        };
        if let Some(v) = value {
            expected.push((name, v));
        }
    }
    let parts: Vec<&str> = if query.is_empty() {
        Vec::new()
    } else {
        query.split('&').collect()
    };
    if parts.len() != expected.len() {
        return Err(format!("the built query {query:?} is not the operation's"));
    }
    for (part, (name, value)) in parts.iter().zip(&expected) {
        let Some((k, v)) = part.split_once('=') else {
            return Err(format!("the query part {part:?} has no '='"));
        };
        if k != **name {
            return Err(format!(
                "the built query {query:?} names {k:?}, not {name:?}"
            ));
        }
        let plain = |b: u8| b.is_ascii_alphanumeric() || b"-._~%".contains(&b);
        if !v.bytes().all(plain) || percent_decode(v) != value.as_bytes() {
            return Err(format!(
                "the query value of {name} does not decode back to it"
            ));
        }
    }
    if api::operation_at(op.method, path).map(|o| o.name) != Some(op.name) {
        return Err(format!(
            "the built path {built:?} does not reach {}",
            op.name
        ));
    }
    op.check_path(path)
        .map_err(|e| format!("check_path refuses the path the typed call built: {e}"))
}

/// The path written with the parameters unencoded goes through `check_path`: bounded
/// issues, and a passing path has no parameter segment that leaves its place.
pub fn raw_path(op: &api::Operation, text: &str) -> Result<(), String> {
    let Some(J::Obj(fields)) = json::parse(text) else {
        return Ok(());
    };
    let mut path = String::from("/base");
    for t in op.path.split('/').skip(1) {
        path.push('/');
        match t.strip_prefix('{').and_then(|n| n.strip_suffix('}')) {
            Some(name) => match fields.iter().rev().find(|(k, _)| k == name) {
                Some((_, J::Str(s) | J::Num(s) | J::Raw(s))) => path.push_str(s),
                _ => path.push_str(name),
            },
            None => path.push_str(t),
        }
    }
    match op.check_path(&path) {
        Ok(()) => {
            let sent: Vec<&str> = path.split('/').collect();
            let template: Vec<&str> = op.path.split('/').collect();
            let from = sent.len().saturating_sub(template.len());
            for (t, s) in template.iter().zip(sent.get(from..).unwrap_or_default()) {
                if t.starts_with('{') {
                    let d = percent_decode(s);
                    if matches!(d.as_slice(), b"" | b"." | b"..")
                        || d.iter().any(|b| matches!(b, b'/' | b'?' | b'#'))
                    {
                        return Err(format!("check_path passes the segment {s:?} of {t}"));
                    }
                }
            }
            Ok(())
        }
        Err(wechatpay_wasm::Error::Validation(issues)) => check_issues(&issues),
        Err(e) => Err(format!("check_path fails other than by its issues: {e}")),
    }
}
