//! The cryptography of the wasm layer. RSA (SHA256withRSA PKCS#1 v1.5) and AES-256-GCM run
//! on the runtime's WebCrypto (`crypto.subtle`, found on the global object: Node, Workers and
//! Deno have no `window`). Where WebCrypto is missing, or `crypto: 'rust'` asks for it, the
//! `rsa` and `aes-gcm` crates do the work ([`super::fallback`]).

use std::cell::RefCell;

use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

use super::options::promise_of;

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

/// Starts importing an RSA key, given as the text of a JWK ([`crate::keys`]), for `usage`.
pub fn import_rsa(subtle: &SubtleCrypto, jwk: &str, usage: &str) -> Result<Promise, JsValue> {
    let jwk: js_sys::Object = js_sys::JSON::parse(jwk)?.dyn_into()?;
    let usages = Array::of1(&usage.into());
    promise_of(subtle.import_key_with_object("jwk", &jwk, &rsassa(), false, &usages))
}

/// Starts importing a raw AES-GCM key for decryption.
pub fn import_aes(subtle: &SubtleCrypto, raw: &[u8]) -> Result<Promise, JsValue> {
    let data = Uint8Array::from(raw);
    let usages = Array::of1(&"decrypt".into());
    promise_of(subtle.import_key_with_str("raw", &data, AES_GCM, false, &usages))
}

/// Starts signing `message` with an imported private key: a promise of the signature's
/// `ArrayBuffer`.
pub fn start_sign(
    subtle: &SubtleCrypto,
    key: &CryptoKey,
    message: &[u8],
) -> Result<Promise, JsValue> {
    // The algorithm name as a JS string made once: passed as `&str`, it would be decoded
    // into a new JS string on every call. (WebCrypto takes a name where it takes an object.)
    promise_of(
        RSASSA_JS
            .with(|name| subtle.sign_with_object_and_u8_array(name.unchecked_ref(), key, message)),
    )
}

thread_local! {
    static RSASSA_JS: JsValue = JsValue::from_str(RSASSA);
}

/// Signs `message` with an imported private key.
pub async fn sign_with_key(
    subtle: &SubtleCrypto,
    key: &CryptoKey,
    message: &[u8],
) -> Result<Vec<u8>, JsValue> {
    let sig = JsFuture::from(start_sign(subtle, key, message)?).await?;
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
    // The algorithm's name made once, as in `start_sign`.
    let started = RSASSA_JS.with(|name| {
        subtle.verify_with_object_and_u8_array_and_u8_slice(
            name.unchecked_ref(),
            key,
            &sig,
            message,
        )
    });
    let ok = JsFuture::from(promise_of(started)?).await?;
    Ok(ok.as_bool().unwrap_or(false))
}

/// Starts an AES-256-GCM decryption (`data` = ciphertext then 16-byte tag); the future gives
/// the plaintext, or fails when the tag does not match (WebCrypto's OperationError). It can
/// be dropped unawaited: `JsFuture` handles the promise's rejection itself.
pub fn start_aes_gcm_decrypt(
    subtle: &SubtleCrypto,
    key: &CryptoKey,
    nonce: &[u8],
    aad: &[u8],
    data: &[u8],
) -> Result<JsFuture, JsValue> {
    let params = object(&[
        ("name", &AES_GCM.into()),
        ("iv", &Uint8Array::from(nonce).into()),
        ("additionalData", &Uint8Array::from(aad).into()),
        ("tagLength", &128.into()),
    ]);
    Ok(JsFuture::from(promise_of(
        subtle.decrypt_with_object_and_u8_array(&params, key, data),
    )?))
}

/// The plaintext of a started decryption; `None` when the tag does not match.
pub async fn finish_aes_gcm_decrypt(started: JsFuture) -> Option<Vec<u8>> {
    let plain = started.await.ok()?;
    Some(Uint8Array::new(&plain).to_vec())
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
    /// The key when its import has completed, without waiting.
    pub fn ready(&self) -> Option<CryptoKey> {
        match &*self.0.borrow() {
            Some(Imported::Ready(key)) => Some(key.clone()),
            _ => None,
        }
    }

    /// The key; `import` starts the import (a promise of a `CryptoKey`) on the first call.
    /// (`dyn`: one copy of this async function serves the three kinds of key.)
    pub async fn get(
        &self,
        import: &dyn Fn() -> Result<Promise, JsValue>,
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
        match JsFuture::from(pending)
            .await
            .and_then(|k| k.dyn_into::<CryptoKey>())
        {
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

pub use super::fallback::{aes_gcm_decrypt as rust_aes_gcm_decrypt, RustSigner, RustVerifier};
