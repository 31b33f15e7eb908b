//! `Client`: the options read into the core's checks, the state one client holds, and the
//! one call path (sign, send, verify) every operation takes.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{Headers, SubtleCrypto};

use super::errors::{json_text_to_js, JsErr};
use super::options::{self, CryptoMode};
use super::transport::Transport;
use super::{crypto, fetch, header};
use crate::api;
use crate::consts::header;
use crate::error::{code, quoted};
use crate::keys::{KeyStore, MerchantKey};
use crate::notify::Apiv3Key;
use crate::verify::SignedHeaders;

pub(super) struct Inner {
    pub(super) mchid: String,
    pub(super) serial: String,
    /// The merchant key, or `None` when `signer` signs.
    pub(super) merchant: Option<MerchantKey>,
    /// The `signer` option.
    pub(super) signer: Option<Function>,
    /// `fetch`, `failover`, `backupBaseURL`.
    pub(super) transport: Transport,
    /// Given in `certs`, and downloaded ([`super::certificates`]).
    pub(super) keys: RefCell<KeyStore>,
    pub(super) certs: super::certificates::State,
    pub(super) apiv3: Option<Apiv3Key>,
    pub(super) base_url: String,
    pub(super) timeout_ms: u32,
    pub(super) user_agent: String,
    pub(super) now: Option<Function>,
    /// WebCrypto, or `None` for the Rust fallback.
    pub(super) subtle: Option<SubtleCrypto>,
    pub(super) sign_key: crypto::KeyCache,
    /// WebCrypto keys by id, in the order of `keys` (a `Vec`: a handful of keys).
    pub(super) verify_keys: RefCell<Vec<(String, Rc<crypto::KeyCache>)>>,
    pub(super) aes_key: crypto::KeyCache,
    pub(super) rust_signer: RefCell<Option<Rc<crypto::RustSigner>>>,
    pub(super) rust_verifiers: RefCell<Vec<(String, Rc<crypto::RustVerifier>)>>,
}

/// A WeChat Pay APIv3 client for one merchant.
#[wasm_bindgen]
pub struct Client {
    pub(super) inner: Rc<Inner>,
}

fn runtime_name() -> String {
    let g = js_sys::global();
    let path = |names: &[&str]| -> Option<String> {
        let mut v: JsValue = g.clone().into();
        for n in names {
            v = Reflect::get(&v, &JsValue::from_str(n)).ok()?;
            if v.is_undefined() || v.is_null() {
                return None;
            }
        }
        v.as_string()
    };
    if let Some(v) = path(&["Deno", "version", "deno"]) {
        return format!("Deno/{v}");
    }
    if let Some(v) = path(&["Bun", "version"]) {
        return format!("Bun/{v}");
    }
    if let Some(ua) = path(&["navigator", "userAgent"]) {
        if ua == "Cloudflare-Workers" {
            return "Cloudflare-Workers".into();
        }
        if let Some(v) = path(&["process", "versions", "node"]) {
            return format!("Node.js/{v}");
        }
        return ua;
    }
    if let Some(v) = path(&["process", "versions", "node"]) {
        return format!("Node.js/{v}");
    }
    "unknown-runtime".into()
}

impl Inner {
    pub(super) fn now_ms(&self) -> Result<f64, JsErr> {
        match &self.now {
            None => Ok(js_sys::Date::now()),
            Some(f) => options::clock_ms(f),
        }
    }

    pub(super) fn now_secs(&self) -> Result<i64, JsErr> {
        Ok((self.now_ms()? / 1000.0).floor() as i64)
    }

    /// `baseURL` + `path_and_query` as `fetch` will send it: parsed by the runtime's URL
    /// parser, the one `fetch` itself uses, without the fragment (never sent). The request is
    /// signed over this URL's path and query, so the signed text is the sent text even where
    /// the parser changes it: `'` in a query becomes `%27`, non-ASCII and `{` `}` are
    /// percent-encoded, `.` and `..` segments resolve.
    pub(super) fn sent_url(&self, path_and_query: &str) -> Result<web_sys::Url, JsErr> {
        let text = format!("{}{}", self.base_url, path_and_query);
        let url = web_sys::Url::new(&text).map_err(|_| {
            JsErr::config(
                code::BAD_ARGUMENT,
                format!("path: {} does not make a URL", quoted(path_and_query)),
            )
        })?;
        // Only a `#` starts a fragment: without one there is none to drop (and no setter to
        // call, which re-serialises the URL).
        if text.contains('#') {
            url.set_hash("");
        }
        Ok(url)
    }

