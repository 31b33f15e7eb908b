//! Validation of the pre-entrust-sign request body, rule by rule, per
//! `shared/spec/pre-entrust-sign.md`. Every broken rule is reported (not only the first),
//! each with the JSON pointer of its field.
//!
//! Only a [`ValidatedBody`] can be signed and sent by the client: it holds the exact bytes
//! that were checked, so the bytes checked, signed and sent are the same.

use serde_json::{Map, Value};

use crate::error::{joined, quoted, quoted_brief, Error, Issue, Result};
use crate::model::{PreEntrustSignRequest, DAYS_SINCE_FIRST_LOGIN, DEVICE_TYPES, SIGN_SCENES};

/// Rule names, as reported in [`Issue::rule`].
pub mod rule {
    /// A required field is absent.
    pub const REQUIRED: &str = "required";
    /// Wrong JSON type.
    pub const TYPE: &str = "type";
    /// Not one of the allowed values.
    pub const ENUM: &str = "enum";
    /// Too short or too long (characters).
    pub const LENGTH: &str = "length";
    /// Characters outside the allowed set.
    pub const CHARSET: &str = "charset";
    /// Not an acceptable URL.
    pub const URL: &str = "url";
    /// `null` is not allowed by APIv3.
    pub const NULL: &str = "null";
    /// A character of 4 UTF-8 bytes (emoji...).
    pub const UTF8MB4: &str = "utf8mb4";
    /// Not Unicode text: an unpaired UTF-16 surrogate (a JavaScript string cut inside an
    /// emoji), which `JSON.stringify` writes as an escape such as `\ud83d`.
    pub const UTF8: &str = "utf8";
    /// A field the endpoint does not know.
    pub const UNKNOWN: &str = "unknown";
    /// A number out of range.
    pub const RANGE: &str = "range";
    /// The body is not JSON at all, or JSON that readers read differently (a field written
    /// twice in one object).
    pub const JSON: &str = "json";
}

#[derive(Clone, Copy)]
enum Kind {
    /// String of `min..=max` characters (`max == 0`: no upper bound).
    Str {
        min: usize,
        max: usize,
    },
    /// 1..=32 ASCII letters and digits.
    ContractCode,
    /// `https://` (or http to loopback) without query, <= 256 chars.
    NotifyUrl,
    Enum(&'static [&'static str]),
    PositiveInt,
    Bool,
    Object(&'static [Field]),
}

#[derive(Clone, Copy)]
struct Field {
    name: &'static str,
    required: bool,
    kind: Kind,
}

const fn req(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        required: true,
        kind,
    }
}

const fn opt(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        required: false,
        kind,
    }
}

const ANY_STR: Kind = Kind::Str { min: 0, max: 0 };

const DEVICE_INFO: &[Field] = &[
    req("device_type", Kind::Enum(DEVICE_TYPES)),
    req("device_os", ANY_STR),
    req("device_id", ANY_STR),
    req("device_running_as_root", Kind::Bool),
    req("device_ip", ANY_STR),
    req("weixin_installed", Kind::Bool),
    req("weixin_version", ANY_STR),
    req("days_since_first_login", Kind::Enum(DAYS_SINCE_FIRST_LOGIN)),
];

const BODY: &[Field] = &[
    req("sign_scene", Kind::Enum(SIGN_SCENES)),
    req("appid", Kind::Str { min: 1, max: 32 }),
    opt("openid", Kind::Str { min: 1, max: 128 }),
    req("plan_id", Kind::PositiveInt),
    req("out_contract_code", Kind::ContractCode),
    req("contract_display_account", Kind::Str { min: 1, max: 32 }),
    req("contract_notify_url", Kind::NotifyUrl),
    req("out_user_code", Kind::Str { min: 1, max: 64 }),
    opt("return_url", Kind::Str { min: 0, max: 256 }),
    req("device_info", Kind::Object(DEVICE_INFO)),
];

/// Longest accepted `contract_notify_url`, characters.
pub const NOTIFY_URL_MAX_CHARS: usize = 256;

/// A request body that passed every rule, with the exact JSON text that was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedBody {
    json: String,
}

impl ValidatedBody {
    /// The JSON text to sign and send, byte for byte.
    pub fn json(&self) -> &str {
        &self.json
    }

