//! What few clients need, kept out of the main module: the `rsa`/`aes-gcm` fallback for
//! runtimes without WebCrypto (or `crypto: 'rust'`) and the QR renderer. The one place that
//! chooses where it comes from: a build with the `rust-crypto` and `qr` features has the code
//! inside ([`linked`]: tests, builds of the whole crate); the package's main module is built
//! without them and calls the extra module `wechatpay_wasm_extra_bg.wasm` ([`loaded`]),
//! which the package entry loads on first use through the loader registered with
//! [`set_extra_loader`].

use wasm_bindgen::prelude::*;

use super::errors::{message_of, JsErr};
use crate::error::code;

#[cfg(all(feature = "rust-crypto", feature = "qr"))]
mod linked;
#[cfg(all(feature = "rust-crypto", feature = "qr"))]
use linked as imp;
#[cfg(not(all(feature = "rust-crypto", feature = "qr")))]
mod loaded;
#[cfg(not(all(feature = "rust-crypto", feature = "qr")))]
use loaded as imp;

pub use imp::{aes_gcm_decrypt, qr_svg, RustSigner, RustVerifier};

/// Registers how the package loads the extra module: a function returning a promise of its
/// initialised namespace. Called once by the package entry; a build with the code inside
/// ignores it.
#[wasm_bindgen(js_name = "__setExtraLoader", skip_typescript)]
pub fn set_extra_loader(loader: js_sys::Function) {
    imp::set_loader(loader);
}

/// Why the Rust fallback could not load a key.
pub enum LoadError {
    /// The extra module could not be loaded (the error to report).
    Unavailable(JsErr),
    /// The key was refused.
    Refused,
}

/// The error of a failed load of the extra module.
pub fn unavailable(e: &JsValue) -> JsErr {
    let why = message_of(e).unwrap_or_default();
    JsErr::config(
        code::EXTRA_UNAVAILABLE,
        format!("the extra module wechatpay_wasm_extra_bg.wasm (the rsa/aes-gcm fallback and QR codes) cannot be loaded here: {why}"),
    )
}
