//! Errors: one flat type, comparable in tests, never carrying key material.

use core::fmt;

/// What went wrong, broadly: the `kind` property of the JS `WechatPayError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request body breaks a rule of the endpoint; nothing was sent.
    Validation,
    /// A client option is wrong.
    Config,
    /// WeChat Pay answered with an error (non-2xx), or an unusable 2xx body.
    Api,
    /// A response or notification failed verification (headers, clock, key id, signature, decryption).
    Signature,
    /// The request timed out.
    Timeout,
    /// The request could not be sent or its answer not read.
    Network,
}

impl ErrorKind {
    /// The JS spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Validation => "validation",
            ErrorKind::Config => "config",
            ErrorKind::Api => "api",
            ErrorKind::Signature => "signature",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Network => "network",
        }
    }
}

/// Stable error codes of ours (for `api` errors the code is WeChat Pay's own).
pub mod code {
    /// A validation failure (see `issues`).
    pub const INVALID_FIELD: &str = "INVALID_FIELD";
    /// The merchant private key does not parse or is not a usable RSA key.
    pub const BAD_PRIVATE_KEY: &str = "BAD_PRIVATE_KEY";
    /// `mchid` is not a string of digits.
    pub const BAD_MCHID: &str = "BAD_MCHID";
    /// `serial` is empty or not hex.
    pub const BAD_SERIAL: &str = "BAD_SERIAL";
    /// `baseURL` is not an http(s) URL.
    pub const BAD_BASE_URL: &str = "BAD_BASE_URL";
    /// `timeout` is not a positive number.
    pub const BAD_TIMEOUT: &str = "BAD_TIMEOUT";
    /// An entry of `certs` does not parse.
    pub const BAD_CERT: &str = "BAD_CERT";
    /// A platform certificate has expired (or is not yet valid).
    pub const CERT_EXPIRED: &str = "CERT_EXPIRED";
    /// A platform certificate's serial differs from the id it is configured under.
    pub const CERT_SERIAL_MISMATCH: &str = "CERT_SERIAL_MISMATCH";
    /// `apiv3Key` is missing or not 32 bytes.
    pub const BAD_APIV3_KEY: &str = "BAD_APIV3_KEY";
    /// Any other option problem (wrong type, unknown option).
    pub const BAD_OPTION: &str = "BAD_OPTION";
    /// The `signer` option threw, rejected, or returned something that is not a signature.
    pub const SIGNER_FAILED: &str = "SIGNER_FAILED";
    /// Bad arguments to a helper such as `authorization()`.
    pub const BAD_ARGUMENT: &str = "BAD_ARGUMENT";
    /// The extra module (rsa/aes-gcm fallback, QR codes) could not be loaded in this runtime.
    pub const EXTRA_UNAVAILABLE: &str = "EXTRA_UNAVAILABLE";
    /// A `Wechatpay-*` header is missing.
    pub const MISSING_HEADER: &str = "MISSING_HEADER";
    /// `Wechatpay-Timestamp` is too far from local time.
    pub const TIMESTAMP_SKEW: &str = "TIMESTAMP_SKEW";
    /// `Wechatpay-Serial` names a key the client does not know.
    pub const UNKNOWN_SERIAL: &str = "UNKNOWN_SERIAL";
    /// The signature does not verify.
    pub const BAD_SIGNATURE: &str = "BAD_SIGNATURE";
    /// AES-GCM tag mismatch: wrong APIv3 key or altered body.
    pub const DECRYPT_FAILED: &str = "DECRYPT_FAILED";
    /// A notification envelope is malformed.
    pub const BAD_NOTIFICATION: &str = "BAD_NOTIFICATION";
    /// A verified 2xx body is not the JSON the endpoint promises.
    pub const BAD_RESPONSE: &str = "BAD_RESPONSE";
    /// The request timed out.
    pub const TIMEOUT: &str = "TIMEOUT";
    /// The merchant has only a WeChat Pay public key: no platform certificate to download.
    pub const PUBLIC_KEY_MERCHANT: &str = "PUBLIC_KEY_MERCHANT";
    /// A downloaded (or cached) platform certificate list is refused.
    pub const BAD_CERT_LIST: &str = "BAD_CERT_LIST";
    /// Network failure.
    pub const NETWORK_ERROR: &str = "NETWORK_ERROR";
}

