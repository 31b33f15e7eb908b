//! `client.authorization()`: the `Authorization` header of any request, with a fast path
//! that chains WebCrypto's promise once the key is imported.

use js_sys::{Function, JsString, Promise, Uint8Array};
use wasm_bindgen::prelude::*;

use super::backend::SIGN_FAILED;
use super::client::{Client, Inner};
use super::errors::JsErr;
use super::options::{self, get};
use super::random::random_nonce;
use super::{body_text, crypto, js_result, promise_of_future};
use crate::error::code;
use crate::sign;

impl Inner {
    /// `authorization()` without the async machinery, once WebCrypto holds the imported key:
    /// WebCrypto's promise, with [`SIGNED`]'s callbacks attached to complete the header.
    /// `None` when the general path must run (the first calls, or the Rust backend). Through
    /// `future_to_promise` and `JsFuture`, sequential calls were 4-11% slower (A/B of the two
    /// packages in one process).
    pub(super) fn authorization_now(
        &self,
        message: &str,
        timestamp: i64,
        nonce: &str,
    ) -> Option<Promise> {
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
    pub(super) async fn authorization(
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

#[wasm_bindgen]
impl Client {
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
                            .and_then(|s| crate::text::integer(&s))
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
}
