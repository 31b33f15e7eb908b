//! The package's free functions that need no client and no operation: `qrCodeSvg`.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::errors::JsErr;
use super::options;
use super::{fallback, promise_of_future};
use crate::error::code;

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
