//! The fallback of the package's main module: the extra module
//! `wechatpay_wasm_extra_bg.wasm` (`src/wasm/extra_exports.rs`), loaded once per instance,
//! on first use, by the loader the package entry registers.

use std::cell::RefCell;

use js_sys::{Function, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::{unavailable, LoadError};
use crate::error::code;
use crate::wasm::errors::{message_of, JsErr};

#[wasm_bindgen]
extern "C" {
    /// The namespace of the extra module's glue, initialised.
    #[derive(Clone)]
    pub type Module;
    #[wasm_bindgen(method, catch, js_name = rsaSigner)]
    pub fn rsa_signer(this: &Module, pkcs1_der: &[u8]) -> Result<Handle, JsValue>;
    #[wasm_bindgen(method, catch, js_name = rsaVerifier)]
    pub fn rsa_verifier(this: &Module, pkcs1_der: &[u8]) -> Result<Handle, JsValue>;
    #[wasm_bindgen(method, catch, js_name = aesGcmDecrypt)]
    pub fn aes_gcm_decrypt(
        this: &Module,
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        data: &[u8],
    ) -> Result<Option<Uint8Array>, JsValue>;
    #[wasm_bindgen(method, catch, js_name = qrSvg)]
    pub fn qr_svg(this: &Module, text: &str, size: u32) -> Result<String, JsValue>;

    /// A key object of the extra module (`RsaSigningKey` or `RsaVerifyingKey`).
    pub type Handle;
    #[wasm_bindgen(method, catch)]
    pub fn sign(this: &Handle, message: &[u8]) -> Result<Uint8Array, JsValue>;
    #[wasm_bindgen(method, catch, js_name = verify)]
    pub fn verify_sig(this: &Handle, message: &[u8], signature: &[u8]) -> Result<bool, JsValue>;
    /// Frees the key object in the extra module (wasm-bindgen's `free()`).
    #[wasm_bindgen(method, catch)]
    pub fn free(this: &Handle) -> Result<(), JsValue>;
}

thread_local! {
    static LOADER: RefCell<Option<Function>> = const { RefCell::new(None) };
    static MODULE: RefCell<Option<Promise>> = const { RefCell::new(None) };
}

/// Registers the loader.
pub fn set_loader(f: Function) {
    LOADER.with(|l| *l.borrow_mut() = Some(f));
}

/// The extra module, loaded once; a failed load is tried again on the next call.
async fn get_module() -> Result<Module, JsValue> {
    let pending = MODULE.with(|m| m.borrow().clone());
    let pending = match pending {
        Some(p) => p,
        None => {
            let loader = LOADER.with(|l| l.borrow().clone()).ok_or_else(|| {
                JsValue::from_str(
                    "no loader of the extra module is registered (load the package through its entry, not its raw glue)",
                )
            })?;
            let p: Promise = loader.call0(&JsValue::UNDEFINED)?.dyn_into()?;
            MODULE.with(|m| *m.borrow_mut() = Some(p.clone()));
            p
        }
    };
    match JsFuture::from(pending).await {
        Ok(m) => Ok(m.unchecked_into()),
        Err(e) => {
            MODULE.with(|m| *m.borrow_mut() = None);
            Err(e)
        }
    }
}

async fn get() -> Result<Module, LoadError> {
    get_module()
        .await
        .map_err(|e| LoadError::Unavailable(unavailable(&e)))
}

/// A signing key held by the extra module.
pub struct RustSigner(Handle);
/// A verifying key held by the extra module.
pub struct RustVerifier(Handle);

impl Drop for RustSigner {
    /// The key is freed in the extra module (where the `rsa` crate wipes its numbers)
    /// with the client, not whenever the garbage collector gets to its JS object.
    fn drop(&mut self) {
        let _ = self.0.free();
    }
}

impl RustSigner {
    /// Loads a PKCS#1 `RSAPrivateKey` DER key (its numbers are checked).
    pub async fn load(pkcs1_der: &[u8]) -> Result<Self, LoadError> {
        let m = get().await?;
        m.rsa_signer(pkcs1_der)
            .map(Self)
            .map_err(|_| LoadError::Refused)
    }
    /// The raw signature of `message`.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, JsValue> {
        Ok(self.0.sign(message)?.to_vec())
    }
}

impl RustVerifier {
    /// Loads a PKCS#1 `RSAPublicKey` DER key.
    pub async fn load(pkcs1_der: &[u8]) -> Result<Self, LoadError> {
        let m = get().await?;
        m.rsa_verifier(pkcs1_der)
            .map(Self)
            .map_err(|_| LoadError::Refused)
    }
    /// Whether `signature` is valid over `message`; `Err` when the extra module threw
    /// (a trap: it ran out of memory, say).
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<bool, JsErr> {
        self.0
            .verify_sig(message, signature)
            .map_err(|e| failed(&e))
    }
}

/// AES-256-GCM decryption; `Ok(None)` on a tag mismatch.
pub async fn aes_gcm_decrypt(
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    data: &[u8],
) -> Result<Option<Vec<u8>>, JsErr> {
    let m = get_module().await.map_err(|e| unavailable(&e))?;
    m.aes_gcm_decrypt(key, nonce, aad, data)
        .map(|plain| plain.map(|a| a.to_vec()))
        .map_err(|e| failed(&e))
}

/// The error of a call into the extra module that threw (a trap), which would otherwise
/// cross this module uncaught and stop every later promise of the instance.
fn failed(e: &JsValue) -> JsErr {
    let why = message_of(e).unwrap_or_default();
    JsErr::config(
        code::EXTRA_UNAVAILABLE,
        format!("the extra module wechatpay_wasm_extra_bg.wasm (the rsa/aes-gcm fallback) failed: {why}"),
    )
}

/// The SVG QR code of `text`, drawn by the extra module.
pub async fn qr_svg(text: &str, size: u32) -> Result<String, JsErr> {
    let m = get_module().await.map_err(|e| unavailable(&e))?;
    m.qr_svg(text, size)
        .map_err(|e| JsErr::config(code::BAD_ARGUMENT, message_of(&e).unwrap_or_default()))
}
