//! The wasm layer: the only code that touches `js-sys`/`web-sys`. It converts values at the
//! boundary and supplies what the core takes as arguments: the clock, the nonce, the
//! transport and WebCrypto.

pub mod crypto;
mod errors;
pub mod extra;
mod fetch;
mod options;
mod request;
mod types;

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use js_sys::{Function, JsString, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::{Headers, SubtleCrypto};

use crate::consts::{header, PRE_ENTRUST_SIGN_PATH};
use crate::error::{code, quoted, Error};
use crate::keys::{KeyStore, MerchantKey};
use crate::model;
use crate::notify::{self, Apiv3Key};
use crate::sign;
use crate::validate::{self, ValidatedBody};
use crate::verify::{self, SignedHeaders};
use errors::{json_text_to_js, message_of, JsErr};
use options::{get, js_type, CryptoMode};
use zeroize::Zeroizing;

/// Package version, sent in the User-Agent.
const VERSION: &str = env!("CARGO_PKG_VERSION");

struct Inner {
    mchid: String,
    serial: String,
    merchant: MerchantKey,
    keys: KeyStore,
    apiv3: Option<Apiv3Key>,
    base_url: String,
    timeout_ms: u32,
    user_agent: String,
    now: Option<Function>,
    /// WebCrypto, or `None` for the Rust fallback.
    subtle: Option<SubtleCrypto>,
    sign_key: crypto::KeyCache,
    /// WebCrypto keys by id, in the order of `keys` (a `Vec`: a handful of keys).
    verify_keys: Vec<(String, crypto::KeyCache)>,
    aes_key: crypto::KeyCache,
    rust_signer: RefCell<Option<Rc<crypto::RustSigner>>>,
    rust_verifiers: RefCell<Vec<(String, Rc<crypto::RustVerifier>)>>,
}

/// Signed with the private key and verified with its public half on first use: a key whose
/// numbers disagree (a damaged PEM) fails here instead of at WeChat Pay.
const KEY_CHECK_MESSAGE: &[u8] = b"wechatpay-wasm private key check";

fn inconsistent_key() -> JsErr {
    JsErr::config(
        code::BAD_PRIVATE_KEY,
        "privateKey: the key's numbers do not agree (its public half does not verify its signature); the PEM is damaged, use the apiclient_key.pem downloaded from the merchant platform",
    )
}

/// A WeChat Pay APIv3 client for one merchant.
#[wasm_bindgen]
pub struct Client {
    inner: Rc<Inner>,
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

/// Random bytes drawn from the runtime's CSPRNG (`crypto.getRandomValues` through
/// `getrandom`) a few KiB at a time: one call per 32 nonces instead of one per request (the
/// call itself costs more than the bytes in Node).
struct RandomPool {
    buf: Vec<u8>,
    at: usize,
}

const RANDOM_POOL_BYTES: usize = 1536;

thread_local! {
    static RANDOM: RefCell<RandomPool> = const { RefCell::new(RandomPool { buf: Vec::new(), at: 0 }) };
}

fn random_bytes(out: &mut [u8]) -> Result<(), JsErr> {
    // Not borrowed while `getrandom` runs: `crypto.getRandomValues` is JS, which a page or a
    // test may replace with code that calls back into the package (a second borrow would
    // panic, and a panic kills the instance).
    let used_up = RANDOM.with(|pool| {
        let pool = pool.borrow();
        pool.at + out.len() > pool.buf.len()
    });
    if used_up {
        let mut fresh = vec![0u8; RANDOM_POOL_BYTES.max(out.len())];
        getrandom::fill(&mut fresh).map_err(|e| {
            JsErr::config(
                code::BAD_OPTION,
                format!("no secure random source in this runtime ({e})"),
            )
        })?;
        RANDOM.with(|pool| *pool.borrow_mut() = RandomPool { buf: fresh, at: 0 });
    }
    // No JS runs between the refill and here: the pool holds enough.
    RANDOM.with(|pool| {
        let mut pool = pool.borrow_mut();
        let at = pool.at;
        let bytes = pool
            .buf
            .get_mut(at..at + out.len())
            .ok_or_else(|| JsErr::config(code::BAD_OPTION, "the random pool ran short"))?;
        out.copy_from_slice(bytes);
        // Used bytes are wiped as they are handed out.
        bytes.fill(0);
        pool.at += out.len();
        Ok(())
    })
}

fn random_nonce() -> Result<String, JsErr> {
    // 48 uniform bytes fall short of 32 accepted ones with a chance below 10^-12; eight
    // shortfalls in a row mean a source that is not random (a replaced
    // `crypto.getRandomValues` that gives only high bytes), and a loop would never end.
    for _ in 0..8 {
        let mut buf = [0u8; 48];
        random_bytes(&mut buf)?;
        if let Some(n) = sign::nonce_from_bytes(&buf) {
            return Ok(n);
        }
    }
    // The pool holds more of those bytes: dropped, so that the next call draws afresh.
    RANDOM.with(|pool| {
        let mut pool = pool.borrow_mut();
        pool.buf.fill(0);
        pool.at = pool.buf.len();
    });
    Err(JsErr::config(
        code::BAD_OPTION,
        "crypto.getRandomValues gives bytes that are not random: no nonce could be drawn",
    ))
}

/// The body argument as JSON text: a string is kept byte for byte, anything else goes
/// through `JSON.stringify`.
fn body_text(body: &JsValue) -> Result<String, JsErr> {
    if let Some(s) = body.as_string() {
        return Ok(s);
    }
    let text = js_sys::JSON::stringify(body).map_err(|e| {
        JsErr::from(Error::Validation(vec![crate::Issue {
            field: String::new(),
            rule: validate::rule::JSON,
            message: format!(
                "the body cannot be turned into JSON ({})",
                message_of(&e).unwrap_or_default()
            ),
        }]))
    })?;
    text.as_string().ok_or_else(|| {
        JsErr::from(Error::Validation(vec![crate::Issue {
            field: String::new(),
            rule: validate::rule::TYPE,
            message: format!("the body must be a JSON object, not {}", js_type(body)),
        }]))
    })
}

fn header(headers: &Headers, name: &str) -> Option<String> {
    headers.get(name).ok().flatten()
}

impl Inner {
    fn now_ms(&self) -> Result<f64, JsErr> {
        match &self.now {
            None => Ok(js_sys::Date::now()),
            Some(f) => options::clock_ms(f),
        }
    }

    fn now_secs(&self) -> Result<i64, JsErr> {
        Ok((self.now_ms()? / 1000.0).floor() as i64)
    }

    async fn sign(&self, message: &[u8]) -> Result<Vec<u8>, JsErr> {
        let Some(subtle) = &self.subtle else {
            return self.rust_sign(message).await;
        };
        let key = self
            .sign_key
            .get(&|| Ok(checked_private_key(subtle, &self.merchant)))
            .await
            .map_err(|e| {
                message_of(&e)
                    .filter(|m| m == KEY_INCONSISTENT)
                    .map(|_| inconsistent_key())
                    .unwrap_or_else(|| {
                        JsErr::config(
                            code::BAD_PRIVATE_KEY,
                            "privateKey: WebCrypto refused to import the key",
                        )
                    })
            })?;
        crypto::sign_with_key(subtle, &key, message)
            .await
            .map_err(|_| JsErr::config(code::BAD_PRIVATE_KEY, SIGN_FAILED))
    }

    /// The `rsa`-crate signer, loaded on first use (the fallback module, or this build's).
    async fn rust_sign(&self, message: &[u8]) -> Result<Vec<u8>, JsErr> {
        let cached = self.rust_signer.borrow().clone();
        let signer = match cached {
            Some(s) => s,
            None => {
                let s = Rc::new(
                    crypto::RustSigner::load(self.merchant.pkcs1_der())
                        .await
                        .map_err(|e| key_or_unavailable(e, inconsistent_key))?,
                );
                *self.rust_signer.borrow_mut() = Some(s.clone());
                s
            }
        };
        signer.sign(message).map_err(|_| {
            JsErr::config(
                code::BAD_PRIVATE_KEY,
                "privateKey: the rsa crate could not sign (no random numbers for blinding?)",
            )
        })
    }

    /// The `rsa`-crate verifier of key `id`, loaded on first use.
    async fn rust_verify(
        &self,
        id: &str,
        pkcs1_der: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<bool, JsErr> {
        let cached = self
            .rust_verifiers
            .borrow()
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, v)| v.clone());
        let verifier = match cached {
            Some(v) => v,
            None => {
                let v = Rc::new(crypto::RustVerifier::load(pkcs1_der).await.map_err(|e| {
                    key_or_unavailable(e, || {
                        JsErr::config(
                            code::BAD_CERT,
                            format!("certs[\"{id}\"]: the rsa crate refused the key"),
                        )
                    })
                })?);
                self.rust_verifiers
                    .borrow_mut()
                    .push((id.to_owned(), v.clone()));
                v
            }
        };
        verifier.verify(message, signature)
    }

    /// Starts the AES-256-GCM decryption with the APIv3 key on WebCrypto (importing the key
    /// on first use). `None` on the Rust fallback ([`crypto::rust_aes_gcm_decrypt`]).
    async fn start_decrypt(
        &self,
        key: &Apiv3Key,
        s: &notify::Sealed,
    ) -> Result<Option<JsFuture>, JsErr> {
        let Some(subtle) = &self.subtle else {
            return Ok(None);
        };
        let aes = self
            .aes_key
            .get(&|| crypto::import_aes(subtle, key.expose_secret()))
            .await
            .map_err(|_| {
                JsErr::config(
                    code::BAD_APIV3_KEY,
                    "apiv3Key: WebCrypto refused to import it as an AES-256 key",
                )
            })?;
        crypto::start_aes_gcm_decrypt(subtle, &aes, &s.nonce, &s.aad, &s.data)
            .map(Some)
            .map_err(|_| {
                JsErr::config(code::BAD_APIV3_KEY, "apiv3Key: WebCrypto could not decrypt")
            })
    }

    /// Checks a signed answer: headers, clock, key id, then RSA (WebCrypto or `rsa`).
    async fn verify(&self, headers: &SignedHeaders, body: &[u8]) -> Result<(), JsErr> {
        let pending =
            verify::prepare(headers, body, self.now_secs()?, &self.keys).map_err(JsErr::from)?;
        let id = pending.key.id().to_owned();
        let cache = self
            .verify_keys
            .iter()
            .find(|(k, _)| *k == id)
            .map(|(_, c)| c);
        let ok = match (&self.subtle, cache) {
            (Some(subtle), Some(cache)) => {
                let key = cache
                    .get(&|| crypto::import_rsa(subtle, pending.key.jwk(), "verify"))
                    .await
                    .map_err(|_| {
                        JsErr::config(
                            code::BAD_CERT,
                            format!("certs[\"{id}\"]: WebCrypto refused to import the key"),
                        )
                    })?;
                crypto::verify(subtle, &key, &pending.signature, &pending.message)
                    .await
                    .unwrap_or(false)
            }
            _ => {
                self.rust_verify(
                    &id,
                    pending.key.pkcs1_der(),
                    &pending.message,
                    &pending.signature,
                )
                .await?
            }
        };
        if ok {
            Ok(())
        } else {
            Err(JsErr::from(verify::mismatch(&id)))
        }
    }

    /// `authorization()` without the async machinery, once WebCrypto holds the imported key:
    /// WebCrypto's promise, with [`SIGNED`]'s callbacks attached to complete the header.
    /// `None` when the general path must run (the first calls, or the Rust backend). Through
    /// `future_to_promise` and `JsFuture`, sequential calls were 4-11% slower (A/B of the two
    /// packages in one process).
    fn authorization_now(&self, message: &str, timestamp: i64, nonce: &str) -> Option<Promise> {
        let subtle = self.subtle.as_ref()?;
        let key = self.sign_key.ready()?;
        let signing = crypto::start_sign(subtle, &key, message.as_bytes()).ok()?;
        let prefix = sign::authorization_header_prefix(&self.mchid, nonce, timestamp, &self.serial);
        SIGNED.with(|(done, failed)| {
            let done: Function = done
                .bind1(&JsValue::NULL, &JsValue::from_str(&prefix))
                .unchecked_into();
            signing
                .unchecked_ref::<Thenable>()
                .then2(&done, failed)
                .ok()
        })
    }

    /// The `Authorization` header of a checked signing message
    /// ([`sign::checked_request_message`]).
    async fn authorization(
        &self,
        message: &str,
        timestamp: i64,
        nonce: &str,
    ) -> Result<String, JsErr> {
        let signature = self.sign(message.as_bytes()).await?;
        let b64 = <base64ct::Base64 as base64ct::Encoding>::encode_string(&signature);
        Ok(sign::authorization_header(
            &self.mchid,
            nonce,
            timestamp,
            &self.serial,
            &b64,
        ))
    }

    /// `baseURL` + `path_and_query` as `fetch` will send it: parsed by the runtime's URL
    /// parser, the one `fetch` itself uses, without the fragment (never sent). The request is
    /// signed over this URL's path and query, so the signed text is the sent text even where
    /// the parser changes it: `'` in a query becomes `%27`, non-ASCII and `{` `}` are
    /// percent-encoded, `.` and `..` segments resolve.
    fn sent_url(&self, path_and_query: &str) -> Result<web_sys::Url, JsErr> {
        let text = format!("{}{}", self.base_url, path_and_query);
        let url = web_sys::Url::new(&text).map_err(|_| {
            JsErr::config(
                code::BAD_ARGUMENT,
                format!("path: {} does not make a URL", quoted(path_and_query)),
            )
        })?;
        url.set_hash("");
        Ok(url)
    }

    /// Whether `url` (from [`Self::sent_url`]) is `path` under `baseURL`: the same path as
    /// [`Self::sent_url`] makes of `path`.
    fn is_api_path(&self, url: &web_sys::Url, path: &str) -> bool {
        self.sent_url(path)
            .is_ok_and(|api| api.pathname() == url.pathname())
    }

    /// Signs and sends `url` (from [`Self::sent_url`]); returns the verified answer or the
    /// API error.
    async fn call(
        &self,
        method: &str,
        url: &web_sys::Url,
        body: Option<&str>,
        extra: Option<&Headers>,
    ) -> Result<fetch::Answer, JsErr> {
        let url = url.href();
        let nonce = random_nonce()?;
        let timestamp = self.now_secs()?;
        let message =
            sign::checked_request_message(method, &url, timestamp, &nonce, body.unwrap_or(""))
                .map_err(JsErr::from)?;
        let auth = self.authorization(&message, timestamp, &nonce).await?;
        // The caller's extra headers first: the client's own are set after and win.
        let headers = match extra {
            Some(h) => Headers::new_with_headers(h),
            None => Headers::new(),
        }
        .map_err(|_| JsErr::network("Headers is not available in this runtime"))?;
        let set = |k: &str, v: &str| {
            headers
                .set(k, v)
                .map_err(|_| JsErr::network(format!("cannot set header {k}")))
        };
        set(header::ACCEPT, header::APPLICATION_JSON)?;
        set(header::USER_AGENT, &self.user_agent)?;
        if body.is_some() {
            set(header::CONTENT_TYPE, header::APPLICATION_JSON)?;
        }
        if let Some(id) = self.keys.preferred_id() {
            set(header::SERIAL, id)?;
        }
        set(header::AUTHORIZATION, &auth)?;
        let answer = fetch::send(method, &url, &headers, body, self.timeout_ms).await?;
        let request_id = header(&answer.headers, header::REQUEST_ID);
        let rid = |e: JsErr| match &request_id {
            Some(r) => e.with("requestId", JsValue::from_str(r)),
            None => e,
        };
        if !(200..300).contains(&answer.status) {
            return Err(rid(api_error(answer.status, &answer.body)));
        }
        let signed = SignedHeaders {
            timestamp: header(&answer.headers, header::TIMESTAMP),
            nonce: header(&answer.headers, header::NONCE),
            signature: header(&answer.headers, header::SIGNATURE),
            serial: header(&answer.headers, header::SERIAL),
        };
        self.verify(&signed, &answer.body).await.map_err(rid)?;
        Ok(answer)
    }
}

#[wasm_bindgen]
extern "C" {
    /// A promise, for `then` with two plain functions.
    type Thenable;
    /// `promise.then(onFulfilled, onRejected)`.
    #[wasm_bindgen(catch, method, js_name = then)]
    fn then2(
        this: &Thenable,
        on_fulfilled: &Function,
        on_rejected: &Function,
    ) -> Result<Promise, JsValue>;
}

const SIGN_FAILED: &str = "privateKey: WebCrypto could not sign with the key";

thread_local! {
    /// The callbacks of [`Inner::authorization_now`], made once and never dropped (a promise
    /// may settle after its client is gone): `done(prefix, signature)` completes the header;
    /// `failed()` turns WebCrypto's rejection into the slow path's `BAD_PRIVATE_KEY`.
    static SIGNED: (Function, Function) = {
        // The prefix stays a JS string: concatenated there, not copied into wasm and back.
        let done = Closure::<dyn Fn(JsString, JsValue) -> JsValue>::new(|prefix: JsString, sig: JsValue| {
            let sig = Uint8Array::new(&sig).to_vec();
            let b64 = <base64ct::Base64 as base64ct::Encoding>::encode_string(&sig);
            prefix
                .concat(&JsValue::from_str(&sign::authorization_header_end(&b64)))
                .into()
        });
        let failed = Closure::<dyn Fn(JsValue) -> Result<JsValue, JsValue>>::new(|_: JsValue| {
            Err(JsErr::config(code::BAD_PRIVATE_KEY, SIGN_FAILED).into_js())
        });
        (done.into_js_value().unchecked_into(), failed.into_js_value().unchecked_into())
    };
}

/// The message of the rejection of [`checked_private_key`] when the check fails.
const KEY_INCONSISTENT: &str = "KEY_INCONSISTENT";

/// Imports the merchant key into WebCrypto, then signs a probe and verifies it with the
/// key's public half; settles with the `CryptoKey`, or rejects (`KEY_INCONSISTENT` when the
/// check fails).
fn checked_private_key(subtle: &SubtleCrypto, merchant: &MerchantKey) -> Promise {
    let subtle = subtle.clone();
    let jwk = Zeroizing::new(merchant.jwk().to_owned());
    let public = merchant.public_jwk().to_owned();
    promise_of_future(async move {
        let key: web_sys::CryptoKey = JsFuture::from(crypto::import_rsa(&subtle, &jwk, "sign")?)
            .await?
            .dyn_into()?;
        let public: web_sys::CryptoKey =
            JsFuture::from(crypto::import_rsa(&subtle, &public, "verify")?)
                .await?
                .dyn_into()?;
        let sig = crypto::sign_with_key(&subtle, &key, KEY_CHECK_MESSAGE).await?;
        if !crypto::verify(&subtle, &public, &sig, KEY_CHECK_MESSAGE).await? {
            return Err(js_sys::Error::new(KEY_INCONSISTENT).into());
        }
        Ok(key.into())
    })
}

/// A key the Rust fallback refused (`refused`), or the extra module that failed to load.
fn key_or_unavailable(e: extra::LoadError, refused: impl FnOnce() -> JsErr) -> JsErr {
    match e {
        extra::LoadError::Unavailable(e) => e,
        extra::LoadError::Refused => refused(),
    }
}

/// A non-2xx answer as an `api` error: WeChat Pay's code, message and whole detail.
fn api_error(status: u16, body: &[u8]) -> JsErr {
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let field = |k: &str| {
        parsed
            .as_ref()
            .and_then(|v| v.get(k))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let api_code = field("code").unwrap_or_else(|| format!("HTTP_{status}"));
    let api_message = field("message").unwrap_or_else(|| {
        let text = String::from_utf8_lossy(body);
        let short: String = text.chars().take(200).collect();
        if short.is_empty() {
            "(empty body)".into()
        } else {
            short
        }
    });
    let mut err = JsErr::new(
        "api",
        api_code.clone(),
        format!("WeChat Pay answered HTTP {status} {api_code}: {api_message}"),
    )
    .with("status", f64::from(status))
    .with("apiMessage", JsValue::from_str(&api_message));
    if parsed.as_ref().is_some_and(|v| v.get("detail").is_some()) {
        let detail = json_text_to_js(body)
            .and_then(|v| Reflect::get(&v, &"detail".into()).ok())
            .unwrap_or(JsValue::NULL);
        err = err.with("detail", detail);
    }
    err
}

/// `future_to_promise` of the future boxed as one type: one copy of its machinery serves
/// every export.
fn promise_of_future(f: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    let boxed: core::pin::Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>> = Box::pin(f);
    future_to_promise(boxed)
}

fn js_result(r: Result<JsValue, JsErr>) -> Result<JsValue, JsValue> {
    r.map_err(JsErr::into_js)
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
        let verify_keys = o
            .keys
            .ids()
            .into_iter()
            .map(|id| (id.to_owned(), crypto::KeyCache::default()))
            .collect();
        let user_agent = o
            .user_agent
            .unwrap_or_else(|| format!("wechatpay-wasm/{VERSION} ({})", runtime_name()));
        Ok(Client {
            inner: Rc::new(Inner {
                merchant: o.merchant,
                mchid: o.mchid,
                serial: o.serial,
                keys: o.keys,
                apiv3: o.apiv3,
                base_url: o.base_url,
                timeout_ms: o.timeout_ms,
                user_agent,
                now: o.now,
                subtle,
                sign_key: crypto::KeyCache::default(),
                verify_keys,
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

    /// `POST /v3/papay/sign/contracts/pre-entrust-sign`: validates, signs, sends, verifies.
    #[wasm_bindgen(
        js_name = preEntrustSign,
        unchecked_return_type = "Promise<PreEntrustSignResponse>"
    )]
    pub fn pre_entrust_sign(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PreEntrustSignRequest | string")] body: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        promise_of_future(async move {
            js_result(
                async {
                    let text = body_text(&body)?;
                    let validated: ValidatedBody =
                        validate::validate_json(&text).map_err(JsErr::from)?;
                    let answer = inner
                        .call(
                            "POST",
                            &inner.sent_url(PRE_ENTRUST_SIGN_PATH)?,
                            Some(validated.json()),
                            None,
                        )
                        .await?;
                    let request_id = header(&answer.headers, header::REQUEST_ID);
                    let checked = serde_json::from_slice(&answer.body)
                        .map_err(|e| e.to_string())
                        .and_then(|v| model::check_response(&v));
                    match checked {
                        Ok(()) => {
                            let text = String::from_utf8_lossy(&answer.body);
                            let res = js_sys::JSON::parse(&text)
                                .map_err(|_| bad_response(&request_id, "not JSON"))?;
                            // An optional field written as null is left out, as the
                            // typings (`redirect_url?: string`) say.
                            for name in model::RESPONSE_OPTIONAL_STRINGS {
                                let key = JsValue::from_str(name);
                                if Reflect::get(&res, &key).is_ok_and(|v| v.is_null()) {
                                    let _ = Reflect::delete_property(
                                        res.unchecked_ref::<Object>(),
                                        &key,
                                    );
                                }
                            }
                            Ok(res)
                        }
                        Err(why) => Err(bad_response(&request_id, &why)),
                    }
                }
                .await,
            )
        })
    }

    /// The `Authorization` header for a request; `timestamp` and `nonce` are generated when
    /// omitted. `body` is the exact text that will be sent (`""` or omitted for GET).
    #[wasm_bindgen(unchecked_return_type = "Promise<string>")]
    pub fn authorization(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] method: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] url: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | object | null | void")] body: JsValue,
        #[wasm_bindgen(unchecked_param_type = "AuthorizationOptions | void")] opts: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        let args = (|| -> Result<_, JsErr> {
            let method = options::arg_string(&method, "method")?;
            let url = options::arg_string(&url, "url")?;
            let body = if body.is_undefined() || body.is_null() {
                String::new()
            } else {
                body_text(&body)?
            };
            let timestamp = match get(&opts, "timestamp") {
                None => inner.now_secs()?,
                // A string must be digits (no float parsing: core's costs 5 KB).
                Some(v) => v
                    .as_f64()
                    // Past 2^53 - 1 a number is no longer exact (1e20 was signed as i64::MAX).
                    .filter(|t| (0.0..=9_007_199_254_740_991.0).contains(t) && t.fract() == 0.0)
                    .map(|t| t as i64)
                    .or_else(|| {
                        v.as_string()
                            .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                            .and_then(|s| s.parse::<i64>().ok())
                    })
                    .ok_or_else(|| {
                        JsErr::config(
                            code::BAD_ARGUMENT,
                            "timestamp: must be Unix seconds, a whole number (at most 2^53 - 1 as a number)",
                        )
                    })?,
            };
            let nonce = match get(&opts, "nonce") {
                None => random_nonce()?,
                Some(v) => v
                    .as_string()
                    .ok_or_else(|| JsErr::config(code::BAD_ARGUMENT, "nonce: must be a string"))?,
            };
            let message = sign::checked_request_message(&method, &url, timestamp, &nonce, &body)
                .map_err(JsErr::from)?;
            Ok((message, timestamp, nonce))
        })();
        let (message, timestamp, nonce) = match args {
            Ok(args) => args,
            Err(e) => return Promise::reject(&e.into_js()),
        };
        if let Some(p) = inner.authorization_now(&message, timestamp, &nonce) {
            return p;
        }
        promise_of_future(async move {
            js_result(
                inner
                    .authorization(&message, timestamp, &nonce)
                    .await
                    .map(|h| JsValue::from_str(&h)),
            )
        })
    }

    /// Verifies and decrypts a notification: `{ headers, body }` with the raw body received.
    /// A body over [`crate::consts::MAX_NOTIFICATION_BYTES`] (64 KiB) is refused before it is
    /// copied in; the signature is checked before the body is parsed, decoded or decrypted.
    #[wasm_bindgen(
        js_name = parseNotification,
        unchecked_return_type = "Promise<EntrustEvent>"
    )]
    pub fn parse_notification(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NotificationInput")] input: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        promise_of_future(async move {
            js_result(async {
                let Some(apiv3) = inner.apiv3.as_ref() else {
                    return Err(JsErr::config(code::BAD_APIV3_KEY, "apiv3Key: is required to decrypt notifications; pass it to new Client()"));
                };
                let headers = get(&input, "headers").filter(JsValue::is_object).ok_or_else(|| {
                    JsErr::config(code::BAD_ARGUMENT, "parseNotification({ headers, body }): headers is required, a Headers object or a plain object")
                })?;
                let body = get(&input, "body").ok_or_else(|| {
                    JsErr::config(code::BAD_ARGUMENT, "parseNotification({ headers, body }): body (the raw body received) is required")
                })?;
                let body = raw_bytes(&body)?;
                let signed = SignedHeaders {
                    timestamp: any_header(&headers, header::TIMESTAMP),
                    nonce: any_header(&headers, header::NONCE),
                    signature: any_header(&headers, header::SIGNATURE),
                    serial: any_header(&headers, header::SERIAL),
                };
                // The sender chose it: an error carries a prefix ([`crate::error::brief`]).
                let serial = signed.serial.as_deref().map(|s| crate::error::brief(s).to_owned());
                // The signature over the raw body first: nothing of the body is parsed,
                // decoded or decrypted before it verifies.
                inner.verify(&signed, &body).await?;
                let with_serial = |e: JsErr| match &serial {
                    Some(s) => e.with("serial", JsValue::from_str(s)),
                    None => e,
                };
                let envelope = notify::Envelope::parse(&body).map_err(|e| with_serial(e.into()))?;
                let s = &envelope.sealed;
                let plain = match inner.start_decrypt(apiv3, s).await? {
                    Some(started) => crypto::finish_aes_gcm_decrypt(started).await,
                    None => {
                        crypto::rust_aes_gcm_decrypt(apiv3.expose_secret(), &s.nonce, &s.aad, &s.data)
                            .await?
                    }
                }
                .ok_or_else(|| with_serial(notify::decrypt_failed().into()))?;
                let envelope = envelope.open(&plain).map_err(|e| with_serial(e.into()))?;
                notify::check_entrust(&envelope).map_err(JsErr::from)?;
                // Both texts parsed in Rust above; JS reads them again, in their own key order.
                let event = json_text_to_js(&body);
                let resource = json_text_to_js(&plain);
                match (event, resource) {
                    (Some(event), Some(resource))
                        if Reflect::set(&event, &"resource".into(), &resource).unwrap_or(false) =>
                    {
                        Ok(event)
                    }
                    _ => Err(with_serial(
                        notify::bad_notification("the notification is not UTF-8 JSON").into(),
                    )),
                }
            }.await)
        })
    }
}