/// Every code of ours, defined once: `(code, the kinds it is thrown with, what it means)`.
/// The TypeScript unions (`js/index.d.ts`), the README's error table and every place that
/// throws a code are held to it by `tests/error_codes.rs`. `api` errors also carry WeChat
/// Pay's own codes (`PARAM_ERROR`...) and `HTTP_<status>`, which are not ours.
pub const CODES: &[(&str, &[ErrorKind], &str)] = {
    use ErrorKind::{Api, Config, Network, Signature, Timeout, Validation};
    &[
        (code::INVALID_FIELD, &[Validation], "the body breaks rules of the endpoint (see issues); nothing was sent"),
        (code::BAD_PRIVATE_KEY, &[Config], "the merchant private key does not load or cannot sign"),
        (code::BAD_MCHID, &[Config], "mchid is not the merchant id, digits"),
        (code::BAD_SERIAL, &[Config], "serial is not the hexadecimal certificate serial"),
        (code::BAD_BASE_URL, &[Config], "baseURL is not an http(s) URL without query"),
        (code::BAD_TIMEOUT, &[Config], "timeout is not a number of milliseconds, at least 1"),
        (code::BAD_CERT, &[Config], "an entry of certs does not load, or certs has none"),
        (code::CERT_EXPIRED, &[Config, Signature], "a platform certificate outside its validity: at construction when no other key is usable (config), or the key of an answer (signature)"),
        (code::CERT_SERIAL_MISMATCH, &[Config], "a platform certificate's serial differs from its id in certs"),
        (code::BAD_APIV3_KEY, &[Config], "apiv3Key is missing where needed, or not 32 bytes"),
        (code::BAD_OPTION, &[Config], "any other option problem (wrong type, near-miss of a name, no random source)"),
        (code::SIGNER_FAILED, &[Config], "the signer option threw, rejected, or resolved with something that is not a base64 RSA-2048 signature; nothing was sent"),
        (code::BAD_ARGUMENT, &[Config], "a bad argument to a method or helper"),
        (code::EXTRA_UNAVAILABLE, &[Config], "the extra module (rsa/aes-gcm fallback, QR codes) cannot be loaded here"),
        (code::MISSING_HEADER, &[Signature], "a Wechatpay-* header is missing"),
        (code::TIMESTAMP_SKEW, &[Signature], "Wechatpay-Timestamp is more than 300 s from local time"),
        (code::UNKNOWN_SERIAL, &[Signature], "Wechatpay-Serial names a key the client does not hold"),
        (code::BAD_SIGNATURE, &[Signature], "the signature does not verify"),
        (code::DECRYPT_FAILED, &[Signature], "AES-GCM tag mismatch: wrong APIv3 key or altered body"),
        (code::BAD_NOTIFICATION, &[Signature], "a notification envelope or resource is malformed"),
        (code::BAD_RESPONSE, &[Api], "a verified 2xx answer is not the JSON the operation promises"),
        (code::PUBLIC_KEY_MERCHANT, &[Config], "the answer is signed with a WeChat Pay public key (PUB_KEY_ID_...) not in certs, or WeChat Pay lists no platform certificate for this merchant: pass the public key in certs under its id"),
        (code::BAD_CERT_LIST, &[Signature], "a downloaded or cached platform certificate list is refused (a certificate does not decrypt, its serial differs from serial_no, or the answer does not verify with a listed certificate; or refreshCertificates() within a minute of a failed download)"),
        (code::TIMEOUT, &[Timeout], "no complete answer within the timeout"),
        (code::NETWORK_ERROR, &[Network], "the request could not be sent or its answer not read"),
    ]
};

/// The kinds [`CODES`] gives `code` (empty for a code that is not ours).
pub fn kinds_of(code: &str) -> &'static [ErrorKind] {
    CODES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map_or(&[], |(_, kinds, _)| kinds)
}

