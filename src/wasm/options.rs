//! Reading the `Client` options object, naming the option in every error and never echoing
//! key material; and the catching forms of the JS operations that run user code (getters,
//! Proxy traps, replaced `fetch`/`crypto.subtle` methods), used by the whole wasm layer.

use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use zeroize::Zeroizing;

use super::errors::{message_of, JsErr};
use crate::consts::{DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS};
use crate::error::{code, quoted, quoted_brief};
use crate::keys::{KeyStore, MerchantKey, VerifyKey};
use crate::notify::Apiv3Key;

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

/// Parsed options.
pub struct Options {
    pub mchid: String,
    pub serial: String,
    pub merchant: MerchantKey,
    pub keys: KeyStore,
    pub apiv3: Option<Apiv3Key>,
    pub base_url: String,
    pub timeout_ms: u32,
    pub user_agent: Option<String>,
    pub now: Option<Function>,
    pub crypto: CryptoMode,
}

const KNOWN: &[&str] = &[
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
];

// Operations on values the user passed that can run the user's code (getters, Proxy traps,
// iterators) and so throw. js-sys declares them without `catch`: a JS exception thrown
// through wasm frames skips Rust's clean-up, and inside a future it stops the executor, after
// which every promise of the instance hangs. Declared here with `catch`.
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `Object.entries(obj)`; `Err` with what the user's code threw. Read each entry with
    /// [`pair`], or use [`entries_of`].
    #[wasm_bindgen(catch, js_namespace = Object, js_name = entries)]
    pub fn entries(obj: &JsValue) -> Result<js_sys::Array, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn array_is_array(v: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Promise, js_name = resolve)]
    fn promise_resolve(value: &JsValue) -> Result<js_sys::Promise, JsValue>;
}

/// A promise of what a replaceable function (`fetch`, a `crypto.subtle` method: tests mock
/// them) returned: a mock may return a plain value, not a promise, and awaiting that
/// directly would throw through wasm (`then` is not a function). A promise passes as is.
pub fn promise_of(value: Result<impl Into<JsValue>, JsValue>) -> Result<js_sys::Promise, JsValue> {
    promise_resolve(&value?.into())
}

/// [`entries`] of the object the user passed as `name`; a `code` error when reading it throws.
pub fn entries_of(obj: &JsValue, name: &str, code: &'static str) -> Result<js_sys::Array, JsErr> {
    entries(obj).map_err(|e| {
        JsErr::config(
            code,
            format!(
                "{name}: reading the object threw ({})",
                message_of(&e).unwrap_or_default()
            ),
        )
    })
}

/// The (key, value) of one entry of [`entries`]: a fresh array made by `Object.entries`, so
/// reading it runs no user code.
pub fn pair(entry: JsValue) -> (String, JsValue) {
    let pair: js_sys::Array = entry.unchecked_into();
    (pair.get(0).as_string().unwrap_or_default(), pair.get(1))
}

/// `Array.isArray(v)`; false where it throws (a revoked Proxy).
pub fn is_array(v: &JsValue) -> bool {
    array_is_array(v).unwrap_or(false)
}

/// `v[0]`; `None` where reading it throws.
pub fn first_element(v: &JsValue) -> Option<JsValue> {
    Reflect::get_u32(v, 0).ok()
}

/// `obj[name]`, `None` when absent or undefined.
pub fn get(obj: &JsValue, name: &str) -> Option<JsValue> {
    // Reflect.get throws on a primitive (undefined options): a JS exception per call costs
    // more than the rest of an authorization() together.
    if !obj.is_object() && !obj.is_function() {
        return None;
    }
    Reflect::get(obj, &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined())
}

fn string(obj: &JsValue, name: &str, err: &'static str) -> Result<Option<String>, JsErr> {
    match get(obj, name) {
        None => Ok(None),
        Some(v) => v.as_string().map(Some).ok_or_else(|| {
            JsErr::config(
                err,
                format!("{name}: must be a string, not {}", js_type(&v)),
            )
        }),
    }
}

fn required(obj: &JsValue, name: &str, err: &'static str, what: &str) -> Result<String, JsErr> {
    string(obj, name, err)?
        .ok_or_else(|| JsErr::config(err, format!("{name}: is required ({what})")))
}