    /// The typed request, read from [`json`](Self::json) on demand. It cannot fail for a
    /// body that passed the rules, which mirror the model (`tests/validation.rs` holds them
    /// to it); the typed reading is not done eagerly because the wasm layer never uses it,
    /// and serde's derived reading of the model cost 5 KB of the gzipped module.
    pub fn request(&self) -> Result<PreEntrustSignRequest> {
        serde_json::from_slice(self.json.as_bytes()).map_err(|e| {
            Error::Validation(vec![Issue {
                field: String::new(),
                rule: rule::TYPE,
                message: format!("the body does not match the request model ({e})"),
            }])
        })
    }
}

/// Checks a JSON value against every rule; `[]` when it passes.
pub fn validate(body: &Value) -> Vec<Issue> {
    let mut issues = Vec::new();
    match body {
        Value::Object(map) => check_object(map, BODY, "", &mut issues),
        other => issues.push(Issue {
            field: String::new(),
            rule: rule::TYPE,
            message: format!("the body must be a JSON object, not {}", type_name(other)),
        }),
    }
    issues
}

/// Every broken rule of a JSON text, all of them (empty when it passes); a text that is not
/// JSON gives one issue on the body itself (`""`, rule `json`).
pub fn validate_text(json: &str) -> Vec<Issue> {
    match parse(json).or_else(|e| {
        // serde_json refuses a whole text for one unpaired surrogate escape; read it again
        // with each one marked, so that the issue names its field (and the others are found).
        mark_lone_surrogates(json)
            .and_then(|marked| parse(&marked).ok())
            .ok_or(e)
    }) {
        Ok(value) => {
            let mut issues = validate(&value);
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
/// (the last of each duplicate).
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
/// place for the two reads of [`validate_text`].
#[inline(never)]
fn parse(text: &str) -> serde_json::Result<Value> {
    serde_json::from_slice(text.as_bytes())
}

/// Parses and checks JSON text; on success the text itself is what gets signed and sent.
pub fn validate_json(json: &str) -> Result<ValidatedBody> {
    let issues = validate_text(json);
    if !issues.is_empty() {
        return Err(Error::Validation(issues));
    }
    Ok(ValidatedBody {
        json: json.to_owned(),
    })
}

/// What an unpaired surrogate escape is read as: U+10FFFF, a noncharacter of 4 UTF-8 bytes,
/// so that no acceptable body changes meaning (a literal U+10FFFF is refused either way).
const LONE_SURROGATE: char = '\u{10FFFF}';

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

/// Checks a typed request (serialised compactly, which is then the text sent).
pub fn validate_request(request: &PreEntrustSignRequest) -> Result<ValidatedBody> {
    let json = serde_json::to_string(request).map_err(|e| {
        Error::Validation(vec![Issue {
            field: String::new(),
            rule: rule::JSON,
            message: format!("the request cannot be serialised ({e})"),
        }])
    })?;
    validate_json(&json)
}

fn check_object(map: &Map<String, Value>, fields: &[Field], at: &str, issues: &mut Vec<Issue>) {
    for key in map.keys() {
        if !fields.iter().any(|f| f.name == key) {
            let path = pointer(at, key);
            let hint = did_you_mean(key, fields)
                .map(|s| format!(": did you mean \"{s}\"?"))
                .unwrap_or_else(|| {
                    format!(
                        "; the known fields here are {}",
                        joined(fields.iter().map(|f| f.name), ", ")
                    )
                });
            issues.push(Issue {
                field: path,
                rule: rule::UNKNOWN,
                message: format!("{} is not a field of this request{hint}", quoted_brief(key)),
            });
        }
    }
    for field in fields {
        let path = pointer(at, field.name);
        match map.get(field.name) {
            None if field.required => issues.push(Issue {
                message: format!("{} is required", field.name),
                field: path,
                rule: rule::REQUIRED,
            }),
            None => {}
            Some(Value::Null) => issues.push(Issue {
                message: format!(
                    "{} is null; APIv3 does not accept null: {}",
                    field.name,
                    if field.required {
                        "give it a value"
                    } else {
                        "omit the field instead"
                    }
                ),
                field: path,
                rule: rule::NULL,
            }),
            Some(value) => check_value(field, value, &path, issues),
        }
    }
}

fn check_value(field: &Field, value: &Value, path: &str, issues: &mut Vec<Issue>) {
    let name = field.name;
    let mut push = |rule: &'static str, message: String| {
        issues.push(Issue {
            field: path.to_owned(),
            rule,
            message,
        })
    };
    match field.kind {
        Kind::Object(sub) => match value {
            Value::Object(map) => check_object(map, sub, path, issues),
            other => push(
                rule::TYPE,
                format!("{name} must be an object, not {}", type_name(other)),
            ),
        },
        Kind::Bool => {
            if !value.is_boolean() {
                push(
                    rule::TYPE,
                    format!(
                        "{name} must be a boolean (true or false), not {}",
                        type_name(value)
                    ),
                );
            }
        }
        Kind::PositiveInt => match value {
            Value::Number(n) => match n.as_u64() {
                Some(v) if v > MAX_SAFE_INTEGER => push(
                    rule::RANGE,
                    format!("{name} must be at most {MAX_SAFE_INTEGER} (JavaScript's Number.MAX_SAFE_INTEGER): a larger number may not arrive as written"),
                ),
                Some(v) if v > 0 => {}
                Some(_) => push(
                    rule::RANGE,
                    format!("{name} must be a positive integer, not 0"),
                ),
                None => match n.as_i64() {
                    Some(negative) => push(
                        rule::RANGE,
                        format!("{name} must be a positive integer, not {negative}"),
                    ),
                    // Not `{n}`: a float's formatting would be linked for this one message
                    // (and `1e2` reads as the float 100.0 here, which is not what was sent).
                    None => push(
                        rule::TYPE,
                        format!(
                            "{name} must be an integer written in digits only (such as 12535), without a fraction or exponent"
                        ),
                    ),
                },
            },
            other => push(
                rule::TYPE,
                format!(
                    "{name} must be a positive integer (a JSON number), not {}",
                    type_name(other)
                ),
            ),
        },
        Kind::Str { .. } | Kind::ContractCode | Kind::NotifyUrl | Kind::Enum(_) => {
            let Value::String(s) = value else {
                push(
                    rule::TYPE,
                    format!("{name} must be a string, not {}", type_name(value)),
                );
                return;
            };
            if s.contains(LONE_SURROGATE) {
                push(
                    rule::UTF8,
                    format!("{name} is not whole Unicode text: it has an unpaired UTF-16 surrogate (a JavaScript string cut inside an emoji?); remove or repair that character"),
                );
            } else if s.chars().any(|c| c.len_utf8() > 3) {
                push(
                    rule::UTF8MB4,
                    format!("{name} contains a character of 4 UTF-8 bytes (such as an emoji); APIv3 accepts characters of at most 3 bytes"),
                );
            }
            let chars = s.chars().count();
            match field.kind {
                Kind::Str { min, max } => {
                    if chars < min || (max > 0 && chars > max) {
                        push(rule::LENGTH, length_message(name, chars, min, max));
                    }
                }
                Kind::ContractCode => {
                    if !(1..=32).contains(&chars) {
                        push(rule::LENGTH, length_message(name, chars, 1, 32));
                    }
                    if let Some(bad) = s.chars().find(|c| !c.is_ascii_alphanumeric()) {
                        push(
                            rule::CHARSET,
                            format!(
                                "{name} may contain only ASCII letters and digits; found {}",
                                quoted(bad.encode_utf8(&mut [0; 4]))
                            ),
                        );
                    }
                }
                Kind::NotifyUrl => {
                    if chars > NOTIFY_URL_MAX_CHARS {
                        push(
                            rule::LENGTH,
                            length_message(name, chars, 1, NOTIFY_URL_MAX_CHARS),
                        );
                    }
                    if let Err(why) = check_notify_url(s) {
                        push(rule::URL, format!("{name} {why}"));
                    }
                }
                Kind::Enum(allowed) => {
                    if !allowed.contains(&s.as_str()) {
                        let hint = allowed
                            .iter()
                            .find(|a| a.eq_ignore_ascii_case(s) || distance_within(a, s, 2).is_some())
                            .map(|a| {
                                format!(
                                    " (did you mean {a}? the vendor's spelling is used verbatim)"
                                )
                            })
                            .unwrap_or_default();
                        push(
                            rule::ENUM,
                            format!(
                                "{name} must be one of {}; got {}{hint}",
                                joined(allowed.iter().copied(), ", "),
                                quoted_brief(s)
                            ),
                        );
                    }
                }
                Kind::Object(_) | Kind::Bool | Kind::PositiveInt => {}
            }
        }
    }
}

fn length_message(name: &str, chars: usize, min: usize, max: usize) -> String {
    if max == 0 {
        format!("{name} must be at least {min} characters; it has {chars}")
    } else if min == 0 {
        format!("{name} must be at most {max} characters; it has {chars}")
    } else {
        format!("{name} must be {min} to {max} characters; it has {chars}")
    }
}

/// The largest integer a JavaScript number holds exactly (2^53 - 1): `plan_id` above it may
/// already have been rounded by the caller's `JSON.stringify`.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// `https://host/path` without query or fragment; plain `http://` only to a loopback host
/// (localhost, 127.0.0.0/8, [::1]) so that local flows and the emulator work.
pub fn check_notify_url(url: &str) -> core::result::Result<(), String> {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => return Err("must be an absolute https:// URL".into()),
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces or control characters".into());
    }
    if url.contains('?') {
        return Err("must not have a query string (WeChat Pay rejects notify URLs with parameters; put them in the path)".into());
    }
    if url.contains('#') {
        return Err("must not have a fragment".into());
    }
    let authority = rest.split('/').next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if let Some(v6) = host_port.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, "")) => (h, None),
            Some((h, after)) => match after.strip_prefix(':') {
                Some(port) => (h, Some(port)),
                None => return Err("has something after its IPv6 host that is not a port".into()),
            },
            None => return Err("has an unclosed IPv6 host".into()),
        }
    } else {
        match host_port.split_once(':') {
            Some((h, port)) => (h, Some(port)),
            None => (host_port, None),
        }
    };
    if host.is_empty() {
        return Err("has no host".into());
    }
    // An empty port ("host:/") means the default one, as in URL parsers.
    if let Some(port) = port.filter(|p| !p.is_empty()) {
        let number = port.chars().try_fold(0u32, |n, c| {
            Some(n * 10 + c.to_digit(10)?).filter(|n| *n <= 65535)
        });
        if number.is_none() {
            return Err("has an invalid port (digits, at most 65535)".into());
        }
    }
    match scheme.as_str() {
        "https" => Ok(()),
        "http" if is_loopback(host) => Ok(()),
        "http" => Err("must use https:// (plain http is accepted only for a loopback host: localhost, 127.0.0.0/8, [::1])".into()),
        _ => Err(format!("must use https://, not {}", quoted_brief(&scheme))),
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" {
        return true;
    }
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4
        && parts[0] == "127"
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u8>().is_ok())
}

