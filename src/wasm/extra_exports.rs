//! The extra module (`wechatpay_wasm_extra_bg.wasm`): what few clients need, kept out of the
//! main module so that the module every runtime loads stays small. SHA256withRSA PKCS#1 v1.5
//! with the `rsa` crate and AES-256-GCM with `aes-gcm`, for runtimes without WebCrypto (or
//! `crypto: 'rust'`), and the QR renderer. The package builds it apart from the main module
//! (features `rust-crypto` and `qr`, without `js`) and loads it on first use; the main module
//! calls these exports through `src/wasm/fallback/loaded.rs`. Keys arrive as DER made by the main
//! module; errors never carry key material.

use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use crate::sign::{RsaSigner, RsaVerifier, Signer as _};

/// A loaded signing key.
#[wasm_bindgen(js_name = RsaSigningKey)]
pub struct RsaSigningKey(RsaSigner);

#[wasm_bindgen(js_class = RsaSigningKey)]
impl RsaSigningKey {
    /// The raw signature of `message`.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, JsError> {
        self.0
            .sign(message)
            .map_err(|e| JsError::new(&e.to_string()))
    }
}

/// A loaded verifying key.
#[wasm_bindgen(js_name = RsaVerifyingKey)]
pub struct RsaVerifyingKey(RsaVerifier);

#[wasm_bindgen(js_class = RsaVerifyingKey)]
impl RsaVerifyingKey {
    /// Whether `signature` (raw) is valid over `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        self.0.verify(message, signature)
    }
}

/// Loads a PKCS#1 `RSAPrivateKey` DER private key (the numbers are checked). Taken as an
/// owned buffer, wiped before it is freed (a `&[u8]` argument is freed by the glue as is).
#[wasm_bindgen(js_name = rsaSigner)]
pub fn rsa_signer(pkcs1_der: Vec<u8>) -> Result<RsaSigningKey, JsError> {
    let pkcs1_der = Zeroizing::new(pkcs1_der);
    RsaSigner::from_pkcs1_der(&pkcs1_der)
        .map(RsaSigningKey)
        .map_err(|e| JsError::new(&e.to_string()))
}

/// Loads a PKCS#1 `RSAPublicKey` DER public key.
#[wasm_bindgen(js_name = rsaVerifier)]
pub fn rsa_verifier(pkcs1_der: &[u8]) -> Result<RsaVerifyingKey, JsError> {
    RsaVerifier::from_pkcs1_der(pkcs1_der)
        .map(RsaVerifyingKey)
        .ok_or_else(|| JsError::new("not an RSA public key"))
}

/// AES-256-GCM decryption (`data` = ciphertext then 16-byte tag); `undefined` when the tag
/// does not match or the sizes are wrong. The key is wiped before it is freed.
#[wasm_bindgen(js_name = aesGcmDecrypt)]
pub fn aes_gcm_decrypt(key: Vec<u8>, nonce: &[u8], aad: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    let key = Zeroizing::new(key);
    crate::notify::aes_gcm_decrypt(&key, nonce, aad, data)
}

/// The SVG QR code of `text`, at least `size` pixels wide (`crate::qr::svg`).
#[wasm_bindgen(js_name = qrSvg)]
pub fn qr_svg(text: &str, size: u32) -> Result<String, JsError> {
    crate::qr::svg(text, size).map_err(|e| JsError::new(&e.to_string()))
}