pub fn js_type(v: &JsValue) -> String {
    if v.is_null() {
        "null".into()
    } else if is_array(v) {
        "an array".into()
    } else {
        v.js_typeof().as_string().unwrap_or_default()
    }
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

/// A bad baseURL quoted when it looks like a URL or a host name (`ftp://...`,
/// `api.mch.weixin.qq.com`), else only described: a secret in the wrong option stays out.
fn described_url(url: &str) -> String {
    if url.contains("://") || (url.contains('.') && !url.contains(char::is_whitespace)) {
        quoted_brief(url)
    } else {
        "a value that does not start with http:// or https:// (not repeated here)".to_owned()
    }
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

/// The time the `now` option gives, in ms since the epoch: a finite number, or `BAD_OPTION`.
pub fn clock_ms(now: &Function) -> Result<f64, JsErr> {
    now.call0(&JsValue::UNDEFINED)
        .ok()
        .and_then(|v| v.as_f64())
        .filter(|v| v.is_finite())
        .ok_or_else(|| {
            JsErr::config(
                code::BAD_OPTION,
                "now: must return milliseconds since the epoch (a finite number)",
            )
        })
}

/// Parses and checks every option; `now_secs` is for certificate validity.
pub fn parse(options: &JsValue, now_fallback_ms: f64) -> Result<Options, JsErr> {
    if !options.is_object() {
        return Err(JsErr::config(
            code::BAD_OPTION,
            "new Client(options): options must be an object with mchid, serial, privateKey and certs",
        ));
    }
    if let Ok(keys) = Reflect::own_keys(options) {
        for key in keys.iter().filter_map(|k| k.as_string()) {
            if KNOWN.contains(&key.as_str()) {
                continue;
            }
            if let Some(known) = crate::validate::suggest(&key, KNOWN) {
                return Err(JsErr::config(
                    code::BAD_OPTION,
                    format!("{key}: unknown option; did you mean {known}?"),
                ));
            }
        }
    }

    let mchid = required(options, "mchid", code::BAD_MCHID, "the merchant id, digits")?;
    if mchid.is_empty() || mchid.len() > 32 || !mchid.bytes().all(|b| b.is_ascii_digit()) {
        return Err(JsErr::config(
            code::BAD_MCHID,
            format!(
                "mchid: must be the merchant id, a string of digits such as \"1900000001\"; got {}",
                described_mchid(&mchid)
            ),
        ));
    }
    let serial = required(
        options,
        "serial",
        code::BAD_SERIAL,
        "the merchant API certificate serial number",
    )?;
    let serial = serial.trim().to_owned();
    if serial.is_empty() || serial.len() > 64 || !serial.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(JsErr::config(
            code::BAD_SERIAL,
            "serial: must be the merchant API certificate serial number, hexadecimal (e.g. \"F5765756002FDD77\")",
        ));
    }
    let serial = serial.to_ascii_uppercase();
    // Secret strings are wiped when dropped (wasm-bindgen copies an ASCII string into one
    // allocation of its exact size: no other copy is left in wasm memory).
    let pem = Zeroizing::new(required(
        options,
        "privateKey",
        code::BAD_PRIVATE_KEY,
        "the merchant API private key PEM",
    )?);
    let merchant = MerchantKey::from_pem(&pem).map_err(JsErr::from)?;

    let now_ms = match get(options, "now") {
        None => None,
        Some(f) => Some(f.dyn_into::<Function>().map_err(|v| {
            JsErr::config(
                code::BAD_OPTION,
                format!(
                    "now: must be a function returning milliseconds since the epoch, not {}",
                    js_type(&v)
                ),
            )
        })?),
    };
    // Called once here, so that a clock that throws or returns no number fails at
    // construction, like every other bad option, and not on the first call.
    let now_for_certs = match &now_ms {
        Some(f) => clock_ms(f)?,
        None => now_fallback_ms,
    };

    // A certificate outside its validity is kept while another key is usable (answers
    // signed with it are refused as CERT_EXPIRED): a migration's old certificate expiring
    // must not stop a restart. With no usable key, its error is the construction's.
    let now_secs = (now_for_certs / 1000.0).floor() as i64;
    let mut invalid = None;
    let mut usable = false;
    let mut keys = KeyStore::new();
    match get(options, "certs") {
        Some(certs) if certs.is_object() && !is_array(&certs) => {
            for entry in entries_of(&certs, "certs", code::BAD_CERT)?.iter() {
                let (id, pem) = pair(entry);
                let Some(pem) = pem.as_string() else {
                    return Err(JsErr::config(
                        code::BAD_CERT,
                        format!("certs[\"{id}\"]: must be a PEM string"),
                    ));
                };
                let key = VerifyKey::parse_pem(&id, &pem).map_err(JsErr::from)?;
                if let Err(e) = key.check_valid_at(now_secs) {
                    invalid.get_or_insert(e);
                } else {
                    usable = true;
                }
                keys.insert(key);
            }
        }
        Some(v) => {
            return Err(JsErr::config(
                code::BAD_CERT,
                format!(
                    "certs: must be an object {{ id: PEM }}, not {}",
                    js_type(&v)
                ),
            ))
        }
        None => {}
    }
    if let (Some(e), false) = (invalid, usable) {
        return Err(e.into());
    }
    if keys.is_empty() {
        return Err(JsErr::config(
            code::BAD_CERT,
            "certs: at least one WeChat Pay public key (id PUB_KEY_ID_...) or platform certificate is needed to verify answers",
        ));
    }

    let apiv3 = string(options, "apiv3Key", code::BAD_APIV3_KEY)?
        .map(|k| Apiv3Key::new(&Zeroizing::new(k)))
        .transpose()
        .map_err(JsErr::from)?;

    let base_url = string(options, "baseURL", code::BAD_BASE_URL)?
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
    let lower = base_url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(r) if !r.is_empty() && !r.starts_with('/') && !base_url.contains(['?', '#', ' ']) => {}
        _ => {
            return Err(JsErr::config(
                code::BAD_BASE_URL,
                format!(
                "baseURL: must be an http(s) URL without query, such as {DEFAULT_BASE_URL}; got {}",
                described_url(&base_url)
            ),
            ))
        }
    }
    let base_url = base_url.trim_end_matches('/').to_owned();

    let timeout_ms = match get(options, "timeout") {
        None => DEFAULT_TIMEOUT_MS,
        Some(v) => match v.as_f64() {
            Some(t) if t.is_finite() && t >= 1.0 && t <= f64::from(i32::MAX) => t as u32,
            _ => {
                return Err(JsErr::config(
                    code::BAD_TIMEOUT,
                    "timeout: must be a number of milliseconds, at least 1",
                ))
            }
        },
    };

    let user_agent = string(options, "userAgent", code::BAD_OPTION)?;
    if let Some(ua) = &user_agent {
        if ua.trim().is_empty() || ua.chars().any(char::is_control) {
            return Err(JsErr::config(
                code::BAD_OPTION,
                "userAgent: must be a non-empty string without control characters (WeChat Pay rejects requests without a User-Agent)",
            ));
        }
    }

    let crypto = match string(options, "crypto", code::BAD_OPTION)?.as_deref() {
        None | Some("auto") => CryptoMode::Auto,
        Some("webcrypto") => CryptoMode::WebCrypto,
        Some("rust") => CryptoMode::Rust,
        Some(other) => {
            return Err(JsErr::config(
                code::BAD_OPTION,
                format!(
                    "crypto: must be \"auto\", \"webcrypto\" or \"rust\", not {}",
                    described_mode(other)
                ),
            ))
        }
    };

    Ok(Options {
        mchid,
        serial,
        merchant,
        keys,
        apiv3,
        base_url,
        timeout_ms,
        user_agent,
        now: now_ms,
        crypto,
    })
}

/// A string argument of a method, or a `BAD_ARGUMENT` error naming it (instead of the
/// TypeError wasm-bindgen's glue would throw for a non-string).
pub fn arg_string(value: &JsValue, name: &str) -> Result<String, JsErr> {
    value.as_string().ok_or_else(|| {
        JsErr::config(
            code::BAD_ARGUMENT,
            format!("{name}: must be a string, not {}", js_type(value)),
        )
    })
}
