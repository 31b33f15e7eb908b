//! The rules of the client's options, one function per option, each naming the option in its
//! error and never echoing key material. The wasm layer reads each option from the JS object
//! (a value of the wrong JS type is its error) and hands it here, in the order below, so the
//! first bad option is the one reported.

use crate::consts::{DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS};
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
        "the merchant API private key PEM",
    )?;
    MerchantKey::from_pem(pem)
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
    if url.contains("://") || (url.contains('.') && !url.contains(char::is_whitespace)) {
        quoted_brief(url)
    } else {
        "a value that does not start with http:// or https:// (not repeated here)".to_owned()
    }
}

/// `baseURL`: an http(s) URL with a host, without query, fragment or spaces; default
/// [`DEFAULT_BASE_URL`]; returned without trailing slashes.
pub fn base_url(value: Option<&str>) -> Result<String> {
    let base_url = value.unwrap_or(DEFAULT_BASE_URL);
    let lower = base_url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(r) if !r.is_empty() && !r.starts_with('/') && !base_url.contains(['?', '#', ' ']) => {
            Ok(base_url.trim_end_matches('/').to_owned())
        }
        _ => Err(Error::config(
            code::BAD_BASE_URL,
            format!(
                "baseURL: must be an http(s) URL without query, such as {DEFAULT_BASE_URL}; got {}",
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
    match mode.chars().count() {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of<T>(r: Result<T>) -> &'static str {
        match r {
            Ok(_) => "ok",
            Err(e) => e.code(),
        }
    }

    #[test]
    fn each_option_rule_names_its_option_and_code() {
        assert_eq!(
            mchid(Some("1900000001")).ok().as_deref(),
            Some("1900000001")
        );
        for bad in ["", "19000a", &"1".repeat(33)] {
            let e = mchid(Some(bad)).unwrap_err();
            assert_eq!(e.code(), code::BAD_MCHID);
            assert!(e.to_string().starts_with("mchid: must be"), "{e}");
        }
        assert!(mchid(None).unwrap_err().to_string().contains("is required"));
        // A secret pasted into mchid is not repeated.
        let secret = "0123456789abcdefghijklmnopqrstuv";
        assert!(!mchid(Some(secret))
            .unwrap_err()
            .to_string()
            .contains(secret));

        assert_eq!(
            serial(Some(" f5765756002fdd77 ")).ok().as_deref(),
            Some("F5765756002FDD77")
        );
        assert_eq!(code_of(serial(Some("xyz"))), code::BAD_SERIAL);
        assert_eq!(code_of(serial(Some(&"A".repeat(65)))), code::BAD_SERIAL);
        assert_eq!(code_of(private_key(None)), code::BAD_PRIVATE_KEY);
        assert_eq!(code_of(apiv3_key(Some("short"))), code::BAD_APIV3_KEY);
        assert!(matches!(apiv3_key(None), Ok(None)));

        assert_eq!(base_url(None).ok().as_deref(), Some(DEFAULT_BASE_URL));
        assert_eq!(
            base_url(Some("http://127.0.0.1:8080//")).ok().as_deref(),
            Some("http://127.0.0.1:8080")
        );
        for bad in [
            "ftp://x",
            "https://",
            "https:///p",
            "https://h/?q",
            "https://h/#f",
            "not a url",
        ] {
            assert_eq!(code_of(base_url(Some(bad))), code::BAD_BASE_URL, "{bad}");
        }
        // Something that does not look like a URL is described, not quoted.
        let e = base_url(Some("secretvalue")).unwrap_err().to_string();
        assert!(!e.contains("secretvalue"), "{e}");

        assert_eq!(timeout_ms(None).ok(), Some(DEFAULT_TIMEOUT_MS));
        assert_eq!(timeout_ms(Some(1.0)).ok(), Some(1));
        for bad in [0.0, -5.0, f64::NAN, f64::INFINITY, 3e9] {
            assert_eq!(code_of(timeout_ms(Some(bad))), code::BAD_TIMEOUT, "{bad}");
        }
        assert!(matches!(user_agent(Some("shop/1.0")), Ok(Some(_))));
        for bad in ["", "  ", "a\nb"] {
            assert_eq!(code_of(user_agent(Some(bad))), code::BAD_OPTION);
        }
        assert!(default_user_agent("Node.js/22").starts_with("wechatpay-wasm/"));
        assert_eq!(crypto_mode(None).ok(), Some(CryptoMode::Auto));
        assert_eq!(crypto_mode(Some("rust")).ok(), Some(CryptoMode::Rust));
        assert_eq!(code_of(crypto_mode(Some("openssl"))), code::BAD_OPTION);
    }

    #[test]
    fn near_misses_of_option_names_are_refused_and_others_pass() {
        assert!(unknown_option("privateKey").is_ok());
        assert!(unknown_option("notify_url").is_ok());
        let e = unknown_option("privatekey").unwrap_err();
        assert_eq!(
            e.to_string(),
            "privatekey: unknown option; did you mean privateKey?"
        );
        assert_eq!(code_of(unknown_option("timeoutMs")), code::BAD_OPTION);
    }

    #[test]
    fn certs_need_one_usable_key() {
        assert_eq!(code_of(verify_keys(&[], 0)), code::BAD_CERT);
        let not_string = [("PUB_KEY_ID_1".to_owned(), None)];
        let e = verify_keys(&not_string, 0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "certs[\"PUB_KEY_ID_1\"]: must be a PEM string"
        );
        let garbage = [("PUB_KEY_ID_1".to_owned(), Some("not a pem".to_owned()))];
        assert_eq!(code_of(verify_keys(&garbage, 0)), code::BAD_CERT);
    }
}
