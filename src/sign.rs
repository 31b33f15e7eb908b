//! Request signing: the canonical message, the `Authorization` header and the RSA signer.
//!
//! Message format (wechatpay-go `SignatureMessageFormat = "%s\n%s\n%d\n%s\n%s\n"`):
//! `METHOD\nPATH_AND_QUERY\nTIMESTAMP\nNONCE\nBODY\n`.

use base64ct::{Base64, Encoding};

use crate::consts::{AUTH_SCHEME, NONCE_ALPHABET, NONCE_LEN};
use crate::error::{code, Error, Result};
/// The `rsa`-crate signer and verifier ([`crate::rust_crypto`]).
#[cfg(feature = "rust-crypto")]
pub use crate::rust_crypto::{rsa_verify, RsaSigner, RsaVerifier};

/// Methods the APIv3 signs.
pub const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

/// Returns the path and query of `url` as it goes on the wire: an absolute URL loses its
/// scheme and host; a path is kept as given (query included, never re-encoded).
pub fn path_and_query(url: &str) -> Result<String> {
    let bad = |why: &str| Error::config(code::BAD_ARGUMENT, format!("url: {why}"));
    let rest = if let Some((scheme, rest)) = crate::text::split_once(url, "://") {
        if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
            return Err(bad("only http(s) URLs or absolute paths are signed"));
        }
        // `get`, not `[i..]`: no panic path (`i` is a boundary: where '/' or '?' is).
        rest.bytes()
            .position(|b| b == b'/' || b == b'?')
            .and_then(|i| rest.get(i..))
            .unwrap_or("/")
    } else {
        url
    };
    let rest = crate::text::split(rest, b'#').next().unwrap_or_default();
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

/// Signs `message` and returns base64.
pub fn sign_base64(signer: &dyn Signer, message: &[u8]) -> Result<String> {
    Ok(Base64::encode_string(&signer.sign(message)?))
}
