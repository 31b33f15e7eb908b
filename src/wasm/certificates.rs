//! Platform certificates on demand: runs what [`crate::certs`] decides (one download shared
//! by concurrent callers, the `certificateCache`, the decryption and the answer's check),
//! and `client.refreshCertificates()`.

use std::cell::RefCell;

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::client::{api_error, signed_headers, Client, Inner};
use super::errors::JsErr;
use super::options::{get, js_type, promise_of};
use super::{crypto, js_result, promise_of_future};
use crate::certs::{self, Listed, Step};
use crate::error::code;
use crate::keys::KeyStore;
use crate::notify::{Apiv3Key, Sealed};

/// A client's download state: the core's [`certs::Rotation`], the promise of the download in
/// flight (what concurrent callers wait for) and the user's cache.
pub(super) struct State {
    rotation: RefCell<certs::Rotation>,
    in_flight: RefCell<Option<Promise>>,
    cache: Option<(JsValue, Function, Function)>,
}

/// Reads `certificateCache` (`{ get, set }`, both functions) and starts the state.
pub(super) fn state(options: &JsValue, apiv3: bool, now: i64) -> Result<State, JsErr> {
    let cache = match get(options, "certificateCache") {
        None => None,
        Some(c) => {
            let f = |name| get(&c, name).and_then(|f| f.dyn_into::<Function>().ok());
            let (Some(g), Some(s)) = (f("get"), f("set")) else {
                return Err(JsErr::config(
                    code::BAD_OPTION,
                    format!("certificateCache: must be an object with get(key) and set(key, value, ttlSeconds) functions, not {}", js_type(&c)),
                ));
            };
            Some((c, g, s))
        }
    };
    Ok(State {
        rotation: RefCell::new(certs::Rotation::new(apiv3, now)),
        in_flight: RefCell::default(),
        cache,
    })
}

/// Calls a cache method; what it throws or rejects with is `None` (the cache is a help,
/// never a reason to fail).
async fn cache_call(f: &Function, this: &JsValue, args: &Array) -> Option<JsValue> {
    let p = promise_of(f.apply(this, args)).ok()?;
    JsFuture::from(p).await.ok()
}

impl Inner {
    /// Before an answer signed with `serial` is verified: downloads certificates when the
    /// core says so, or waits for the download in flight.
    pub(super) async fn ensure_certificates(&self, serial: Option<&str>) -> Result<(), JsErr> {
        let now = self.now_secs()?;
        let step = self
            .certs
            .rotation
            .borrow()
            .step(serial, &self.keys.borrow(), now)?;
        match step {
            Step::Ready => Ok(()),
            Step::Wait => {
                self.wait_in_flight().await;
                Ok(())
            }
            // A refresh that fails leaves the held key to serve.
            Step::Download { needed } => match self.download(serial, true).await {
                Err(e) if needed && certs::download_fails_call(e.code(), &self.keys.borrow()) => {
                    Err(e)
                }
                _ => Ok(()),
            },
        }
    }

    async fn wait_in_flight(&self) {
        let p = self.certs.in_flight.borrow().clone();
        if let Some(p) = p {
            let _ = JsFuture::from(p).await;
        }
    }

    /// One download at a time: concurrent callers wait for its promise.
    async fn download(&self, needed: Option<&str>, use_cache: bool) -> Result<(), JsErr> {
        let mut resolve: Option<Function> = None;
        let promise = Promise::new(&mut |res, _| resolve = Some(res));
        *self.certs.in_flight.borrow_mut() = Some(promise);
        self.certs.rotation.borrow_mut().started();
        let result = self.load(needed, use_cache).await;
        let now = self.now_secs().unwrap_or_default();
        let at = *result.as_ref().unwrap_or(&now);
        self.certs
            .rotation
            .borrow_mut()
            .finished(result.is_ok(), at);
        *self.certs.in_flight.borrow_mut() = None;
        if let Some(r) = resolve {
            let _ = r.call0(&JsValue::UNDEFINED);
        }
        result.map(|_| ())
    }

