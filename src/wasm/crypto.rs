//! The cryptography of the wasm layer. RSA (SHA256withRSA PKCS#1 v1.5) and AES-256-GCM run
//! on the runtime's WebCrypto (`crypto.subtle`, found on the global object: Node, Workers and
//! Deno have no `window`). Where WebCrypto is missing, or `crypto: 'rust'` asks for it, the
//! `rsa` and `aes-gcm` crates do the work: compiled in when this build has the `rust-crypto`
//! feature, else in the fallback module `rust_crypto_bg.wasm`, which the package entry loads on
//! first use (see [`set_rust_crypto_loader`]), so that the module every runtime loads stays
//! small.

use std::cell::RefCell;
use std::future::Future;

use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

/// WebCrypto name of SHA256withRSA PKCS#1 v1.5.
const RSASSA: &str = "RSASSA-PKCS1-v1_5";
/// WebCrypto name of AES-GCM.
const AES_GCM: &str = "AES-GCM";

/// `globalThis.crypto.subtle`, when the runtime has it.
pub fn subtle() -> Option<SubtleCrypto> {
    let global = js_sys::global();
    let crypto = Reflect::get(&global, &"crypto".into()).ok()?;
    if crypto.is_undefined() || crypto.is_null() {
        return None;
    }
    let subtle = Reflect::get(&crypto, &"subtle".into()).ok()?;
    subtle.dyn_into::<SubtleCrypto>().ok()
}

