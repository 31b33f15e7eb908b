//! The cryptography in Rust, behind the `rust-crypto` feature: SHA256withRSA PKCS#1 v1.5
//! with the `rsa` crate (constant-time, blinded) and AES-256-GCM with `aes-gcm`. The native
//! API signs and verifies with it; on wasm32 it is the fallback where WebCrypto is missing,
//! exported by the extra module (`src/wasm/extra_exports.rs`). Re-exported where the rest
//! of the crate names each piece (`sign::RsaSigner`, `notify::aes_gcm_decrypt`,
//! `verify::verify`), so this is the one place that depends on the feature.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rsa::pkcs1::{DecodeRsaPrivateKey as _, DecodeRsaPublicKey as _};
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::signature::{SignatureEncoding as _, Signer as _, Verifier as _};
use sha2::Sha256;

use crate::error::{code, Error, Result};
use crate::keys::{KeyStore, MerchantKey, VerifyKey};
use crate::notify::{decrypt_failed, Apiv3Key, EncryptedResource, Envelope, Sealed};
use crate::sign::Signer;
use crate::verify::{mismatch, prepare, SignedHeaders};

/// The `rsa`-crate signer (constant-time, blinded).
pub struct RsaSigner {
    key: SigningKey<Sha256>,
}

impl core::fmt::Debug for RsaSigner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("RsaSigner(redacted)")
    }
}

impl RsaSigner {
    /// From a loaded merchant key; fails when the key's numbers are inconsistent.
    pub fn new(key: &MerchantKey) -> Result<Self> {
        Self::from_pkcs1_der(key.pkcs1_der())
    }

    /// From PKCS#1 `RSAPrivateKey` DER ([`MerchantKey::pkcs1_der`]).
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self> {
        let key = rsa::PrivateKey::from_pkcs1_der(der).map_err(|_| {
            Error::config(
                code::BAD_PRIVATE_KEY,
                "privateKey: the rsa crate rejects this RSA private key",
            )
        })?;
        Ok(Self {
            key: SigningKey::<Sha256>::new(key),
        })
    }
}

impl Signer for RsaSigner {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let sig: Signature = self.key.try_sign(message).map_err(|_| {
            Error::config(
                code::BAD_PRIVATE_KEY,
                "privateKey: RSA signing failed with this key",
            )
        })?;
        Ok(sig.to_vec())
    }
}

/// A SHA256withRSA PKCS#1 v1.5 verifier with the `rsa` crate.
#[derive(Debug, Clone)]
pub struct RsaVerifier {
    key: VerifyingKey<Sha256>,
}

impl RsaVerifier {
    /// From PKCS#1 `RSAPublicKey` DER ([`VerifyKey::pkcs1_der`]); `None` when it does not
    /// load.
    pub fn from_pkcs1_der(der: &[u8]) -> Option<Self> {
        let key = rsa::PublicKey::from_pkcs1_der(der).ok()?;
        Some(Self {
            key: VerifyingKey::<Sha256>::new(key),
        })
    }

    /// Whether `signature` (raw) is valid over `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(sig) = Signature::try_from(signature) else {
            return false;
        };
        self.key.verify(message, &sig).is_ok()
    }
}

/// Verifies a raw SHA256withRSA PKCS#1 v1.5 signature with the `rsa` crate.
pub fn rsa_verify(key: &VerifyKey, message: &[u8], signature: &[u8]) -> bool {
    RsaVerifier::from_pkcs1_der(key.pkcs1_der()).is_some_and(|v| v.verify(message, signature))
}

/// AES-256-GCM decryption with the `aes-gcm` crate; `None` on a tag mismatch.
pub fn aes_gcm_decrypt(key: &[u8], nonce: &[u8], aad: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    let cipher = Aes256Gcm::new_from_slice(key).ok()?;
    let nonce = Nonce::try_from(nonce).ok()?;
    cipher.decrypt(&nonce, Payload { msg: data, aad }).ok()
}

/// Decrypts a resource with the APIv3 key (`aes-gcm` crate); returns the plaintext bytes.
pub fn decrypt_resource(key: &Apiv3Key, resource: &EncryptedResource) -> Result<Vec<u8>> {
    resource.sealed()?.decrypt(key)
}

impl Sealed {
    /// Decrypts with the APIv3 key (`aes-gcm` crate); `DECRYPT_FAILED` on a tag mismatch.
    pub fn decrypt(&self, key: &Apiv3Key) -> Result<Vec<u8>> {
        aes_gcm_decrypt(key.expose_secret(), &self.nonce, &self.aad, &self.data)
            .ok_or_else(decrypt_failed)
    }
}

/// Parses the envelope, decrypts its resource (`aes-gcm` crate) and returns the envelope as
/// a JSON object with `resource` replaced by the decrypted JSON. Call only after the
/// signature verified.
pub fn open_envelope(
    key: &Apiv3Key,
    raw_body: &[u8],
) -> Result<serde_json::Map<String, serde_json::Value>> {
    let envelope = Envelope::parse(raw_body)?;
    let plain = envelope.sealed.decrypt(key)?;
    envelope.open(&plain).map(Into::into)
}

/// Runs every check including the RSA one with the `rsa` crate.
pub fn verify(headers: &SignedHeaders, body: &[u8], now_secs: i64, keys: &KeyStore) -> Result<()> {
    let p = prepare(headers, body, now_secs, keys)?;
    if rsa_verify(p.key, &p.message, &p.signature) {
        Ok(())
    } else {
        Err(mismatch(p.key.id()))
    }
}
