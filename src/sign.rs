//! Request signing: the canonical message, the `Authorization` header and the RSA signer.
//!
//! Message format (wechatpay-go `SignatureMessageFormat = "%s\n%s\n%d\n%s\n%s\n"`):
//! `METHOD\nPATH_AND_QUERY\nTIMESTAMP\nNONCE\nBODY\n`.

use base64ct::{Base64, Encoding};
#[cfg(feature = "rust-crypto")]
use rsa::pkcs1::{DecodeRsaPrivateKey as _, DecodeRsaPublicKey as _};
#[cfg(feature = "rust-crypto")]
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
#[cfg(feature = "rust-crypto")]
use rsa::signature::{SignatureEncoding as _, Signer as _, Verifier as _};
#[cfg(feature = "rust-crypto")]
use sha2::Sha256;

use crate::consts::{AUTH_SCHEME, NONCE_ALPHABET, NONCE_LEN};
use crate::error::{code, Error, Result};
#[cfg(feature = "rust-crypto")]
use crate::keys::{MerchantKey, VerifyKey};

/// Methods the APIv3 signs.
pub const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

/// Returns the path and query of `url` as it goes on the wire: an absolute URL loses its
/// scheme and host; a path is kept as given (query included, never re-encoded).
pub fn path_and_query(url: &str) -> Result<String> {
    let bad = |why: &str| Error::config(code::BAD_ARGUMENT, format!("url: {why}"));
    let rest = if let Some((scheme, rest)) = url.split_once("://") {
        if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
            return Err(bad("only http(s) URLs or absolute paths are signed"));
        }
        match rest.find(['/', '?']) {
            Some(i) => &rest[i..],
            None => "/",
        }
    } else {
        url
    };
    let rest = rest.split('#').next().unwrap_or_default();
    let rest = if rest.starts_with('?') {
        format!("/{rest}")
    } else {
        rest.to_owned()
    };
    if !rest.starts_with('/') {
        return Err(bad(
            "must be an absolute path such as /v3/... or a full URL",
        ));
    }
    if rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("must not contain spaces or control characters"));
    }
    Ok(rest)
}

/// Checks a nonce given by the caller: 1..=64 characters from `[0-9A-Za-z]`, the alphabet of
/// every official SDK's nonces.
pub fn check_nonce(nonce: &str) -> Result<()> {
    if nonce.is_empty() || nonce.len() > 64 || !nonce.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Error::config(
            code::BAD_ARGUMENT,
            "nonce: must be 1 to 64 characters from [0-9A-Za-z] (the SDKs use 32)",
        ));
    }
    Ok(())
}

/// Builds a 32-character nonce from `[0-9A-Za-z]` out of 32 random bytes (rejection
/// sampling keeps it uniform; the caller supplies the bytes, so this stays deterministic).
/// Returns `None` when the bytes ran out before 32 characters were drawn.
pub fn nonce_from_bytes(random: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(NONCE_LEN);
    for &b in random {
        // 248 = 4 * 62: values at or above it would bias the result.
        if b < 248 {
            out.push(char::from(NONCE_ALPHABET[usize::from(b % 62)]));
            if out.len() == NONCE_LEN {
                return Some(out);
            }
        }
    }
    None
}

/// The request signing message.
pub fn request_message(
    method: &str,
    path_and_query: &str,
    timestamp: i64,
    nonce: &str,
    body: &str,
) -> String {
    format!("{method}\n{path_and_query}\n{timestamp}\n{nonce}\n{body}\n")
}

/// The signing message of a request as a caller gives it: the method upper-cased and
/// checked, the path and query taken from `url` (a path or a full URL), the nonce checked.
pub fn checked_request_message(
    method: &str,
    url: &str,
    timestamp: i64,
    nonce: &str,
    body: &str,
) -> Result<String> {
    let method = normalise_method(method)?;
    let path = path_and_query(url)?;
    check_nonce(nonce)?;
    Ok(request_message(&method, &path, timestamp, nonce, body))
}

/// Upper-cases and checks an HTTP method.
pub fn normalise_method(method: &str) -> Result<String> {
    let m = method.to_ascii_uppercase();
    if METHODS.contains(&m.as_str()) {
        Ok(m)
    } else {
        Err(Error::config(
            code::BAD_ARGUMENT,
            format!(
                "method: must be one of {}",
                crate::error::joined(METHODS.iter().copied(), ", ")
            ),
        ))
    }
}

/// The `Authorization` header value, fields in the order of the Go and Java SDKs.
pub fn authorization_header(
    mchid: &str,
    nonce: &str,
    timestamp: i64,
    serial_no: &str,
    signature_b64: &str,
) -> String {
    authorization_header_prefix(mchid, nonce, timestamp, serial_no)
        + &authorization_header_end(signature_b64)
}

/// The `Authorization` header up to the signature's opening quote; the header is this, then
/// [`authorization_header_end`] (the wasm layer adds that when WebCrypto has signed).
pub fn authorization_header_prefix(
    mchid: &str,
    nonce: &str,
    timestamp: i64,
    serial_no: &str,
) -> String {
    format!(
        "{AUTH_SCHEME} mchid=\"{mchid}\",nonce_str=\"{nonce}\",timestamp=\"{timestamp}\",serial_no=\"{serial_no}\",signature=\""
    )
}

/// The rest of the `Authorization` header after [`authorization_header_prefix`]: the
/// signature in base64 and its closing quote.
pub fn authorization_header_end(signature_b64: &str) -> String {
    format!("{signature_b64}\"")
}

/// Something that signs with SHA256withRSA PKCS#1 v1.5 (the core's `rsa` signer; the wasm
/// layer uses WebCrypto, or this signer from the fallback module).
pub trait Signer {
    /// Returns the raw signature.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>>;
}

/// The `rsa`-crate signer (constant-time, blinded).
#[cfg(feature = "rust-crypto")]
pub struct RsaSigner {
    key: SigningKey<Sha256>,
}

#[cfg(feature = "rust-crypto")]
impl core::fmt::Debug for RsaSigner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("RsaSigner(redacted)")
    }
}

#[cfg(feature = "rust-crypto")]
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

#[cfg(feature = "rust-crypto")]
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

/// Signs `message` and returns base64.
pub fn sign_base64(signer: &dyn Signer, message: &[u8]) -> Result<String> {
    Ok(Base64::encode_string(&signer.sign(message)?))
}

/// A SHA256withRSA PKCS#1 v1.5 verifier with the `rsa` crate.
#[cfg(feature = "rust-crypto")]
#[derive(Debug, Clone)]
pub struct RsaVerifier {
    key: VerifyingKey<Sha256>,
}

#[cfg(feature = "rust-crypto")]
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
#[cfg(feature = "rust-crypto")]
pub fn rsa_verify(key: &VerifyKey, message: &[u8], signature: &[u8]) -> bool {
    RsaVerifier::from_pkcs1_der(key.pkcs1_der()).is_some_and(|v| v.verify(message, signature))
}
