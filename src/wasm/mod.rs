//! The wasm layer: the only code that touches `js-sys`/`web-sys`. It reads JS values, calls
//! the core, and converts results and errors; it supplies what the core takes as arguments
//! (the clock, the nonce, the transport and WebCrypto) and decides nothing itself.
//!
//! - [`client`]: `Client`, its options and `preEntrustSign`; [`request`]: `client.request`
//! - [`authorization`]: `client.authorization` and its fast path
//! - [`notifications`]: `parseNotification`, `notificationReply`
//! - [`backend`]: signing, verifying and decrypting on WebCrypto or the Rust fallback
//! - [`random`]: nonces from the runtime's CSPRNG; [`fetch`]: one request on the transport;
//!   [`transport`]: signing and sending, with the `fetch` option and failover; [`signer`]:
//!   the `signer` option
//! - [`exports`]: the package's free functions; [`types`]: the TypeScript declarations

mod authorization;
mod backend;
mod certificates;
mod client;
pub mod crypto;
pub(crate) mod errors;
mod exports;
pub mod fallback;
mod fetch;
mod notifications;
mod operations;
mod options;
mod random;
mod request;
mod signer;
mod transport;
mod types;
mod types_flow;

use std::future::Future;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::Headers;

use crate::error::Error;
use crate::validate;
use errors::{message_of, JsErr};
use options::js_type;

pub use client::Client;

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

/// `future_to_promise` of the future boxed as one type: one copy of its machinery serves
/// every export.
fn promise_of_future(f: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    let boxed: core::pin::Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>> = Box::pin(f);
    future_to_promise(boxed)
}

fn js_result(r: Result<JsValue, JsErr>) -> Result<JsValue, JsValue> {
    r.map_err(JsErr::into_js)
}
