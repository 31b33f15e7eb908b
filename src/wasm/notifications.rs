//! Notifications: `client.parseNotification()` (verify, then decrypt, then check) and
//! `notificationReply()`, the answer a handler sends back.

use js_sys::{Function, JsString, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use web_sys::Headers;

use super::client::Client;
use super::errors::{json_text_to_js, message_of, JsErr};
use super::options::{self, get, js_type};
use super::{header, js_result, promise_of_future};
use crate::consts::header;
use crate::error::code;
use crate::notify;
use crate::verify::SignedHeaders;

#[wasm_bindgen]
impl Client {
    /// Verifies and decrypts a notification: `{ headers, body }` with the raw body received.
    /// A body over [`crate::consts::MAX_NOTIFICATION_BYTES`] (64 KiB) is refused before it is
    /// copied in; the signature is checked before the body is parsed, decoded or decrypted.
    #[wasm_bindgen(
        js_name = parseNotification,
        unchecked_return_type = "Promise<FlowEvent>"
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
                let plain = inner
                    .decrypt(apiv3, s)
                    .await?
                    .ok_or_else(|| with_serial(notify::decrypt_failed().into()))?;
                let envelope = envelope.open(&plain).map_err(|e| with_serial(e.into()))?;
                notify::check_entrust(&envelope).map_err(JsErr::from)?;
                crate::events::check_resource(&envelope).map_err(JsErr::from)?;
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

/// What a notification handler answers: `{ status: 204 }` on success, else a 4xx/5xx with
/// `{"code":"FAIL","message":...}` as WeChat Pay expects (it then retries): 401 for a
/// `signature` error, 500 for any other, with a fixed message (the error's own message, which
/// may quote what the sender sent, is not echoed back).
#[wasm_bindgen(js_name = notificationReply, unchecked_return_type = "NotificationReply")]
pub fn notification_reply(
    #[wasm_bindgen(unchecked_param_type = "unknown")] error: JsValue,
) -> JsValue {
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
    reply_object(status, &body)
}

/// `{ status, headers, body }`, with a JSON `Content-Type` when there is a body.
fn reply_object(status: u16, body: &str) -> JsValue {
    let out = Object::new();
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
    let _ = Reflect::set(&out, &"body".into(), &JsValue::from_str(body));
    out.into()
}

/// The answer to `ENTRUST.TERMINATE_INQUIRY` ([`crate::events::terminate_inquiry_reply`]):
/// HTTP 200 with `{"code":"SUCCESS","message":message ?? "OK"}` (the termination goes ahead)
/// or `{"code":"FAIL","message":message}` (refused; the contract stays `SIGNED`). A refusal
/// needs its reason (shown to the user); any message is 1..128 characters without 4-byte
/// UTF-8 (emoji), else it throws `INVALID_FIELD` (kind `validation`, issue at `/message`).
#[wasm_bindgen(js_name = terminateInquiryReply, unchecked_return_type = "NotificationReply")]
pub fn terminate_inquiry_reply(
    #[wasm_bindgen(unchecked_param_type = "boolean")] allow: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | void")] message: JsValue,
) -> Result<JsValue, JsValue> {
    let bad = |m: &str| JsErr::config(code::BAD_ARGUMENT, m).into_js();
    let allow = allow.as_bool().ok_or_else(|| {
        bad("terminateInquiryReply(allow, message?): allow must be true or false")
    })?;
    let message = match message.as_string() {
        Some(m) => Some(m),
        None if message.is_undefined() || message.is_null() => None,
        None => {
            return Err(bad(
                "terminateInquiryReply(allow, message?): message must be a string",
            ))
        }
    };
    let body = crate::events::terminate_inquiry_reply(allow, message.as_deref())?;
    Ok(reply_object(200, &body))
}
