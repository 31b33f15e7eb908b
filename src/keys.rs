//! Key material: the merchant's signing key and WeChat Pay's verification keys by id.
//!
//! `Debug` of every type here is redacted; errors name the option, never the key.

use core::fmt;
use std::collections::BTreeMap;

use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use rsa::traits::PublicKeyParts;
use rsa::{PrivateKey as RsaPrivateKey, PublicKey as RsaPublicKey};
use x509_cert::der::{DecodePem, Encode};
use x509_cert::Certificate;

use crate::error::{code, Error, Result};

/// Smallest RSA modulus accepted (WeChat Pay keys are 2048-bit).
pub const MIN_RSA_BITS: usize = 2048;

/// The merchant API private key, parsed once.
pub struct MerchantKey {
    key: RsaPrivateKey,
    pkcs8_der: Vec<u8>,
}

impl fmt::Debug for MerchantKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MerchantKey({} bits, redacted)", self.key.size() * 8)
    }
}

fn normalise_pem(pem: &str) -> String {
    let pem = pem.trim();
    // Keys pasted from env files often carry literal "\n".
    let pem = if !pem.contains('\n') && pem.contains("\\n") {
        pem.replace("\\n", "\n")
    } else {
        pem.to_owned()
    };
    pem.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn bad_private_key(why: &str) -> Error {
    Error::config(
        code::BAD_PRIVATE_KEY,
        format!("privateKey: {why} (expected the merchant API key apiclient_key.pem, PEM \"BEGIN PRIVATE KEY\" (PKCS#8) or \"BEGIN RSA PRIVATE KEY\" (PKCS#1))"),
    )
}

impl MerchantKey {
    /// Loads a PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`) PEM.
    pub fn from_pem(pem: &str) -> Result<Self> {
        let pem = normalise_pem(pem);
        let key = if pem.contains("-----BEGIN PRIVATE KEY-----") {
            RsaPrivateKey::from_pkcs8_pem(&pem).map_err(|_| {
                bad_private_key("the PKCS#8 PEM does not parse as an RSA private key")
            })?
        } else if pem.contains("-----BEGIN RSA PRIVATE KEY-----") {
            RsaPrivateKey::from_pkcs1_pem(&pem).map_err(|_| {
                bad_private_key("the PKCS#1 PEM does not parse as an RSA private key")
            })?
        } else if pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
            return Err(bad_private_key(
                "the key is encrypted; decrypt it first (openssl pkcs8 -in key.pem -out plain.pem)",
            ));
        } else if pem.contains("PUBLIC KEY-----") || pem.contains("CERTIFICATE-----") {
            return Err(bad_private_key(
                "this is a public key or certificate, not the private key",
            ));
        } else {
            return Err(bad_private_key("no PEM private key found"));
        };
        Self::from_key(key)
    }

    fn from_key(key: RsaPrivateKey) -> Result<Self> {
        let bits = key.size() * 8;
        if bits < MIN_RSA_BITS {
            return Err(bad_private_key(&format!(
                "the RSA key has {bits} bits; WeChat Pay merchant keys have {MIN_RSA_BITS}"
            )));
        }
        let pkcs8_der = key
            .to_pkcs8_der()
            .map_err(|_| bad_private_key("the key cannot be re-encoded as PKCS#8"))?
            .as_bytes()
            .to_vec();
        Ok(Self { key, pkcs8_der })
    }

    /// PKCS#8 DER (for WebCrypto `importKey('pkcs8', ...)`), whatever the input format was.
    pub fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8_der
    }

    /// The RSA key.
    pub fn rsa(&self) -> &RsaPrivateKey {
        &self.key
    }
}

/// Where a verification key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// A WeChat Pay public key (SPKI PEM, id `PUB_KEY_ID_...`).
    PublicKey,
    /// A platform certificate (X.509 PEM, id = its serial in hex).
    Certificate,
}

/// One WeChat Pay verification key.
#[derive(Clone)]
pub struct VerifyKey {
    id: String,
    source: KeySource,
    key: RsaPublicKey,
    spki_der: Vec<u8>,
}

