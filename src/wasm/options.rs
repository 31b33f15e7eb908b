//! Reading the `Client` options object, naming the option in every error and never echoing
//! key material; and the catching forms of the JS operations that run user code (getters,
//! Proxy traps, replaced `fetch`/`crypto.subtle` methods), used by the whole wasm layer.

use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use zeroize::Zeroizing;

use super::errors::{message_of, JsErr};
use crate::config;
pub use crate::config::CryptoMode;
use crate::error::code;
use crate::keys::{KeyStore, MerchantKey};
use crate::notify::Apiv3Key;

/// Parsed options: the core's checked [`crate::config`] values and the JS clock.
pub struct Options {
    pub mchid: String,
    pub serial: String,
    pub merchant: Option<MerchantKey>,
    pub signer: Option<Function>,
    pub keys: KeyStore,
    pub apiv3: Option<Apiv3Key>,
    pub base_url: String,
    pub timeout_ms: u32,
    pub user_agent: Option<String>,
    pub now: Option<Function>,
    pub crypto: CryptoMode,
    pub fetch: Option<Function>,
    pub failover: bool,
    pub backup_base_url: String,
}

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

pub fn js_type(v: &JsValue) -> String {
    if v.is_null() {
        "null".into()
    } else if is_array(v) {
        "an array".into()
    } else {
        v.js_typeof().as_string().unwrap_or_default()
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

/// Reads every option and checks it with [`crate::config`], in the order of its rules;
/// `now_fallback_ms` (the clock when `now` is absent) is for certificate validity.
pub fn parse(options: &JsValue, now_fallback_ms: f64) -> Result<Options, JsErr> {
    if !options.is_object() {
        return Err(JsErr::config(
            code::BAD_OPTION,
            "new Client(options): options must be an object with mchid, serial, privateKey and certs",
        ));
    }
    if let Ok(keys) = Reflect::own_keys(options) {
        for key in keys.iter().filter_map(|k| k.as_string()) {
            config::unknown_option(&key)?;
        }
    }

    let mchid = config::mchid(string(options, "mchid", code::BAD_MCHID)?.as_deref())?;
    let serial = config::serial(string(options, "serial", code::BAD_SERIAL)?.as_deref())?;
    // Secret strings are wiped when dropped (wasm-bindgen copies an ASCII string into one
    // allocation of its exact size: no other copy is left in wasm memory).
    let pem = string(options, "privateKey", code::BAD_PRIVATE_KEY)?.map(Zeroizing::new);
    let signer = get(options, "signer");
    let merchant = config::key_or_signer(
        pem.as_deref().map(String::as_str),
        signer.as_ref().map(js_type).as_deref(),
    )?;
    drop(pem);
    let signer = signer.map(|f| f.unchecked_into::<Function>());

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
    let now_secs = (now_for_certs / 1000.0).floor() as i64;
    let entries = match get(options, "certs") {
        Some(certs) if certs.is_object() && !is_array(&certs) => {
            entries_of(&certs, "certs", code::BAD_CERT)?
                .iter()
                .map(|entry| {
                    let (id, pem) = pair(entry);
                    (id, pem.as_string())
                })
                .collect()
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
        None => Vec::new(),
    };
    let key = string(options, "apiv3Key", code::BAD_APIV3_KEY)?.map(Zeroizing::new);
    let apiv3 = config::apiv3_key(key.as_deref().map(String::as_str))?;
    drop(key);
    let keys = crate::certs::starting_keys(&entries, now_secs, apiv3.is_some())?;
    let base_url = config::base_url(string(options, "baseURL", code::BAD_BASE_URL)?.as_deref())?;
    let timeout_ms =
        config::timeout_ms(get(options, "timeout").map(|v| v.as_f64().unwrap_or(f64::NAN)))?;
    let user_agent =
        config::user_agent(string(options, "userAgent", code::BAD_OPTION)?.as_deref())?;
    let crypto = config::crypto_mode(string(options, "crypto", code::BAD_OPTION)?.as_deref())?;
    let fetch = get(options, "fetch");
    config::transport(fetch.as_ref().map(js_type).as_deref())?;
    let failover = config::failover(get(options, "failover").map(|v| v.as_bool()))?;
    let backup_base_url =
        config::backup_base_url(string(options, "backupBaseURL", code::BAD_BASE_URL)?.as_deref())?;

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
        fetch: fetch.map(|f| f.unchecked_into::<Function>()),
        failover,
        backup_base_url,
        signer,
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
