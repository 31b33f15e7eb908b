//! Validation of the pre-entrust-sign request body, rule by rule, per
//! `shared/spec/pre-entrust-sign.md`: the functions of the Rust API, on the schema of
//! [`crate::api::PRE_ENTRUST_SIGN`] and the generic validator of [`crate::schema`]. Every
//! broken rule is reported (not only the first), each with the JSON pointer of its field.
//!
//! Only a [`ValidatedBody`] can be signed and sent by the client: it holds the exact bytes
//! that were checked, so the bytes checked, signed and sent are the same.

use crate::json::Value;

use crate::api::PRE_ENTRUST_SIGN;
use crate::error::{quoted_brief, Error, Issue, Result};
use crate::model::PreEntrustSignRequest;
use crate::schema::{self, Field};

pub use crate::schema::{rule, MAX_SAFE_INTEGER};
pub use crate::suggest::suggest;

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
    /// body that passed the rules, which mirror the model (`tests/validation_rules.rs` holds them
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

/// Checks JSON text against an object schema; on success the text itself is what gets
/// signed and sent.
pub(crate) fn checked(fields: &[Field], json: &str) -> Result<ValidatedBody> {
    let issues = schema::check_text(fields, json);
    if !issues.is_empty() {
        return Err(Error::Validation(issues));
    }
    Ok(ValidatedBody {
        json: json.to_owned(),
    })
}

/// The rules of the pre-entrust-sign body.
fn body_rules() -> &'static [Field] {
    PRE_ENTRUST_SIGN.request.unwrap_or(&[])
}

/// Checks a JSON value against every rule; `[]` when it passes.
pub fn validate(body: &serde_json::Value) -> Vec<Issue> {
    schema::check(body_rules(), &Value::from(body.clone()))
}

/// Every broken rule of a JSON text, all of them (empty when it passes); a text that is not
/// JSON gives one issue on the body itself (`""`, rule `json`).
pub fn validate_text(json: &str) -> Vec<Issue> {
    schema::check_text(body_rules(), json)
}

/// Parses and checks JSON text; on success the text itself is what gets signed and sent.
pub fn validate_json(json: &str) -> Result<ValidatedBody> {
    checked(body_rules(), json)
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

/// `https://host/path` without query or fragment; plain `http://` only to a loopback host
/// (localhost, 127.0.0.0/8, [::1]) so that local flows and the emulator work.
pub fn check_notify_url(url: &str) -> core::result::Result<(), String> {
    let (scheme, rest) = match crate::text::split_once(url, "://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => return Err("must be an absolute https:// URL".into()),
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces or control characters".into());
    }
    if crate::text::contains(url, "?") {
        return Err("must not have a query string (WeChat Pay rejects notify URLs with parameters; put them in the path)".into());
    }
    if crate::text::contains(url, "#") {
        return Err("must not have a fragment".into());
    }
    // The authority as the URL standard reads it for http(s) (special schemes): it ends at
    // the first `/` or `\` (`\` is `/` there; `?` and `#` are refused above), and its host
    // follows the last `@` in it: in `http://evil.example\@127.0.0.1/` the host is
    // evil.example. A URL whose authority starts with more slashes ("http:///h") has none
    // here, although the standard skips them: refused, not guessed.
    let authority = rest
        .bytes()
        .position(|b| b == b'/' || b == b'\\')
        .and_then(|at| rest.get(..at))
        .unwrap_or(rest);
    let host_port = crate::text::rsplit_once(authority, b'@').map_or(authority, |(_, h)| h);
    let (host, port) = if let Some(v6) = host_port.strip_prefix('[') {
        match crate::text::split_once(v6, "]") {
            Some((h, "")) => (h, None),
            Some((h, after)) => match after.strip_prefix(':') {
                Some(port) => (h, Some(port)),
                None => return Err("has something after its IPv6 host that is not a port".into()),
            },
            None => return Err("has an unclosed IPv6 host".into()),
        }
    } else {
        match crate::text::split_once(host_port, ":") {
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

/// A loopback host written as the URL standard writes it (its serialisation): `localhost`,
/// `[::1]` (without brackets here), or 127.x.y.z in plain decimal. Other spellings that a
/// parser reads as loopback (`127.1`, `0x7f.0.0.1`, `127.0.0.010`: octal, `127.0.0.%31`) are
/// not taken as loopback: what WeChat Pay's parser would make of them is not known.
fn is_loopback(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    if host == "localhost" || host == "::1" {
        return true;
    }
    let parts: Vec<&str> = crate::text::split(&host, b'.').collect();
    parts.len() == 4
        && parts[0] == "127"
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && (p.len() == 1 || !p.starts_with('0'))
                && p.bytes().all(|b| b.is_ascii_digit())
                && crate::text::integer(p).is_some_and(|n| (0..=255).contains(&n))
        })
}