impl fmt::Debug for VerifyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyKey")
            .field("id", &self.id)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl VerifyKey {
    /// Key id (the `Wechatpay-Serial` value that selects it).
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Public key or certificate.
    pub fn source(&self) -> KeySource {
        self.source
    }
    /// The RSA public key.
    pub fn rsa(&self) -> &RsaPublicKey {
        &self.key
    }
    /// SPKI DER (for WebCrypto `importKey('spki', ...)`).
    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// Parses one `certs` entry: an SPKI (or PKCS#1) public key PEM, or an X.509 certificate
    /// PEM whose serial must equal `id` (ignoring case and leading zeros) and which must be
    /// valid at `now_secs`.
    pub fn from_pem(id: &str, pem: &str, now_secs: i64) -> Result<Self> {
        let bad = |why: String| Error::config(code::BAD_CERT, format!("certs[\"{id}\"]: {why}"));
        if id.trim().is_empty() {
            return Err(Error::config(code::BAD_CERT, "certs: a key id is empty"));
        }
        let pem = normalise_pem(pem);
        if pem.contains("-----BEGIN CERTIFICATE-----") {
            let cert = Certificate::from_pem(pem.as_bytes())
                .map_err(|e| bad(format!("the X.509 certificate does not parse ({e})")))?;
            let tbs = cert.tbs_certificate();
            let serial = hex_upper(tbs.serial_number().as_bytes());
            if trim_hex(&serial) != trim_hex(&id.to_ascii_uppercase()) {
                return Err(Error::config(
                    code::CERT_SERIAL_MISMATCH,
                    format!("certs[\"{id}\"]: the certificate's serial is {serial}, not the id it is configured under; use the serial as its id"),
                ));
            }
            let validity = tbs.validity();
            let not_after = validity.not_after.to_unix_duration().as_secs() as i64;
            let not_before = validity.not_before.to_unix_duration().as_secs() as i64;
            if now_secs > not_after {
                return Err(Error::config(
                    code::CERT_EXPIRED,
                    format!("certs[\"{id}\"]: the platform certificate expired at {} (unix {not_after}); download the current one, or switch to the WeChat Pay public key", validity.not_after),
                ));
            }
            if now_secs < not_before {
                return Err(Error::config(
                    code::CERT_EXPIRED,
                    format!(
                        "certs[\"{id}\"]: the platform certificate is not valid before {}",
                        validity.not_before
                    ),
                ));
            }
            let spki_der = tbs.subject_public_key_info().to_der().map_err(|e| {
                bad(format!(
                    "the certificate's public key does not encode ({e})"
                ))
            })?;
            let key = RsaPublicKey::from_public_key_der(&spki_der)
                .map_err(|_| bad("the certificate does not hold an RSA public key".into()))?;
            return Ok(Self {
                id: id.to_owned(),
                source: KeySource::Certificate,
                key,
                spki_der,
            });
        }
        let key = if pem.contains("-----BEGIN PUBLIC KEY-----") {
            RsaPublicKey::from_public_key_pem(&pem)
                .map_err(|_| bad("the public key PEM does not parse as an RSA SPKI key".into()))?
        } else if pem.contains("-----BEGIN RSA PUBLIC KEY-----") {
            RsaPublicKey::from_pkcs1_pem(&pem)
                .map_err(|_| bad("the PKCS#1 public key PEM does not parse".into()))?
        } else if pem.contains("PRIVATE KEY-----") {
            return Err(bad(
                "this is a private key; certs takes WeChat Pay's public key (pub_key.pem) or platform certificate".into(),
            ));
        } else {
            return Err(bad(
                "expected a public key PEM (BEGIN PUBLIC KEY) or a certificate PEM (BEGIN CERTIFICATE)".into(),
            ));
        };
        let spki_der = key
            .to_public_key_der()
            .map_err(|_| bad("the public key cannot be encoded as SPKI".into()))?
            .as_bytes()
            .to_vec();
        Ok(Self {
            id: id.to_owned(),
            source: KeySource::PublicKey,
            key,
            spki_der,
        })
    }
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn trim_hex(s: &str) -> &str {
    let t = s.trim_start_matches('0');
    if t.is_empty() {
        "0"
    } else {
        t
    }
}

/// WeChat Pay verification keys by id (public keys and certificates side by side, as during
/// a migration).
#[derive(Debug, Clone, Default)]
pub struct KeyStore {
    keys: BTreeMap<String, VerifyKey>,
}

impl KeyStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a key.
    pub fn insert(&mut self, key: VerifyKey) {
        self.keys.insert(key.id.clone(), key);
    }

    /// Finds a key by id: exact match first, then ignoring case (certificate serials are hex).
    pub fn get(&self, id: &str) -> Option<&VerifyKey> {
        self.keys
            .get(id)
            .or_else(|| self.keys.values().find(|k| k.id.eq_ignore_ascii_case(id)))
    }

    /// The known ids.
    pub fn ids(&self) -> Vec<&str> {
        self.keys.keys().map(String::as_str).collect()
    }

    /// The id to send as `Wechatpay-Serial` on requests: the first WeChat Pay public key,
    /// else the first certificate.
    pub fn preferred_id(&self) -> Option<&str> {
        self.keys
            .values()
            .find(|k| k.source == KeySource::PublicKey)
            .or_else(|| self.keys.values().next())
            .map(|k| k.id.as_str())
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}