    /// The operation `url` (from [`Self::sent_url`]) reaches, by its path below `baseURL`:
    /// the path [`Self::sent_url`] makes of the operation's.
    pub(super) fn operation_at(
        &self,
        method: &str,
        url: &web_sys::Url,
    ) -> Option<&'static api::Operation> {
        let base = self.sent_url("").ok()?.pathname();
        let pathname = url.pathname();
        let below = pathname.strip_prefix(crate::text::trim_end(&base, b'/'))?;
        api::operation_at(method, below)
    }

    /// Signs and sends `url` (from [`Self::sent_url`]); returns the verified answer or the
    /// API error.
    pub(super) async fn call(
        &self,
        method: &str,
        url: &web_sys::Url,
        body: Option<&str>,
        extra: Option<&Headers>,
    ) -> Result<fetch::Answer, JsErr> {
        let answer = self.deliver(method, url, body, extra).await?;
        let request_id = header(&answer.headers, header::REQUEST_ID);
        let rid = |e: JsErr| match &request_id {
            Some(r) => e.with("requestId", JsValue::from_str(r)),
            None => e,
        };
        if !api::is_success(answer.status) {
            let e = api::ApiError::from_answer(answer.status, &answer.body, None);
            return Err(rid(api_error(e, &answer.body)));
        }
        self.verify(&signed_headers(&answer.headers), &answer.body)
            .await
            .map_err(rid)?;
        Ok(answer)
    }
}

/// The `Wechatpay-*` headers of an answer.
pub(super) fn signed_headers(headers: &Headers) -> SignedHeaders {
    SignedHeaders {
        timestamp: header(headers, header::TIMESTAMP),
        nonce: header(headers, header::NONCE),
        signature: header(headers, header::SIGNATURE),
        serial: header(headers, header::SERIAL),
    }
}

/// A non-2xx answer as an `api` error: WeChat Pay's code, message and whole detail (read by
/// `JSON.parse` from the body, as WeChat Pay wrote it).
pub(super) fn api_error(e: api::ApiError, body: &[u8]) -> JsErr {
    let message = e.to_string();
    let mut err = JsErr::new("api", e.code, message)
        .with("status", f64::from(e.status))
        .with("apiMessage", JsValue::from_str(&e.message));
    if e.detail.is_some() {
        let detail = json_text_to_js(body)
            .and_then(|v| Reflect::get(&v, &"detail".into()).ok())
            .unwrap_or(JsValue::NULL);
        err = err.with("detail", detail);
    }
    err
}

#[wasm_bindgen]
impl Client {
    /// Checks every option at once; a bad one throws a `config` error naming it.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "ClientOptions")] options: JsValue,
    ) -> Result<Client, JsValue> {
        let o = options::parse(&options, js_sys::Date::now())?;
        let subtle = match o.crypto {
            CryptoMode::Rust => None,
            CryptoMode::Auto => crypto::subtle(),
            CryptoMode::WebCrypto => Some(crypto::subtle().ok_or_else(|| {
                JsErr::config(
                    code::BAD_OPTION,
                    "crypto: \"webcrypto\" asked for, but this runtime has no crypto.subtle",
                )
            })?),
        };
        let now = (o
            .now
            .as_ref()
            .map_or(Ok(js_sys::Date::now()), options::clock_ms)?
            / 1000.0) as i64;
        let certs = super::certificates::state(&options, o.apiv3.is_some(), now)?;
        let user_agent = o
            .user_agent
            .unwrap_or_else(|| crate::config::default_user_agent(&runtime_name()));
        Ok(Client {
            inner: Rc::new(Inner {
                merchant: o.merchant,
                signer: o.signer,
                transport: Transport {
                    fetch: o.fetch,
                    failover: o.failover,
                    backup_base_url: o.backup_base_url,
                },
                mchid: o.mchid,
                serial: o.serial,
                keys: RefCell::new(o.keys),
                certs,
                apiv3: o.apiv3,
                base_url: o.base_url,
                timeout_ms: o.timeout_ms,
                user_agent,
                now: o.now,
                subtle,
                sign_key: crypto::KeyCache::default(),
                verify_keys: RefCell::default(),
                aes_key: crypto::KeyCache::default(),
                rust_signer: RefCell::default(),
                rust_verifiers: RefCell::default(),
            }),
        })
    }

    /// Which RSA implementation this client uses: `"webcrypto"` or `"rust"`.
    #[wasm_bindgen(getter, js_name = cryptoBackend)]
    pub fn crypto_backend(&self) -> String {
        if self.inner.subtle.is_some() {
            "webcrypto"
        } else {
            "rust"
        }
        .into()
    }

    /// The User-Agent sent with every request.
    #[wasm_bindgen(getter, js_name = userAgent)]
    pub fn user_agent(&self) -> String {
        self.inner.user_agent.clone()
    }
}
