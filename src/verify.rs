//! Checks on a signed answer (response or notification) before the RSA verification:
//! headers present, clock skew, key id known, signature decodable.
//!
//! Message format: `TIMESTAMP\nNONCE\nBODY\n` over the raw body bytes.

use base64ct::{Base64, Encoding};

use crate::consts::{header, MAX_CLOCK_SKEW_SECS, PROBE_SIGNATURE_PREFIX};
use crate::error::{brief, code, joined, quoted_brief, Error, Result};
use crate::keys::{KeyStore, VerifyKey};

/// The four `Wechatpay-*` headers of a signed answer, as received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignedHeaders {
    /// `Wechatpay-Timestamp`.
    pub timestamp: Option<String>,
    /// `Wechatpay-Nonce`.
    pub nonce: Option<String>,
    /// `Wechatpay-Signature`.
    pub signature: Option<String>,
    /// `Wechatpay-Serial`.
    pub serial: Option<String>,
}

/// A signed answer that passed the cheap checks; what is left is the RSA verification of
/// `message` against `signature` with `key`.
#[derive(Debug, Clone)]
pub struct PendingVerification<'k> {
    /// The key chosen by `Wechatpay-Serial`.
    pub key: &'k VerifyKey,
    /// `ts\nnonce\nbody\n`.
    pub message: Vec<u8>,
    /// The decoded signature.
    pub signature: Vec<u8>,
}

/// The answer verification message.
pub fn answer_message(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(timestamp.len() + nonce.len() + body.len() + 3);
    m.extend_from_slice(timestamp.as_bytes());
    m.push(b'\n');
    m.extend_from_slice(nonce.as_bytes());
    m.push(b'\n');
    m.extend_from_slice(body);
    m.push(b'\n');
    m
}

fn with_serial(err: Error, serial: &str) -> Error {
    match err {
        Error::Signature { code, message, .. } => Error::Signature {
            code,
            message,
            // The sender chose it: a prefix is enough to tell keys apart.
            serial: Some(brief(serial).to_owned()),
        },
        other => other,
    }
}

/// Runs every check but the RSA one, in the order of the spec: headers present, timestamp
/// within [`MAX_CLOCK_SKEW_SECS`] of `now_secs`, key id known (and, for a certificate, valid
/// at `now_secs`), signature decodable.
pub fn prepare<'k>(
    headers: &SignedHeaders,
    body: &[u8],
    now_secs: i64,
    keys: &'k KeyStore,
) -> Result<PendingVerification<'k>> {
    let missing: Vec<&str> = [
        (header::TIMESTAMP, &headers.timestamp),
        (header::NONCE, &headers.nonce),
        (header::SIGNATURE, &headers.signature),
        (header::SERIAL, &headers.serial),
    ]
    .iter()
    .filter(|(_, v)| v.as_deref().is_none_or(|s| s.trim().is_empty()))
    .map(|(n, _)| *n)
    .collect();
    let (Some(ts), Some(nonce), Some(sig), Some(serial)) = (
        headers.timestamp.as_deref(),
        headers.nonce.as_deref(),
        headers.signature.as_deref(),
        headers.serial.as_deref(),
    ) else {
        return Err(Error::signature(
            code::MISSING_HEADER,
            format!("the answer lacks the header(s) {}; it is not signed by WeChat Pay (a proxy may have stripped them)", joined(missing.iter().copied(), ", ")),
        ));
    };
    if !missing.is_empty() {
        return Err(Error::signature(
            code::MISSING_HEADER,
            format!(
                "the answer has empty header(s) {}",
                joined(missing.iter().copied(), ", ")
            ),
        ));
    }
    let ts = ts.trim();
    let ts_value: i64 = crate::text::integer(ts).ok_or_else(|| {
        Error::signature(
            code::TIMESTAMP_SKEW,
            format!("{} is not a Unix time in seconds", header::TIMESTAMP),
        )
    })?;
    let skew = now_secs.saturating_sub(ts_value);
    if skew.unsigned_abs() > MAX_CLOCK_SKEW_SECS.unsigned_abs() {
        return Err(Error::signature(
            code::TIMESTAMP_SKEW,
            format!("{} is {} s {} local time (at most {MAX_CLOCK_SKEW_SECS} s allowed): a replayed answer, or a wrong clock here", header::TIMESTAMP, skew.unsigned_abs(), if skew > 0 { "behind" } else { "ahead of" }),
        ));
    }
    let serial = serial.trim();
    let Some(key) = keys.get(serial) else {
        let known = keys.ids();
        return Err(with_serial(
            Error::signature(
                code::UNKNOWN_SERIAL,
                format!(
                    "the answer is signed with key {}, which is not in certs (known: {}); add that WeChat Pay public key or platform certificate",
                    quoted_brief(serial),
                    if known.is_empty() { "none".to_owned() } else { joined(known.iter().copied(), ", ") }
                ),
            ),
            serial,
        ));
    };
    // A certificate past its notAfter (or before its notBefore) signs nothing any more, however
    // long this client has run; as the official SDKs check at each verification.
    if let Err(Error::Config {
        message: expired, ..
    }) = key.check_valid_at(now_secs)
    {
        return Err(with_serial(
            Error::signature(
                code::CERT_EXPIRED,
                format!("the answer is signed with a certificate that is not valid now: {expired}"),
            ),
            serial,
        ));
    }
    let sig = sig.trim();
    if sig.starts_with(PROBE_SIGNATURE_PREFIX) {
        return Err(with_serial(
            Error::signature(
                code::BAD_SIGNATURE,
                "signature mismatch: this is a WeChat Pay probe (signature WECHATPAY/SIGNTEST/...), sent on purpose to check that you verify; rejecting it is expected",
            ),
            serial,
        ));
    }
    let signature = Base64::decode_vec(sig).map_err(|_| {
        with_serial(
            Error::signature(
                code::BAD_SIGNATURE,
                "signature mismatch: Wechatpay-Signature is not base64",
            ),
            serial,
        )
    })?;
    Ok(PendingVerification {
        key,
        message: answer_message(ts, nonce.trim(), body),
        signature,
    })
}

/// The error for a signature that does not verify.
pub fn mismatch(serial: &str) -> Error {
    with_serial(
        Error::signature(
            code::BAD_SIGNATURE,
            format!("signature mismatch: the answer does not verify with key \"{serial}\" (the body or headers were altered, or the key is wrong)"),
        ),
        serial,
    )
}

/// Every check including the RSA one, with the `rsa` crate ([`crate::rust_crypto`]).
#[cfg(feature = "rust-crypto")]
pub use crate::rust_crypto::verify;