fn pointer(at: &str, key: &str) -> String {
    // RFC 6901 escaping.
    format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"))
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The name among `names` that `key` most likely misspells: the same once case, `_` and `-`
/// are set aside; a name followed by a unit or a qualifier (`timeoutMs` for `timeout`); or
/// at most max(2, len/5) edits away (names of 5 characters or more: two edits turn `log`
/// into `now`). Work is bounded by the names' lengths, however long `key` is.
pub fn suggest<'a>(key: &str, names: &[&'a str]) -> Option<&'a str> {
    let key = normalise(key);
    let mut best: Option<(usize, &'a str)> = None;
    for name in names {
        let n = normalise(name);
        let distance = if n == key {
            0
        } else if n.len() < 5 {
            continue;
        } else if key.starts_with(&n) && key.len() <= n.len() + 7 {
            1
        } else {
            match distance_within(&n, &key, 2.max(n.len() / 5)) {
                Some(d) => d,
                None => continue,
            }
        };
        if best.is_none_or(|(b, _)| distance < b) {
            best = Some((distance, name));
        }
    }
    best.map(|(_, name)| name)
}

/// The edit distance of `a` and `b` when it is at most `max`. `b` may be any length: past a
/// length that no `max` edits can reach, it is refused without the quadratic distance.
fn distance_within(a: &str, b: &str, max: usize) -> Option<usize> {
    if b.len() > a.len() + max {
        return None;
    }
    Some(edit_distance(a, b)).filter(|d| *d <= max)
}

fn did_you_mean(key: &str, fields: &[Field]) -> Option<&'static str> {
    let names: Vec<&'static str> = fields.iter().map(|f| f.name).collect();
    suggest(key, &names)
}

/// Levenshtein distance over bytes (names are ASCII; a non-ASCII character then counts as
/// more than one edit, which only makes a suggestion less likely), one row at a time.
fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut diagonal = i;
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let up = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(up + 1)
                .min(row[j] + 1);
            diagonal = up;
        }
    }
    row[b.len()]
}
