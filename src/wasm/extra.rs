//! What few clients need, kept out of the main module: the `rsa`/`aes-gcm` fallback for
//! runtimes without WebCrypto (or `crypto: 'rust'`) and the QR renderer. A build with the
//! `rust-crypto` and `qr` features has them inside (tests, builds of the whole crate); the
//! package's main module is built without them and calls the extra module
//! `wechatpay_wasm_extra_bg.wasm` (`src/extra_wasm.rs`) instead, which the package entry loads
//! on first use through the loader registered with [`set_extra_loader`].

use wasm_bindgen::prelude::*;

use super::errors::{message_of, JsErr};
use crate::error::code;

/// Registers how the package loads the extra module: a function returning a promise of its
/// initialised namespace. Called once by the package entry; a build with both features has
/// their code inside and never calls it.
#[wasm_bindgen(js_name = "__setExtraLoader", skip_typescript)]
pub fn set_extra_loader(loader: js_sys::Function) {
    #[cfg(not(all(feature = "rust-crypto", feature = "qr")))]
    module::set_loader(loader);
    #[cfg(all(feature = "rust-crypto", feature = "qr"))]
    drop(loader);
}

/// The extra module: loaded once per instance, by the package entry's loader.
#[cfg(not(all(feature = "rust-crypto", feature = "qr")))]
mod module {
    use std::cell::RefCell;

    use js_sys::{Function, Promise, Uint8Array};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::JsFuture;

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
        pub fn verify_sig(this: &Handle, message: &[u8], signature: &[u8])
            -> Result<bool, JsValue>;
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
    pub async fn get() -> Result<Module, JsValue> {
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
}

/// The Rust fallback compiled into this build.
#[cfg(feature = "rust-crypto")]
mod rust_crypto {
    use wasm_bindgen::JsValue;

    use super::{JsErr, LoadError};
    use crate::sign::{RsaSigner, RsaVerifier, Signer as _};

    /// A loaded `rsa`-crate signing key.
    pub struct RustSigner(RsaSigner);
    /// A loaded `rsa`-crate verifying key.
    pub struct RustVerifier(RsaVerifier);

    impl RustSigner {
        /// Loads a PKCS#1 `RSAPrivateKey` DER key (its numbers are checked).
        pub async fn load(pkcs1_der: &[u8]) -> Result<Self, LoadError> {
            RsaSigner::from_pkcs1_der(pkcs1_der)
                .map(Self)
                .map_err(|_| LoadError::Refused)
        }
        /// The raw signature of `message`.
        pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, JsValue> {
            self.0
                .sign(message)
                .map_err(|e| JsValue::from_str(&e.to_string()))
        }
    }

    impl RustVerifier {
        /// Loads a PKCS#1 `RSAPublicKey` DER key.
        pub async fn load(pkcs1_der: &[u8]) -> Result<Self, LoadError> {
            RsaVerifier::from_pkcs1_der(pkcs1_der)
                .map(Self)
                .ok_or(LoadError::Refused)
        }
        /// Whether `signature` is valid over `message`.
        pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<bool, JsErr> {
            Ok(self.0.verify(message, signature))
        }
    }

    /// AES-256-GCM decryption; `Ok(None)` on a tag mismatch.
    pub async fn aes_gcm_decrypt(
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        data: &[u8],
    ) -> Result<Option<Vec<u8>>, JsErr> {
        Ok(crate::notify::aes_gcm_decrypt(key, nonce, aad, data))
    }
}

/// The Rust fallback of the extra module.
#[cfg(not(feature = "rust-crypto"))]
mod rust_crypto {
    use wasm_bindgen::JsValue;

    use super::module::{self, Handle};
    use super::{failed, unavailable, JsErr, LoadError};

    async fn get() -> Result<module::Module, LoadError> {
        module::get()
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
        let m = module::get().await.map_err(|e| unavailable(&e))?;
        m.aes_gcm_decrypt(key, nonce, aad, data)
            .map(|plain| plain.map(|a| a.to_vec()))
            .map_err(|e| failed(&e))
    }
}

pub use rust_crypto::{aes_gcm_decrypt, RustSigner, RustVerifier};

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

/// The error of a call into the extra module that threw (a trap), which would otherwise
/// cross this module uncaught and stop every later promise of the instance.
#[cfg(not(feature = "rust-crypto"))]
fn failed(e: &JsValue) -> JsErr {
    let why = message_of(e).unwrap_or_default();
    JsErr::config(
        code::EXTRA_UNAVAILABLE,
        format!("the extra module wechatpay_wasm_extra_bg.wasm (the rsa/aes-gcm fallback) failed: {why}"),
    )
}

/// The SVG QR code of `text` (`crate::qr::svg`), compiled in or from the extra module.
pub async fn qr_svg(text: &str, size: u32) -> Result<String, JsErr> {
    #[cfg(feature = "qr")]
    {
        crate::qr::svg(text, size).map_err(JsErr::from)
    }
    #[cfg(not(feature = "qr"))]
    {
        let m = module::get().await.map_err(|e| unavailable(&e))?;
        m.qr_svg(text, size)
            .map_err(|e| JsErr::config(code::BAD_ARGUMENT, message_of(&e).unwrap_or_default()))
    }
}