fn bad_response(request_id: &Option<String>, why: &str) -> JsErr {
    let e = JsErr::new(
        "api",
        code::BAD_RESPONSE,
        format!("WeChat Pay's answer verified but is not the expected JSON ({why})"),
    );
    match request_id {
        Some(r) => e.with("requestId", JsValue::from_str(r)),
        None => e,
    }
}

// `new Uint8Array(...)` with `catch`: given a Proxy that passes `instanceof`, it runs the
// Proxy's traps, which may throw (see `options::entries`).
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = Uint8Array)]
    type BytesOf;
    #[wasm_bindgen(catch, constructor, js_class = "Uint8Array")]
    fn new(source: &JsValue) -> Result<BytesOf, JsValue>;
    #[wasm_bindgen(catch, constructor, js_class = "Uint8Array")]
    fn new_range(buffer: &JsValue, offset: f64, length: f64) -> Result<BytesOf, JsValue>;
}

/// The raw body as bytes: a string (UTF-8), a `Uint8Array`/`Buffer`, or an `ArrayBuffer`.
/// Its size is checked ([`notify::check_body_len`]) before it is copied into wasm memory:
/// a string by its UTF-16 length (its UTF-8 has at least as many bytes), then by its UTF-8.
fn raw_bytes(body: &JsValue) -> Result<Vec<u8>, JsErr> {
    if let Some(s) = body.dyn_ref::<JsString>() {
        body_len_ok(s.length() as usize)?;
        let bytes = String::from(s).into_bytes();
        body_len_ok(bytes.len())?;
        return Ok(bytes);
    }
    let unreadable = |e: JsValue| {
        JsErr::config(
            code::BAD_ARGUMENT,
            format!(
                "body: the bytes cannot be read ({})",
                message_of(&e).unwrap_or_default()
            ),
        )
    };
    let bytes = if body.is_instance_of::<Uint8Array>()
        || body.is_instance_of::<js_sys::ArrayBuffer>()
    {
        BytesOf::new(body).map_err(unreadable)?
    } else if js_sys::ArrayBuffer::is_view(body) {
        let field = |name: &str| get(body, name).unwrap_or(JsValue::UNDEFINED);
        let number = |name: &str| field(name).as_f64().unwrap_or(f64::NAN);
        BytesOf::new_range(&field("buffer"), number("byteOffset"), number("byteLength"))
            .map_err(unreadable)?
    } else {
        return Err(JsErr::config(
            code::BAD_ARGUMENT,
            format!("body: must be the raw body received, as a string or bytes, not {} (never re-serialised JSON)", js_type(body)),
        ));
    };
    // A Uint8Array made by the constructor above: reading its length and copying it run no
    // user code.
    let bytes = bytes.unchecked_into::<Uint8Array>();
    body_len_ok(bytes.length() as usize)?;
    Ok(bytes.to_vec())
}

