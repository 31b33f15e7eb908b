//! The cryptography a client runs: signing with the merchant key, verifying answers and
//! notifications, decrypting resources; on WebCrypto when the client has it, else on the
//! `rsa`/`aes-gcm` fallback ([`super::fallback`]), each key imported once.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::SubtleCrypto;
use zeroize::Zeroizing;

use super::client::Inner;
use super::errors::{message_of, JsErr};
use super::{crypto, fallback, promise_of_future};
use crate::error::code;
use crate::keys::{KeyStore, MerchantKey};
use crate::notify::{self, Apiv3Key};
use crate::verify::{self, SignedHeaders};

fn inconsistent_key() -> JsErr {
    JsErr::config(
        code::BAD_PRIVATE_KEY,
        "privateKey: the key's numbers do not agree (its public half does not verify its signature); the PEM is damaged, use the apiclient_key.pem downloaded from the merchant platform",
    )
}

impl Inner {
    pub(super) async fn sign(&self, message: &[u8]) -> Result<Vec<u8>, JsErr> {
        let merchant = match (&self.signer, &self.merchant) {
            (Some(signer), _) => return self.external_sign(signer, message).await,
            (None, Some(merchant)) => merchant,
            // The options give one of the two (config::key_or_signer).
            (None, None) => return Err(JsErr::config(
                code::BAD_PRIVATE_KEY,
                "privateKey: is required (the merchant API private key PEM, or a signer function)",
            )),
        };
        let Some(subtle) = &self.subtle else {
            return self.rust_sign(merchant, message).await;
        };
        // Once the key is checked: sign, without the first call's cell.
        if let Some(key) = self.sign_key.ready() {
            return sign_with(subtle, &key, message).await;
        }
        // The first call imports and checks the key with its own message: the signature the
        // check verified is this call's signature (one RSA signature, not a probe's and then
        // this one's). Calls that arrive while the check runs wait for it, then sign.
        let checked = Rc::new(RefCell::new(None));
        let key = self
            .sign_key
            .get(&|| {
                Ok(checked_private_key(
                    subtle,
                    merchant,
                    message,
                    checked.clone(),
                ))
            })
            .await
            .map_err(|e| match message_of(&e).as_deref() {
                Some(KEY_INCONSISTENT) => inconsistent_key(),
                Some(KEY_SIGN_FAILED) => JsErr::config(code::BAD_PRIVATE_KEY, SIGN_FAILED),
                _ => JsErr::config(
                    code::BAD_PRIVATE_KEY,
                    "privateKey: WebCrypto refused to import the key",
                ),
            })?;
        if let Some(signature) = checked.borrow_mut().take() {
            return Ok(signature);
        }
        sign_with(subtle, &key, message).await
    }

    /// The `rsa`-crate signer, loaded on first use (the fallback module, or this build's).
    async fn rust_sign(&self, merchant: &MerchantKey, message: &[u8]) -> Result<Vec<u8>, JsErr> {
        let cached = self.rust_signer.borrow().clone();
        let signer = match cached {
            Some(s) => s,
            None => {
                let s = Rc::new(
                    crypto::RustSigner::load(merchant.pkcs1_der())
                        .await
                        .map_err(|e| key_or_unavailable(e, inconsistent_key))?,
                );
                *self.rust_signer.borrow_mut() = Some(s.clone());
                s
            }
        };
        signer.sign(message).map_err(|_| {
            JsErr::config(
                code::BAD_PRIVATE_KEY,
                "privateKey: the rsa crate could not sign (no random numbers for blinding?)",
            )
        })
    }