fn object(pairs: &[(&str, &JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o
}

fn rsassa() -> Object {
    object(&[("name", &RSASSA.into()), ("hash", &"SHA-256".into())])
}

/// Starts importing an RSA key (`format` `pkcs8` or `spki`) for `usage`.
pub fn import_rsa(
    subtle: &SubtleCrypto,
    format: &str,
    der: &[u8],
    usage: &str,
) -> Result<Promise, JsValue> {
    let data = Uint8Array::from(der);
    let usages = Array::of1(&usage.into());
    subtle.import_key_with_object(format, &data, &rsassa(), false, &usages)
}

/// Starts importing a raw AES-GCM key for decryption.
pub fn import_aes(subtle: &SubtleCrypto, raw: &[u8]) -> Result<Promise, JsValue> {
    let data = Uint8Array::from(raw);
    let usages = Array::of1(&"decrypt".into());
    subtle.import_key_with_str("raw", &data, AES_GCM, false, &usages)
}

/// Signs `message` with an imported private key.
pub async fn sign_with_key(
    subtle: &SubtleCrypto,
    key: &CryptoKey,
    message: &[u8],
) -> Result<Vec<u8>, JsValue> {
    let sig = JsFuture::from(subtle.sign_with_str_and_u8_array(RSASSA, key, message)?).await?;
    Ok(Uint8Array::new(&sig).to_vec())
}

/// Verifies `signature` over `message` with an imported public key.
pub async fn verify(
    subtle: &SubtleCrypto,
    key: &CryptoKey,
    signature: &[u8],
    message: &[u8],
) -> Result<bool, JsValue> {
    let sig = Uint8Array::from(signature);
    let ok = JsFuture::from(
        subtle.verify_with_str_and_u8_array_and_u8_slice(RSASSA, key, &sig, message)?,
    )
    .await?;
    Ok(ok.as_bool().unwrap_or(false))
}

/// AES-256-GCM decryption (`data` = ciphertext then 16-byte tag); `Ok(None)` when the tag
/// does not match.
pub async fn aes_gcm_decrypt(
    subtle: &SubtleCrypto,
    key: &CryptoKey,
    nonce: &[u8],
    aad: &[u8],
    data: &[u8],
) -> Result<Option<Vec<u8>>, JsValue> {
    let params = object(&[
        ("name", &AES_GCM.into()),
        ("iv", &Uint8Array::from(nonce).into()),
        ("additionalData", &Uint8Array::from(aad).into()),
        ("tagLength", &128.into()),
    ]);
    let promise = subtle.decrypt_with_object_and_u8_array(&params, key, data)?;
    // WebCrypto rejects with an OperationError on a tag mismatch.
    match JsFuture::from(promise).await {
        Ok(plain) => Ok(Some(Uint8Array::new(&plain).to_vec())),
        Err(_) => Ok(None),
    }
}

/// One imported WebCrypto key: the import promise until it settles, then the key itself
/// (awaiting a settled promise on every call costs a turn of the event loop).
#[derive(Clone)]
enum Imported {
    Pending(Promise),
    Ready(CryptoKey),
}

/// A `CryptoKey` imported once, on first use, and shared by concurrent first calls.
#[derive(Default)]
pub struct KeyCache(RefCell<Option<Imported>>);

impl KeyCache {
    /// The key; `import` starts the import (a promise of a `CryptoKey`) on the first call.
    pub async fn get(
        &self,
        import: impl FnOnce() -> Result<Promise, JsValue>,
    ) -> Result<CryptoKey, JsValue> {
        let state = self.0.borrow().clone();
        let pending = match state {
            Some(Imported::Ready(key)) => return Ok(key),
            Some(Imported::Pending(p)) => p,
            None => {
                let p = import()?;
                *self.0.borrow_mut() = Some(Imported::Pending(p.clone()));
                p
            }
        };
        match JsFuture::from(pending).await.and_then(|k| k.dyn_into::<CryptoKey>()) {
            Ok(key) => {
                *self.0.borrow_mut() = Some(Imported::Ready(key.clone()));
                Ok(key)
            }
            Err(e) => {
                // Forget a failed import: the next call tries again and reports again.
                *self.0.borrow_mut() = None;
                Err(e)
            }
        }
    }
}

/// A promise that settles with what `fut` returns.
pub fn promise_of(fut: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    wasm_bindgen_futures::future_to_promise(fut)
}

pub use rust::{RustSigner, RustVerifier};

/// The Rust implementations in this module (feature `rust-crypto`: tests, and builds of the
/// crate with every feature).
#[cfg(feature = "rust-crypto")]
mod rust {
    use wasm_bindgen::JsValue;

    use crate::sign::{RsaSigner, RsaVerifier, Signer as _};

    /// A loaded `rsa`-crate signing key.
    pub struct RustSigner(RsaSigner);
    /// A loaded `rsa`-crate verifying key.
    pub struct RustVerifier(RsaVerifier);

    impl RustSigner {
        /// Loads a PKCS#8 DER key (its numbers are checked).
        pub async fn load(pkcs8_der: &[u8]) -> Result<Self, JsValue> {
            RsaSigner::from_pkcs8_der(pkcs8_der)
                .map(Self)
                .map_err(|e| JsValue::from_str(&e.to_string()))
        }
        /// The raw signature of `message`.
        pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, JsValue> {
            self.0
                .sign(message)
                .map_err(|e| JsValue::from_str(&e.to_string()))
        }
    }

    impl RustVerifier {
        /// Loads an SPKI DER key.
        pub async fn load(spki_der: &[u8]) -> Result<Self, JsValue> {
            RsaVerifier::from_spki_der(spki_der)
                .map(Self)
                .ok_or_else(|| JsValue::from_str("not an RSA public key"))
        }
        /// Whether `signature` is valid over `message`.
        pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
            self.0.verify(message, signature)
        }
    }

    /// AES-256-GCM decryption; `Ok(None)` on a tag mismatch.
    pub async fn aes_gcm_decrypt(
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        data: &[u8],
    ) -> Result<Option<Vec<u8>>, JsValue> {
        Ok(crate::notify::aes_gcm_decrypt(key, nonce, aad, data))
    }
}

/// The fallback module's exports (`src/rust_crypto_wasm.rs`), loaded by the package entry.
#[cfg(not(feature = "rust-crypto"))]
mod rust {
    use std::cell::RefCell;

    use js_sys::{Function, Promise, Uint8Array};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::JsFuture;

    #[wasm_bindgen]
    extern "C" {
        /// The namespace of the fallback module's glue, initialised.
        #[derive(Clone)]
        pub type Module;
        #[wasm_bindgen(method, catch, js_name = rsaSigner)]
        fn rsa_signer(this: &Module, pkcs8_der: &[u8]) -> Result<Handle, JsValue>;
        #[wasm_bindgen(method, catch, js_name = rsaVerifier)]
        fn rsa_verifier(this: &Module, spki_der: &[u8]) -> Result<Handle, JsValue>;
        #[wasm_bindgen(method, js_name = aesGcmDecrypt)]
        fn aes_gcm_decrypt(
            this: &Module,
            key: &[u8],
            nonce: &[u8],
            aad: &[u8],
            data: &[u8],
        ) -> Option<Uint8Array>;

        /// A key object of the fallback module (`RsaSigner` or `RsaVerifier`).
        pub type Handle;
        #[wasm_bindgen(method, catch)]
        fn sign(this: &Handle, message: &[u8]) -> Result<Uint8Array, JsValue>;
        #[wasm_bindgen(method, js_name = verify)]
        fn verify_sig(this: &Handle, message: &[u8], signature: &[u8]) -> bool;
    }

    thread_local! {
        static LOADER: RefCell<Option<Function>> = const { RefCell::new(None) };
        static MODULE: RefCell<Option<Promise>> = const { RefCell::new(None) };
    }

    /// Registers the loader of the fallback module.
    pub fn set_loader(f: Function) {
        LOADER.with(|l| *l.borrow_mut() = Some(f));
    }

    /// The fallback module, loaded once per instance; a failed load is retried next time.
    async fn module() -> Result<Module, JsValue> {
        let pending = MODULE.with(|m| m.borrow().clone());
        let pending = match pending {
            Some(p) => p,
            None => {
                let loader = LOADER.with(|l| l.borrow().clone()).ok_or_else(|| {
                    JsValue::from_str(
                        "this build cannot load the rust-crypto fallback module (no loader registered)",
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

    /// A signing key held by the fallback module.
    pub struct RustSigner(Handle);
    /// A verifying key held by the fallback module.
    pub struct RustVerifier(Handle);

    impl RustSigner {
        /// Loads a PKCS#8 DER key (its numbers are checked).
        pub async fn load(pkcs8_der: &[u8]) -> Result<Self, JsValue> {
            Ok(Self(module().await?.rsa_signer(pkcs8_der)?))
        }
        /// The raw signature of `message`.
        pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, JsValue> {
            Ok(self.0.sign(message)?.to_vec())
        }
    }

    impl RustVerifier {
        /// Loads an SPKI DER key.
        pub async fn load(spki_der: &[u8]) -> Result<Self, JsValue> {
            Ok(Self(module().await?.rsa_verifier(spki_der)?))
        }
        /// Whether `signature` is valid over `message`.
        pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
            self.0.verify_sig(message, signature)
        }
    }

    /// AES-256-GCM decryption; `Ok(None)` on a tag mismatch.
    pub async fn aes_gcm_decrypt(
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        data: &[u8],
    ) -> Result<Option<Vec<u8>>, JsValue> {
        Ok(module()
            .await?
            .aes_gcm_decrypt(key, nonce, aad, data)
            .map(|a| a.to_vec()))
    }
}

pub use rust::aes_gcm_decrypt as rust_aes_gcm_decrypt;

/// Registers how the package loads the fallback module: a function returning a promise of
/// its initialised namespace. Called once by the package entry; a build with the
/// `rust-crypto` feature has the code inside and ignores it.
#[wasm_bindgen(js_name = "__setRustCryptoLoader", skip_typescript)]
pub fn set_rust_crypto_loader(loader: js_sys::Function) {
    #[cfg(not(feature = "rust-crypto"))]
    rust::set_loader(loader);
    #[cfg(feature = "rust-crypto")]
    drop(loader);
}
