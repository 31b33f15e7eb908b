//! The transport: the `fetch` option, or the global `fetch` (not `window.fetch`: Node and
//! Workers have no window), with a timeout: a deadline promise raced with each step, which
//! aborts the request's `AbortController` when it wins. A failure says how it failed
//! ([`Failure`]), for failover.

use js_sys::{Array, ArrayBuffer, Function, Object, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestInit, Response};

use super::errors::JsErr;
use super::options::promise_of;
use crate::error::code;
use crate::failover::Failure;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_name = fetch)]
    fn global_fetch(input: &str, init: &RequestInit) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

thread_local! {
    /// What a deadline rejects with: an object nothing else holds, so a step that lost the
    /// race to the deadline is told from one that failed on its own.
    static TIMED_OUT: JsValue = Object::new().into();
}

/// A promise rejected with [`TIMED_OUT`] after the timeout: the timer calls the promise's
/// own `reject`, bound to [`TIMED_OUT`] (no closure of ours to create and free per request;
/// no extra argument to `setTimeout`, which fake timers and wrappers may drop). The timer is
/// cleared when dropped.
struct Deadline {
    id: JsValue,
    promise: Promise,
}

impl Deadline {
    fn start(ms: u32) -> Deadline {
        let mut reject = None;
        let promise = Promise::new(&mut |_, rej| reject = Some(rej));
        let id = match &reject {
            Some(reject) => {
                let handler = TIMED_OUT.with(|t| reject.bind1(&JsValue::UNDEFINED, t));
                set_timeout(handler.unchecked_ref(), f64::from(ms))
            }
            None => JsValue::UNDEFINED, // the executor runs at once: never
        };
        Deadline { id, promise }
    }

    /// `step` or the deadline, whichever settles first.
    fn race(&self, step: Promise) -> Promise {
        Promise::race(&Array::of2(&step, &self.promise))
    }

    /// Whether `e`, what a raced step rejected with, is the deadline's.
    fn passed(e: &JsValue) -> bool {
        TIMED_OUT.with(|t| t == e)
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        clear_timeout(&self.id);
    }
}

/// What came back.
pub struct Answer {
    pub status: u16,
    pub headers: Headers,
    pub body: Vec<u8>,
}

fn message_of(e: &JsValue) -> String {
    super::errors::message_of(e).unwrap_or_else(|| "unknown error".into())
}

/// A failed request: how ([`Failure`]) and the error.
pub struct Failed(pub Failure, pub JsErr);

impl From<JsErr> for Failed {
    fn from(e: JsErr) -> Self {
        Failed(Failure::Other, e)
    }
}

/// Sends a request with `fetch` (the option; `None`: the global one) and reads the whole
/// answer within `timeout_ms`.
pub async fn send(
    fetch: Option<&Function>,
    method: &str,
    url: &str,
    headers: &Headers,
    body: Option<&str>,
    timeout_ms: u32,
) -> Result<Answer, Failed> {
    let controller = AbortController::new().map_err(|e| JsErr::network(message_of(&e)))?;
    let init = RequestInit::new();
    init.set_method(method);
    init.set_headers(headers);
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(body));
    }
    init.set_signal(Some(&controller.signal()));
    // A 3xx is not followed: WeChat Pay's answer signature does not cover the path, so a
    // redirected, validly signed answer of another path would pass as this call's.
    let _ = js_sys::Reflect::set(&init, &"redirect".into(), &"manual".into());

    // Raced with each step: a `fetch` (or a body) that does not heed the signal (a mock, a
    // polyfill) still ends at the timeout, not never; the signal is aborted when it wins.
    let deadline = Deadline::start(timeout_ms);
    let fail = |e: JsValue, during: &str| {
        if Deadline::passed(&e) {
            controller.abort();
            let e = JsErr::new(
                "timeout",
                code::TIMEOUT,
                format!("{method} {url}: no complete answer within {timeout_ms} ms (option timeout); the request may or may not have reached WeChat Pay"),
            )
            .with("timeout", f64::from(timeout_ms));
            Failed(Failure::Timeout, e)
        } else {
            // fetch's own TypeError, before any answer: the host was not reached.
            let unreached = during == "fetch" && e.is_instance_of::<js_sys::TypeError>();
            let e = JsErr::network(format!(
                "{method} {url}: {during} failed: {}",
                message_of(&e)
            ));
            Failed(
                if unreached {
                    Failure::Unreachable
                } else {
                    Failure::Other
                },
                e,
            )
        }
    };

    let started = match fetch {
        Some(f) => f.call2(&JsValue::UNDEFINED, &JsValue::from_str(url), &init),
        None => global_fetch(url, &init),
    };
    let promise = promise_of(started).map_err(|e| fail(e, "fetch"))?;
    let resp = JsFuture::from(deadline.race(promise))
        .await
        .map_err(|e| fail(e, "fetch"))?;
    // Any object with Response's members (an undici or polyfill Response, a test double):
    // the members are read by name.
    if !resp.is_object() {
        controller.abort();
        return Err(JsErr::network(format!(
            "{method} {url}: fetch resolved with {}, not a Response",
            super::options::js_type(&resp)
        ))
        .into());
    }
    let resp: Response = resp.unchecked_into();
    // Node gives the 3xx itself; a browser an opaque redirect (type "opaqueredirect",
    // status 0); a `fetch` that followed anyway says so in `redirected`.
    let status = resp.status();
    if status == 0 || (300..400).contains(&status) || resp.redirected() {
        close(&resp, &controller);
        return Err(JsErr::network(format!(
            "{method} {url}: the answer is a redirect (HTTP {status}), not followed (WeChat Pay's signature does not cover the path)"
        ))
        .with("status", f64::from(status))
        .into());
    }
    let buf = resp
        .array_buffer()
        .map_err(|e| fail(e, "reading the answer"))?;
    let buf = JsFuture::from(deadline.race(buf))
        .await
        .map_err(|e| fail(e, "reading the answer"))?;
    let buf: ArrayBuffer = buf.dyn_into().map_err(|e| fail(e, "reading the answer"))?;
    drop(deadline);
    Ok(Answer {
        status,
        headers: resp.headers(),
        body: Uint8Array::new(&buf).to_vec(),
    })
}

/// Closes an answer that is not read: aborts the request (undici then drops the connection's
/// body) and cancels the body (a `fetch` option's stream that does not heed the signal). The
/// cancel's promise is handed to `Promise.allSettled`, so its rejection (a locked body) is
/// handled, not reported as unhandled.
fn close(resp: &Response, controller: &AbortController) {
    controller.abort();
    let body = js_sys::Reflect::get(resp, &"body".into()).unwrap_or(JsValue::NULL);
    if !body.is_object() {
        return;
    }
    let cancel = js_sys::Reflect::get(&body, &"cancel".into()).unwrap_or(JsValue::NULL);
    if let Some(cancel) = cancel.dyn_ref::<Function>() {
        if let Ok(p) = promise_of(cancel.call0(&body)) {
            // allSettled handles its rejection; its own promise never rejects.
            let _ = Promise::all_settled(&Array::of1(&p));
        }
    }
}
