//! The rules of the client's options, one function per option, each naming the option in its
//! error and never echoing key material. The wasm layer reads each option from the JS object
//! (a value of the wrong JS type is its error) and hands it here, in the order below, so the
//! first bad option is the one reported.

use crate::consts::{DEFAULT_BACKUP_BASE_URL, DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS};
use crate::error::{code, quoted, quoted_brief, Error, Result};
use crate::keys::{KeyStore, MerchantKey, VerifyKey};
use crate::notify::Apiv3Key;

/// The options of `new Client(...)`, in their JS spelling.
pub const OPTIONS: &[&str] = &[
    "mchid",
    "serial",
    "privateKey",
    "certs",
    "apiv3Key",
    "baseURL",
    "timeout",
    "userAgent",
    "now",
    "crypto",
    "signer",
    "fetch",
    "failover",
    "backupBaseURL",
    "certificateCache",
];

/// An option name that is not one of [`OPTIONS`] but a near-miss of one (`privatekey`,
/// `timeoutMs`): an error naming the option meant. Other unknown names pass (a credentials
/// file may be passed whole).
pub fn unknown_option(name: &str) -> Result<()> {
    if OPTIONS.contains(&name) {
        return Ok(());
    }
    match crate::validate::suggest(name, OPTIONS) {
        Some(known) => Err(Error::config(
            code::BAD_OPTION,
            format!("{name}: unknown option; did you mean {known}?"),
        )),
        None => Ok(()),
    }
}

fn required<'a>(
    value: Option<&'a str>,
    name: &str,
    err: &'static str,
    what: &str,
) -> Result<&'a str> {
    value.ok_or_else(|| Error::config(err, format!("{name}: is required ({what})")))
}

/// What is wrong with an mchid, without repeating it: a secret pasted into the wrong option
/// (the APIv3 key, a PEM) must not reach an error message or a log.
fn described_mchid(mchid: &str) -> &'static str {
    if mchid.is_empty() {
        "an empty string"
    } else if mchid.bytes().all(|b| b.is_ascii_digit()) {
        "more than 32 digits"
    } else {
        "a value that is not all digits (not repeated here)"
    }
}

/// `mchid`: required, 1..=32 digits.
pub fn mchid(value: Option<&str>) -> Result<String> {
    let mchid = required(value, "mchid", code::BAD_MCHID, "the merchant id, digits")?;
    if mchid.is_empty() || mchid.len() > 32 || !mchid.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::config(
            code::BAD_MCHID,
            format!(
                "mchid: must be the merchant id, a string of digits such as \"1900000001\"; got {}",
                described_mchid(mchid)
            ),
        ));
    }
    Ok(mchid.to_owned())
}

/// `serial`: required, hexadecimal (1..=64 digits, surrounding spaces ignored); upper-cased.
pub fn serial(value: Option<&str>) -> Result<String> {
    let serial = required(
        value,
        "serial",
        code::BAD_SERIAL,
        "the merchant API certificate serial number",
    )?
    .trim();
    if serial.is_empty() || serial.len() > 64 || !serial.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::config(
            code::BAD_SERIAL,
            "serial: must be the merchant API certificate serial number, hexadecimal (e.g. \"F5765756002FDD77\")",
        ));
    }
    Ok(serial.to_ascii_uppercase())
}

/// `privateKey`: required, a PEM the crate loads ([`MerchantKey::from_pem`]).
pub fn private_key(value: Option<&str>) -> Result<MerchantKey> {
    let pem = required(
        value,
        "privateKey",
        code::BAD_PRIVATE_KEY,
        "the merchant API private key PEM, or a signer function",
    )?;
    MerchantKey::from_pem(pem)
}

/// `privateKey` or `signer`, exactly one: `signer` is the JS type of the option (`None` when
/// absent), a `"function"` that signs with a key kept elsewhere (a KMS, an HSM). `Ok(None)`
/// when the signer signs; else the loaded key.
pub fn key_or_signer(pem: Option<&str>, signer: Option<&str>) -> Result<Option<MerchantKey>> {
    match (pem, signer) {
        (Some(_), Some(_)) => Err(Error::config(
            code::BAD_OPTION,
            "privateKey, signer: give one of them, not both",
        )),
        (None, Some("function")) => Ok(None),
        (None, Some(other)) => Err(Error::config(
            code::BAD_OPTION,
            format!("signer: must be a function (message: Uint8Array) => Promise<base64 signature>, not {other}"),
        )),
        (pem, None) => private_key(pem).map(Some),
    }
}

/// `fetch`: absent (the runtime's `fetch`) or a function `(input, init) => Promise<Response>`;
/// `js_type` is the option's JS type. `true` when a custom transport is given.
pub fn transport(js_type: Option<&str>) -> Result<bool> {
    match js_type {
        None => Ok(false),
        Some("function") => Ok(true),
        Some(other) => Err(Error::config(
            code::BAD_OPTION,
            format!("fetch: must be a function (input, init) => Promise<Response>, not {other}"),
        )),
    }
}

/// `failover`: `true` or `false` (default); `Some(None)`: present but not a boolean.
pub fn failover(value: Option<Option<bool>>) -> Result<bool> {
    match value {
        None => Ok(false),
        Some(Some(on)) => Ok(on),
        Some(None) => Err(Error::config(
            code::BAD_OPTION,
            "failover: must be true or false",
        )),
    }
}