/// [`notify::check_body_len`], converted once (not at each call site).
#[inline(never)]
fn body_len_ok(len: usize) -> Result<(), JsErr> {
    notify::check_body_len(len).map_err(JsErr::from)
}

/// A header from a `Headers` object or a plain object, in any letter case.
fn any_header(headers: &JsValue, name: &str) -> Option<String> {
    if let Some(h) = headers.dyn_ref::<Headers>() {
        return header(h, name);
    }
    let get_fn = Reflect::get(headers, &"get".into()).ok()?;
    if let Some(f) = get_fn.dyn_ref::<Function>() {
        return f.call1(headers, &JsValue::from_str(name)).ok()?.as_string();
    }
    let lower = name.to_ascii_lowercase();
    options::entries(headers).ok()?.iter().find_map(|entry| {
        let (key, v) = options::pair(entry);
        if key.to_ascii_lowercase() != lower {
            return None;
        }
        v.as_string().or_else(|| {
            // Node gives arrays for repeated headers; take the first.
            options::is_array(&v)
                .then(|| options::first_element(&v)?.as_string())
                .flatten()
        })
    })
}

/// Checks a request body; `[]` when it passes, else every broken rule
/// (`{ field, rule, message }`).
#[wasm_bindgen(
    js_name = validatePreEntrustSign,
    unchecked_return_type = "ValidationIssue[]"
)]
pub fn validate_pre_entrust_sign(
    #[wasm_bindgen(unchecked_param_type = "unknown")] body: JsValue,
) -> JsValue {
    let issues = match body_text(&body) {
        Err(e) => return js_sys::Array::of1(&issue_of(e)).into(),
        Ok(text) => validate::validate_text(&text),
    };
    errors::issues_to_js(&issues).into()
}

