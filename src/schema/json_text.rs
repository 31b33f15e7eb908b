//! Reading a request's JSON text for the rules: serde_json, with unpaired UTF-16 surrogate
//! escapes (a JavaScript string cut inside an emoji) marked instead of failing the whole text,
//! so that the issue names its field and the other issues are found too.

use crate::json::Value;

use super::{check, rule, Field};
use crate::error::Issue;

/// Every broken rule of a JSON text, all of them (empty when it passes); a text that is not
/// JSON gives one issue on the body itself (`""`, rule `json`).
pub fn check_text(fields: &[Field], json: &str) -> Vec<Issue> {
    match parse(json).or_else(|e| {
        // serde_json refuses a whole text for one unpaired surrogate escape; read it again
        // with each one marked, so that the issue names its field (and the others are found).
        mark_lone_surrogates(json)
            .and_then(|marked| parse(&marked).ok())
            .ok_or(e)
    }) {
        Ok(value) => {
            let mut issues = check(fields, &value);
            if written_twice(json, &value) {
                issues.push(Issue {
                    field: String::new(),
                    rule: rule::JSON,
                    message: "a field is written twice in one object; JSON readers disagree on which value counts: write each field once".into(),
                });
            }
            issues
        }
        Err(e) => vec![Issue {
            field: String::new(),
            rule: rule::JSON,
            message: format!("the body is not valid JSON ({e})"),
        }],
    }
}

/// Whether a field is written twice in an object of `text` (JSON that parsed as `value`):
/// the keys counted in the text (each `:` outside strings) against the fields `value` kept
/// (the last of each duplicate). serde_json keeps the last value and only that is checked,
/// while the text is what is signed and sent. The body is named, not the object: naming it
/// (pointer lookups, key decoding) cost 1.5 KB of the gzipped module.
fn written_twice(text: &str, value: &Value) -> bool {
    fn fields(v: &Value) -> usize {
        match v {
            Value::Object(m) => m.len() + m.values().map(fields).sum::<usize>(),
            Value::Array(items) => items.iter().map(fields).sum(),
            _ => 0,
        }
    }
    let mut keys = 0;
    let mut in_string = false;
    let mut escaped = false;
    for c in text.bytes() {
        match (in_string, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (_, false, b'"') => in_string = !in_string,
            (false, _, b':') => keys += 1,
            _ => {}
        }
    }
    keys > fields(value)
}

/// `from_slice`, as everywhere in the crate (one instance of serde_json's parser), in one
/// place for the two reads of [`check_text`].
#[inline(never)]
fn parse(text: &str) -> serde_json::Result<Value> {
    serde_json::from_slice(text.as_bytes())
}

/// What an unpaired surrogate escape is read as: U+10FFFF, a noncharacter of 4 UTF-8 bytes,
/// so that no acceptable body changes meaning (a literal U+10FFFF is refused either way).
pub(super) const LONE_SURROGATE: char = '\u{10FFFF}';

/// The JSON text with every `\uXXXX` escape of an unpaired UTF-16 surrogate replaced by the
/// escape of [`LONE_SURROGATE`]; `None` when there is none. Only escapes are looked at: a
/// backslash in JSON text always starts one (outside strings the text is invalid anyway).
fn mark_lone_surrogates(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    // The code unit of a `\uXXXX` escape starting at `at`.
    let unit = |at: usize| -> Option<u32> {
        let hex = text.get(at..at + 6)?.strip_prefix("\\u")?;
        hex.chars()
            .try_fold(0, |n, c| Some(n * 16 + c.to_digit(16)?))
    };
    let mut out = String::new();
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'\\' {
            at += 1;
            continue;
        }
        match unit(at) {
            Some(0xD800..=0xDBFF) if matches!(unit(at + 6), Some(0xDC00..=0xDFFF)) => at += 12,
            Some(0xD800..=0xDFFF) => {
                out.push_str(text.get(copied..at)?);
                out.push_str("\\udbff\\udfff");
                at += 6;
                copied = at;
            }
            // Any other escape: the backslash and the character it escapes.
            _ => at += 2,
        }
    }
    if copied == 0 {
        return None;
    }
    out.push_str(text.get(copied..)?);
    Some(out)
}