/// One broken rule of a request body.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Issue {
    /// JSON pointer of the field (`/device_info/device_type`; `""` is the body itself).
    pub field: String,
    /// The rule: `required`, `type`, `enum`, `length`, `charset`, `url`, `null`, `utf8mb4`, `utf8`, `unknown`, `range`, `json`.
    pub rule: &'static str,
    /// What is wrong and what to do, in plain words.
    pub message: String,
}

/// Every failure of the core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The body breaks rules of the endpoint (all of them listed).
    Validation(Vec<Issue>),
    /// A configuration problem; `code` is one of [`code`].
    Config {
        /// Stable code.
        code: &'static str,
        /// Plain message naming the option; never key material.
        message: String,
    },
    /// A verification problem; `code` is one of [`code`].
    Signature {
        /// Stable code.
        code: &'static str,
        /// Plain message.
        message: String,
        /// The key id involved, when there is one.
        serial: Option<String>,
    },
    /// A verified 2xx answer that cannot be used.
    Api {
        /// Stable code.
        code: &'static str,
        /// Plain message.
        message: String,
    },
}

impl Error {
    pub(crate) fn config(code: &'static str, message: impl Into<String>) -> Self {
        debug_assert!(kinds_of(code).contains(&ErrorKind::Config), "{code}");
        Error::Config {
            code,
            message: message.into(),
        }
    }

    pub(crate) fn signature(code: &'static str, message: impl Into<String>) -> Self {
        debug_assert!(kinds_of(code).contains(&ErrorKind::Signature), "{code}");
        Error::Signature {
            code,
            message: message.into(),
            serial: None,
        }
    }

    /// The broad kind.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Validation(_) => ErrorKind::Validation,
            Error::Config { .. } => ErrorKind::Config,
            Error::Signature { .. } => ErrorKind::Signature,
            Error::Api { .. } => ErrorKind::Api,
        }
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Validation(_) => code::INVALID_FIELD,
            Error::Config { code, .. }
            | Error::Signature { code, .. }
            | Error::Api { code, .. } => code,
        }
    }

    /// Validation issues (empty for other kinds).
    pub fn issues(&self) -> &[Issue] {
        match self {
            Error::Validation(issues) => issues,
            _ => &[],
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Validation(issues) => {
                write!(
                    f,
                    "the request body breaks {} rule{} of the endpoint; nothing was sent:",
                    issues.len(),
                    if issues.len() == 1 { "" } else { "s" }
                )?;
                for issue in issues {
                    let field = if issue.field.is_empty() {
                        "(body)"
                    } else {
                        &issue.field
                    };
                    write!(f, "\n  {field}: {}", issue.message)?;
                }
                Ok(())
            }
            Error::Config { message, .. }
            | Error::Signature { message, .. }
            | Error::Api { message, .. } => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

/// Result alias.
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// `s` as a JSON string literal, for quoting a value in a message: quotes and control
/// characters escaped, as `{:?}` would, without the Unicode tables that `{:?}` links into
/// the wasm module (5 KB gzipped).
pub fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// Longest value, in characters, that [`quoted_brief`] quotes whole.
pub const BRIEF_CHARS: usize = 64;

/// [`quoted`], cut to its first [`BRIEF_CHARS`] characters when longer (and marked so): a
/// message stays readable (and small) whatever size of value it reports.
pub fn quoted_brief(s: &str) -> String {
    let head = brief(s);
    if head.len() == s.len() {
        quoted(s)
    } else {
        format!("{}... (cut)", quoted(head))
    }
}

/// The first [`BRIEF_CHARS`] characters of `s` (all of it when shorter): what an error may
/// carry of a value someone else chose, such as a header of an answer or a notification.
pub fn brief(s: &str) -> &str {
    match s.char_indices().nth(BRIEF_CHARS) {
        None => s,
        Some((cut, _)) => s.get(..cut).unwrap_or(s),
    }
}

/// `items` joined by `sep`: what `[&str]::join` does, without its generic copy loop (1 KB of
/// the wasm module for the few messages that list names).
pub fn joined<'a>(items: impl IntoIterator<Item = &'a str>, sep: &str) -> String {
    let mut out = String::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(item);
    }
    out
}