    /// The `rsa`-crate verifier of key `id`, loaded on first use.
    async fn rust_verify(
        &self,
        id: &str,
        pkcs1_der: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<bool, JsErr> {
        let cached = self
            .rust_verifiers
            .borrow()
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, v)| v.clone());
        let verifier = match cached {
            Some(v) => v,
            None => {
                let v = Rc::new(crypto::RustVerifier::load(pkcs1_der).await.map_err(|e| {
                    key_or_unavailable(e, || {
                        JsErr::config(
                            code::BAD_CERT,
                            format!("certs[\"{id}\"]: the rsa crate refused the key"),
                        )
                    })
                })?);
                self.rust_verifiers
                    .borrow_mut()
                    .push((id.to_owned(), v.clone()));
                v
            }
        };
        verifier.verify(message, signature)
    }

    /// Starts the AES-256-GCM decryption with the APIv3 key on WebCrypto (importing the key
    /// on first use). `None` on the Rust fallback ([`crypto::rust_aes_gcm_decrypt`]).
    pub(super) async fn start_decrypt(
        &self,
        key: &Apiv3Key,
        s: &notify::Sealed,
    ) -> Result<Option<JsFuture>, JsErr> {
        let Some(subtle) = &self.subtle else {
            return Ok(None);
        };
        let aes = self
            .aes_key
            .get(&|| crypto::import_aes(subtle, key.expose_secret()))
            .await
            .map_err(|_| {
                JsErr::config(
                    code::BAD_APIV3_KEY,
                    "apiv3Key: WebCrypto refused to import it as an AES-256 key",
                )
            })?;
        crypto::start_aes_gcm_decrypt(subtle, &aes, &s.nonce, &s.aad, &s.data)
            .map(Some)
            .map_err(|_| {
                JsErr::config(code::BAD_APIV3_KEY, "apiv3Key: WebCrypto could not decrypt")
            })
    }

    /// Checks a signed answer: the certificates it needs first ([`Self::ensure_certificates`]),
    /// then headers, clock, key id and RSA (WebCrypto or `rsa`).
    pub(super) async fn verify(&self, headers: &SignedHeaders, body: &[u8]) -> Result<(), JsErr> {
        self.ensure_certificates(headers.serial.as_deref()).await?;
        self.verify_with(headers, body, None).await
    }

    /// [`Self::verify`] with the keys held, or with `list` (a certificate download's own
    /// certificates: its failures are then [`crate::certs::answer_refused`]).
    pub(super) async fn verify_with(
        &self,
        headers: &SignedHeaders,
        body: &[u8],
        list: Option<&KeyStore>,
    ) -> Result<(), JsErr> {
        let refused = |e: crate::error::Error| match list {
            Some(_) => JsErr::from(crate::certs::answer_refused(e)),
            None => JsErr::from(e),
        };
        let now = self.now_secs()?;
        let (key, message, signature) = {
            let held = self.keys.borrow();
            let p = verify::prepare(headers, body, now, list.unwrap_or(&held)).map_err(refused)?;
            (p.key.clone(), p.message, p.signature)
        };
        let id = key.id().to_owned();
        let cache = self
            .verify_keys
            .borrow()
            .iter()
            .find(|(k, _)| *k == id)
            .map(|(_, c)| c.clone());
        let cache = cache.unwrap_or_else(|| {
            let c = Rc::new(crypto::KeyCache::default());
            self.verify_keys.borrow_mut().push((id.clone(), c.clone()));
            c
        });
        let ok = match &self.subtle {
            Some(subtle) => {
                let imported = cache
                    .get(&|| crypto::import_rsa(subtle, key.jwk(), "verify"))
                    .await
                    .map_err(|_| {
                        JsErr::config(
                            code::BAD_CERT,
                            format!("certs[\"{id}\"]: WebCrypto refused to import the key"),
                        )
                    })?;
                crypto::verify(subtle, &imported, &signature, &message)
                    .await
                    .unwrap_or(false)
            }
            None => {
                self.rust_verify(&id, key.pkcs1_der(), &message, &signature)
                    .await?
            }
        };
        if ok {
            Ok(())
        } else {
            Err(refused(verify::mismatch(&id)))
        }
    }
}

pub(super) const SIGN_FAILED: &str = "privateKey: WebCrypto could not sign with the key";
/// The message of the rejection of [`checked_private_key`] when the check fails.
const KEY_INCONSISTENT: &str = "KEY_INCONSISTENT";
/// The message of the rejection of [`checked_private_key`] when WebCrypto's signing or
/// verifying fails (not the import): [`SIGN_FAILED`], as on any later call.
const KEY_SIGN_FAILED: &str = "KEY_SIGN_FAILED";

/// Signs with the imported merchant key; a refusal is [`SIGN_FAILED`].
async fn sign_with(
    subtle: &SubtleCrypto,
    key: &web_sys::CryptoKey,
    message: &[u8],
) -> Result<Vec<u8>, JsErr> {
    crypto::sign_with_key(subtle, key, message)
        .await
        .map_err(|_| JsErr::config(code::BAD_PRIVATE_KEY, SIGN_FAILED))
}

/// Imports the merchant key into WebCrypto, signs `message` (its public half imported
/// meanwhile) and verifies that signature with the public half, so that a key whose
/// numbers disagree (a damaged PEM) fails before any header is made, not at WeChat Pay.
/// Settles with the `CryptoKey` once `signature` holds the checked signature of `message`;
/// rejects when an import fails, with `KEY_SIGN_FAILED` when the signing or verifying does,
/// or with `KEY_INCONSISTENT` when the check does.
fn checked_private_key(
    subtle: &SubtleCrypto,
    merchant: &MerchantKey,
    message: &[u8],
    signature: Rc<RefCell<Option<Vec<u8>>>>,
) -> Promise {
    let subtle = subtle.clone();
    let jwk = Zeroizing::new(merchant.jwk().to_owned());
    let public = merchant.public_jwk().to_owned();
    let message = message.to_vec();
    promise_of_future(async move {
        // The signature is started as soon as the private key is imported, and the public
        // half imported while WebCrypto's thread pool signs (the import runs on this thread).
        // A `JsFuture` handles its promise's rejection itself: one left behind by an early
        // return is never an unhandled rejection.
        let key: web_sys::CryptoKey = JsFuture::from(crypto::import_rsa(&subtle, &jwk, "sign")?)
            .await?
            .dyn_into()?;
        let sign_failed = |_| JsValue::from(js_sys::Error::new(KEY_SIGN_FAILED));
        let signing =
            JsFuture::from(crypto::start_sign(&subtle, &key, &message).map_err(sign_failed)?);
        let public: web_sys::CryptoKey =
            JsFuture::from(crypto::import_rsa(&subtle, &public, "verify")?)
                .await?
                .dyn_into()?;
        let sig = Uint8Array::new(&signing.await.map_err(sign_failed)?).to_vec();
        let verified = crypto::verify(&subtle, &public, &sig, &message)
            .await
            .map_err(sign_failed)?;
        if !verified {
            return Err(js_sys::Error::new(KEY_INCONSISTENT).into());
        }
        *signature.borrow_mut() = Some(sig);
        Ok(key.into())
    })
}

/// A key the Rust fallback refused (`refused`), or the extra module that failed to load.
fn key_or_unavailable(e: fallback::LoadError, refused: impl FnOnce() -> JsErr) -> JsErr {
    match e {
        fallback::LoadError::Unavailable(e) => e,
        fallback::LoadError::Refused => refused(),
    }
}
