//! The package's free functions that need no client: `validatePreEntrustSign`, `qrCodeSvg`.

use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;

use super::errors::{self, JsErr};
use super::options;
use super::{body_text, fallback, promise_of_future};
use crate::error::code;
use crate::validate;

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
        fallback::qr_svg(&text, size)
            .await
            .map(JsValue::from)
            .map_err(JsErr::into_js)
    })
}