fn issue_of(e: JsErr) -> JsValue {
    let js = e.into_js();
    let issues = Reflect::get(&js, &"issues".into()).unwrap_or(JsValue::UNDEFINED);
    options::first_element(&issues).unwrap_or(JsValue::UNDEFINED)
}

/// What a notification handler answers: `{ status: 204 }` on success, else a 4xx/5xx with
/// `{"code":"FAIL","message":...}` as WeChat Pay expects (it then retries): 401 for a
/// `signature` error, 500 for any other, with a fixed message (the error's own message, which
/// may quote what the sender sent, is not echoed back).
#[wasm_bindgen(js_name = notificationReply, unchecked_return_type = "NotificationReply")]
pub fn notification_reply(
    #[wasm_bindgen(unchecked_param_type = "unknown")] error: JsValue,
) -> JsValue {
    let out = Object::new();
    // Only whether it failed, and how: the error's message is not sent back.
    let why = (!error.is_undefined() && !error.is_null()).then(|| {
        let kind = Reflect::get(&error, &"kind".into())
            .ok()
            .and_then(|k| k.as_string());
        if kind.as_deref() == Some("signature") {
            notify::Rejection::Unverified
        } else {
            notify::Rejection::Failed
        }
    });
    let (status, body) = notify::reply(why);
    let _ = Reflect::set(&out, &"status".into(), &f64::from(status).into());
    let hdrs = Object::new();
    if !body.is_empty() {
        let _ = Reflect::set(
            &hdrs,
            &"Content-Type".into(),
            &header::APPLICATION_JSON.into(),
        );
    }
    let _ = Reflect::set(&out, &"headers".into(), &hdrs);
    let _ = Reflect::set(&out, &"body".into(), &JsValue::from_str(&body));
    out.into()
}

/// An SVG QR code of `text` (for the QR scene's `redirect_url`), at least `size` pixels wide
/// (default 240). Asynchronous: the renderer lives in the extra module, loaded on first use.
#[wasm_bindgen(js_name = qrCodeSvg, unchecked_return_type = "Promise<string>")]
pub fn qr_code_svg(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number | void")] size: JsValue,
) -> Promise {
    promise_of_future(async move {
        let text = options::arg_string(&text, "text")?;
        let size = match size.as_f64() {
            None if size.is_undefined() || size.is_null() => 240,
            Some(s) if s.is_finite() && (1.0..=4096.0).contains(&s) => s as u32,
            _ => {
                return Err(JsErr::config(
                    code::BAD_ARGUMENT,
                    "size: must be a number of pixels from 1 to 4096",
                )
                .into())
            }
        };
        extra::qr_svg(&text, size)
            .await
            .map(JsValue::from)
            .map_err(JsErr::into_js)
    })
}