    /// The cache when it serves, else `GET /v3/certificates`; installs what it got and
    /// returns when it was downloaded.
    async fn load(&self, needed: Option<&str>, use_cache: bool) -> Result<i64, JsErr> {
        let apiv3 = self.apiv3.as_ref().ok_or_else(|| {
            JsErr::config(
                code::BAD_APIV3_KEY,
                "apiv3Key: is required to download platform certificates",
            )
        })?;
        let now = self.now_secs()?;
        let key = JsValue::from_str(&certs::cache_key(&self.mchid));
        if let (Some((this, g, _)), true) = (&self.certs.cache, use_cache) {
            let text = cache_call(g, this, &Array::of1(&key))
                .await
                .and_then(|v| v.as_string());
            if let Some(Ok((saved_at, listed))) = text.map(|t| certs::from_cache(&t, now)) {
                if let Ok(store) = self.open(apiv3, &listed, now).await {
                    let rotation = self.certs.rotation.borrow();
                    if rotation.takes_cached(saved_at, &store, needed) {
                        drop(rotation);
                        certs::install(&mut self.keys.borrow_mut(), store, now);
                        return Ok(saved_at);
                    }
                }
            }
        }
        let url = self.sent_url(certs::PATH)?;
        let answer = self.deliver("GET", &url, None, None).await?;
        if answer.status != 404 && !crate::api::is_success(answer.status) {
            let e = crate::api::ApiError::from_answer(answer.status, &answer.body, None);
            return Err(api_error(e, &answer.body));
        }
        let listed = certs::parse_answer(answer.status, &answer.body)?;
        let store = self.open(apiv3, &listed, now).await?;
        // Section 5: the answer is signed by one of the certificates it lists.
        self.verify_with(&signed_headers(&answer.headers), &answer.body, Some(&store))
            .await?;
        certs::install(&mut self.keys.borrow_mut(), store, now);
        if let (Some((this, _, s)), Some(value)) =
            (&self.certs.cache, certs::cache_value(&answer.body, now))
        {
            let args = Array::of3(&key, &value.into(), &certs::CACHE_TTL_SECS.into());
            cache_call(s, this, &args).await;
        }
        Ok(now)
    }

    /// Decrypts each listed certificate and has the core accept them.
    async fn open(&self, apiv3: &Apiv3Key, listed: &[Listed], now: i64) -> Result<KeyStore, JsErr> {
        let mut plain = Vec::with_capacity(listed.len());
        for entry in listed {
            plain.push(self.decrypt(apiv3, &entry.sealed).await?);
        }
        Ok(certs::accept(listed, &plain, now)?)
    }

    /// AES-256-GCM with the APIv3 key (WebCrypto or the fallback); `None`: the tag did not
    /// match.
    pub(super) async fn decrypt(
        &self,
        key: &Apiv3Key,
        s: &Sealed,
    ) -> Result<Option<Vec<u8>>, JsErr> {
        Ok(match self.start_decrypt(key, s).await? {
            Some(started) => crypto::finish_aes_gcm_decrypt(started).await,
            None => {
                crypto::rust_aes_gcm_decrypt(key.expose_secret(), &s.nonce, &s.aad, &s.data).await?
            }
        })
    }
}

#[wasm_bindgen]
impl Client {
    /// Downloads the platform certificates now (or waits for the download in flight) and
    /// returns the certificates held.
    #[wasm_bindgen(
        js_name = refreshCertificates,
        unchecked_return_type = "Promise<HeldCertificate[]>"
    )]
    pub fn refresh_certificates(&self) -> Promise {
        let inner = self.inner.clone();
        promise_of_future(async move {
            js_result(
                async {
                    let step = inner.certs.rotation.borrow().forced(inner.now_secs()?)?;
                    match step {
                        Step::Wait => inner.wait_in_flight().await,
                        _ => inner.download(None, false).await?,
                    }
                    let out = Array::new();
                    for (serial, before, after) in certs::held(&inner.keys.borrow()) {
                        let o = Object::new();
                        let time = |secs: i64| {
                            let ms = JsValue::from_f64(secs as f64 * 1000.0);
                            JsValue::from(js_sys::Date::new(&ms).to_iso_string())
                        };
                        let _ = Reflect::set(&o, &"serial_no".into(), &serial.into());
                        let _ = Reflect::set(&o, &"effective_time".into(), &time(before));
                        let _ = Reflect::set(&o, &"expire_time".into(), &time(after));
                        out.push(&o);
                    }
                    Ok(out.into())
                }
                .await,
            )
        })
    }
}