/// `certs`: `(id, PEM)` entries (`None`: the value is not a string). Every entry must parse.
/// A certificate outside its validity at `now_secs` is kept while another key is usable
/// (answers signed with it are refused as `CERT_EXPIRED`): a migration's old certificate
/// expiring must not stop a restart. With no usable key, its error is the construction's;
/// with no key at all, `BAD_CERT`.
pub fn verify_keys(entries: &[(String, Option<String>)], now_secs: i64) -> Result<KeyStore> {
    let mut invalid = None;
    let mut usable = false;
    let mut keys = KeyStore::new();
    for (id, pem) in entries {
        let Some(pem) = pem else {
            return Err(Error::config(
                code::BAD_CERT,
                format!("certs[\"{id}\"]: must be a PEM string"),
            ));
        };
        let key = VerifyKey::parse_pem(id, pem)?;
        if let Err(e) = key.check_valid_at(now_secs) {
            invalid.get_or_insert(e);
        } else {
            usable = true;
        }
        keys.insert(key);
    }
    if let (Some(e), false) = (invalid, usable) {
        return Err(e);
    }
    if keys.is_empty() {
        return Err(Error::config(
            code::BAD_CERT,
            "certs: at least one WeChat Pay public key (id PUB_KEY_ID_...) or platform certificate is needed to verify answers (or pass apiv3Key: platform certificates are then downloaded)",
        ));
    }
    Ok(keys)
}

/// `apiv3Key`: optional, 32 bytes.
pub fn apiv3_key(value: Option<&str>) -> Result<Option<Apiv3Key>> {
    value.map(Apiv3Key::new).transpose()
}

/// A bad baseURL quoted when it looks like a URL or a host name (`ftp://...`,
/// `api.mch.weixin.qq.com`), else only described: a secret in the wrong option stays out.
fn described_url(url: &str) -> String {
    if crate::text::contains(url, "://")
        || (crate::text::contains(url, ".") && !url.contains(char::is_whitespace))
    {
        quoted_brief(url)
    } else {
        "a value that does not start with http:// or https:// (not repeated here)".to_owned()
    }
}

/// `baseURL`: an http(s) URL with a host, without query, fragment or spaces; default
/// [`DEFAULT_BASE_URL`]; returned without trailing slashes.
pub fn base_url(value: Option<&str>) -> Result<String> {
    url_option("baseURL", value, DEFAULT_BASE_URL)
}

/// `backupBaseURL`: the host `failover` sends to, by the rules of [`base_url`]; default
/// [`DEFAULT_BACKUP_BASE_URL`].
pub fn backup_base_url(value: Option<&str>) -> Result<String> {
    url_option("backupBaseURL", value, DEFAULT_BACKUP_BASE_URL)
}

fn url_option(name: &str, value: Option<&str>, default: &str) -> Result<String> {
    let base_url = value.unwrap_or(default);
    let lower = base_url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(r)
            if !r.is_empty()
                && !r.starts_with('/')
                && !base_url.bytes().any(|b| matches!(b, b'?' | b'#' | b' ')) =>
        {
            Ok(crate::text::trim_end(base_url, b'/').to_owned())
        }
        _ => Err(Error::config(
            code::BAD_BASE_URL,
            format!(
                "{name}: must be an http(s) URL without query, such as {default}; got {}",
                described_url(base_url)
            ),
        )),
    }
}

/// `timeout`: milliseconds, a number from 1 to 2^31 - 1 (`Some(NaN)` for a value that is not
/// a number); default [`DEFAULT_TIMEOUT_MS`].
pub fn timeout_ms(value: Option<f64>) -> Result<u32> {
    match value {
        None => Ok(DEFAULT_TIMEOUT_MS),
        Some(t) if t.is_finite() && t >= 1.0 && t <= f64::from(i32::MAX) => Ok(t as u32),
        Some(_) => Err(Error::config(
            code::BAD_TIMEOUT,
            "timeout: must be a number of milliseconds, at least 1",
        )),
    }
}

/// `userAgent`: optional, not blank, without control characters (WeChat Pay rejects requests
/// without one). [`default_user_agent`] when absent.
pub fn user_agent(value: Option<&str>) -> Result<Option<String>> {
    match value {
        Some(ua) if ua.trim().is_empty() || ua.chars().any(char::is_control) => Err(Error::config(
            code::BAD_OPTION,
            "userAgent: must be a non-empty string without control characters (WeChat Pay rejects requests without a User-Agent)",
        )),
        other => Ok(other.map(str::to_owned)),
    }
}

/// The User-Agent sent when the option is absent: the package, its version, the runtime.
pub fn default_user_agent(runtime: &str) -> String {
    format!("wechatpay-wasm/{} ({runtime})", env!("CARGO_PKG_VERSION"))
}

/// Which RSA implementation signs and verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CryptoMode {
    /// WebCrypto when the runtime has it, else the `rsa` crate.
    Auto,
    /// WebCrypto only (an error where it is missing).
    WebCrypto,
    /// The `rsa` crate only.
    Rust,
}

/// A bad `crypto` value: quoted when short (a typo such as "WebCrypto"), else only its length
/// is told: a key pasted into the wrong option must not reach the message.
fn described_mode(mode: &str) -> String {
    const SHORT: usize = 12;
    match crate::text::char_count(mode) {
        n if n <= SHORT => quoted(mode),
        n => format!("a string of {n} characters (not repeated here)"),
    }
}

/// `crypto`: `"auto"` (default), `"webcrypto"` or `"rust"`.
pub fn crypto_mode(value: Option<&str>) -> Result<CryptoMode> {
    match value {
        None | Some("auto") => Ok(CryptoMode::Auto),
        Some("webcrypto") => Ok(CryptoMode::WebCrypto),
        Some("rust") => Ok(CryptoMode::Rust),
        Some(other) => Err(Error::config(
            code::BAD_OPTION,
            format!(
                "crypto: must be \"auto\", \"webcrypto\" or \"rust\", not {}",
                described_mode(other)
            ),
        )),
    }
}
