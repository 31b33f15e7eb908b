//! Rust errors to JS `WechatPayError`s.
//!
//! The class itself lives in the package's JS entry (so that `instanceof` works against the
//! class users import); the entry registers it with [`set_error_class`]. Without it (raw
//! wasm-bindgen glue, `wasm-pack test`), errors are plain `Error`s with the same fields.

use std::cell::RefCell;

use js_sys::{Array, Error as JsError, Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::error::{code, Error, Issue};

thread_local! {
    static ERROR_CLASS: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Registers the JS `WechatPayError` class (called once by the package entry).
#[wasm_bindgen(js_name = "__setErrorClass", skip_typescript)]
pub fn set_error_class(class: Function) {
    ERROR_CLASS.with(|c| *c.borrow_mut() = Some(class));
}

/// The message of a thrown JS value: its `message` property, or the value itself when it is
/// a string.
pub fn message_of(e: &JsValue) -> Option<String> {
    Reflect::get(e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string())
}

/// A JS error under construction. Boxed: it travels in the `Err` of every `Result` of the
/// wasm layer, and a small `Result` keeps the async state machines small.
pub struct JsErr(Box<Parts>);

struct Parts {
    kind: &'static str,
    code: String,
    message: String,
    extra: Vec<(&'static str, JsValue)>,
}

impl JsErr {
    pub fn new(kind: &'static str, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self(Box::new(Parts {
            kind,
            code: code.into(),
            message: message.into(),
            extra: Vec::new(),
        }))
    }

    pub fn with(mut self, name: &'static str, value: impl Into<JsValue>) -> Self {
        self.0.extra.push((name, value.into()));
        self
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The same error with another message.
    pub fn with_message(mut self, message: String) -> Self {
        self.0.message = message;
        self
    }

    /// The error's code.
    pub fn code(&self) -> &str {
        &self.0.code
    }

    pub fn config(code: &'static str, message: impl Into<String>) -> Self {
        Self::new("config", code, message)
    }

    pub fn network(message: impl Into<String>) -> Self {
        Self::new("network", code::NETWORK_ERROR, message)
    }

    pub fn into_js(self) -> JsValue {
        let this = *self.0;
        let extra = Object::new();
        for (k, v) in &this.extra {
            let _ = Reflect::set(&extra, &JsValue::from_str(k), v);
        }
        // The class is cloned out first: constructing runs JS (a subclass, a setter), which
        // may register a class again, and a borrow held across it would then panic.
        let class = ERROR_CLASS.with(|c| c.borrow().clone());
        let from_class = class.and_then(|class| {
            let args = Array::of4(
                &JsValue::from_str(this.kind),
                &JsValue::from_str(&this.code),
                &JsValue::from_str(&this.message),
                &extra,
            );
            Reflect::construct(&class, &args).ok()
        });
        if let Some(err) = from_class {
            return err;
        }
        let err = JsError::new(&this.message);
        err.set_name("WechatPayError");
        let _ = Reflect::set(&err, &"kind".into(), &this.kind.into());
        let _ = Reflect::set(&err, &"code".into(), &JsValue::from_str(&this.code));
        for (k, v) in &this.extra {
            let _ = Reflect::set(&err, &JsValue::from_str(k), v);
        }
        err.into()
    }
}

impl From<Error> for JsErr {
    fn from(e: Error) -> Self {
        let kind = e.kind().as_str();
        let code = e.code();
        let message = e.to_string();
        let mut out = JsErr::new(kind, code, message);
        match &e {
            Error::Validation(issues) => out = out.with("issues", issues_to_js(issues)),
            Error::Signature {
                serial: Some(s), ..
            } => out = out.with("serial", JsValue::from_str(s)),
            _ => {}
        }
        out
    }
}

impl From<Error> for JsValue {
    fn from(e: Error) -> Self {
        JsErr::from(e).into_js()
    }
}

impl From<JsErr> for JsValue {
    fn from(e: JsErr) -> Self {
        e.into_js()
    }
}

/// JSON text that Rust already parsed (and so knows to be JSON), as a plain JS value: the
/// text itself goes to `JSON.parse`, without a round trip through a `serde_json::Value`
/// (whose serializer, with its float formatting, the module then does not need). `None`
/// for text that is not UTF-8 JSON.
pub fn json_text_to_js(text: &[u8]) -> Option<JsValue> {
    let text = std::str::from_utf8(text).ok()?;
    js_sys::JSON::parse(text).ok()
}

/// Validation issues as a JS array of `{ field, rule, message }` objects, built directly
/// (through serde, the module would carry a serializer for this one struct).
pub fn issues_to_js(issues: &[Issue]) -> Array {
    issues
        .iter()
        .map(|issue| {
            let o = Object::new();
            let _ = Reflect::set(&o, &"field".into(), &JsValue::from_str(&issue.field));
            let _ = Reflect::set(&o, &"rule".into(), &JsValue::from_str(issue.rule));
            let _ = Reflect::set(&o, &"message".into(), &JsValue::from_str(&issue.message));
            JsValue::from(o)
        })
        .collect()
}
