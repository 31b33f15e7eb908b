//! The fallback compiled into this build (features `rust-crypto` and `qr`: tests, builds of
//! the whole crate): [`crate::rust_crypto`] and [`crate::qr`] called directly.

use wasm_bindgen::JsValue;

use super::LoadError;
use crate::sign::{RsaSigner, RsaVerifier, Signer as _};
use crate::wasm::errors::JsErr;

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

/// The SVG QR code of `text` ([`crate::qr::svg`]).
pub async fn qr_svg(text: &str, size: u32) -> Result<String, JsErr> {
    crate::qr::svg(text, size).map_err(JsErr::from)
}

/// Nothing to load: the code is inside.
pub fn set_loader(loader: js_sys::Function) {
    drop(loader);
}
