//! RSA through the runtime's WebCrypto (`crypto.subtle`), found on the global object (Node,
//! Workers and Deno have no `window`), with the `rsa` crate as the fallback.

use std::cell::RefCell;

use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

/// WebCrypto name of SHA256withRSA PKCS#1 v1.5.
const RSASSA: &str = "RSASSA-PKCS1-v1_5";

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

fn algorithm() -> Object {
    let algo = Object::new();
    let _ = Reflect::set(&algo, &"name".into(), &RSASSA.into());
    let _ = Reflect::set(&algo, &"hash".into(), &"SHA-256".into());
    algo
}

/// Starts importing a key; the promise is cached by the caller and awaited by every use, so
/// concurrent first calls share one import.
pub fn import(
    subtle: &SubtleCrypto,
    format: &str,
    der: &[u8],
    usage: &str,
) -> Result<Promise, JsValue> {
    let data = Uint8Array::from(der);
    let usages = Array::of1(&usage.into());
    subtle.import_key_with_object(format, &data, &algorithm(), false, &usages)
}

/// Awaits an import started by [`import`].
pub async fn key_of(import: &Promise) -> Result<CryptoKey, JsValue> {
    let key = JsFuture::from(import.clone()).await?;
    key.dyn_into::<CryptoKey>()
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
    /// The key, importing `der` (`format`, for `usage`) on the first call.
    pub async fn get(
        &self,
        subtle: &SubtleCrypto,
        format: &str,
        der: &[u8],
        usage: &str,
    ) -> Result<CryptoKey, JsValue> {
        let state = self.0.borrow().clone();
        let pending = match state {
            Some(Imported::Ready(key)) => return Ok(key),
            Some(Imported::Pending(p)) => p,
            None => {
                let p = import(subtle, format, der, usage)?;
                *self.0.borrow_mut() = Some(Imported::Pending(p.clone()));
                p
            }
        };
        let key = key_of(&pending).await?;
        *self.0.borrow_mut() = Some(Imported::Ready(key.clone()));
        Ok(key)
    }
}
