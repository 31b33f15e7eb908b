//! The DER structures inside key files, read element by element with `der`'s `AnyRef`:
//! PKCS#8 `PrivateKeyInfo` (RFC 5208), PKCS#1 `RSAPrivateKey` and `RSAPublicKey` (RFC 8017
//! A.1), `SubjectPublicKeyInfo` and the fields of an X.509 certificate that a WeChat Pay
//! platform certificate is used for (RFC 5280 4.1: serial number, validity, public key).
//!
//! `der` checks every element here: tags, DER lengths, the canonical form of integers
//! (`UintRef`), bit strings and times. The layouts are walked by these few functions instead
//! of the `pkcs1`/`pkcs8`/`spki` types and a `der` derive: their generic decoders and the
//! encoders needed to re-wrap keys for WebCrypto cost 23 KB of the gzipped main module
//! (measured by building without any key parsing). Nothing is encoded here: WebCrypto
//! imports keys as JWK (`super::jwk`).

use der::asn1::{AnyRef, BitStringRef, GeneralizedTime, ObjectIdentifier, UintRef, UtcTime};
use der::{DateTime, Decode, Reader, SliceReader, Tag, Tagged};

/// `rsaEncryption` (RFC 8017 A.1): the algorithm of an RSA key in PKCS#8 and SPKI.
pub const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// The elements of the DER `SEQUENCE` `any`, in order.
fn elements(any: AnyRef<'_>) -> der::Result<Vec<AnyRef<'_>>> {
    any.tag().assert_eq(Tag::Sequence)?;
    let mut reader = SliceReader::new(any.value())?;
    let mut out = Vec::new();
    while !reader.is_finished() {
        out.push(AnyRef::decode(&mut reader)?);
    }
    Ok(out)
}

/// The elements of the `SEQUENCE` that is the whole of `der` (nothing may follow it).
fn sequence(der: &[u8]) -> der::Result<Vec<AnyRef<'_>>> {
    elements(AnyRef::from_der(der)?)
}

/// A non-negative `INTEGER`, big-endian without leading zeros (`UintRef`'s canonical check).
fn uint(any: AnyRef<'_>) -> Option<&[u8]> {
    UintRef::try_from(any).ok().map(|u| u.as_bytes())
}

fn is_zero(any: AnyRef<'_>) -> bool {
    uint(any).is_some_and(|b| b.iter().all(|&x| x == 0))
}

/// `AlgorithmIdentifier` of `rsaEncryption`, parameters `NULL` (RFC 8017) or absent.
fn is_rsa_algorithm(any: AnyRef<'_>) -> bool {
    match elements(any).as_deref() {
        Ok([oid, params @ ..]) => {
            oid.tag() == Tag::ObjectIdentifier
                && oid.value() == RSA_ENCRYPTION.as_bytes()
                && params.len() <= 1
                && params.iter().all(|p| p.is_null())
        }
        _ => false,
    }
}

/// The numbers of a two-prime `RSAPrivateKey`, big-endian.
pub struct RsaPrivateKey<'a> {
    /// `(JWK member name, value)` in `RSAPrivateKey` order: n, e, d, p, q, dp, dq, qi.
    pub numbers: [(&'static str, &'a [u8]); 8],
}

impl<'a> RsaPrivateKey<'a> {
    /// The modulus.
    pub fn modulus(&self) -> &'a [u8] {
        self.numbers[0].1
    }
}

/// Reads a PKCS#1 `RSAPrivateKey`: version 0 (two primes; multi-prime keys are refused)
/// and its eight integers.
pub fn rsa_private_key(der: &[u8]) -> Option<RsaPrivateKey<'_>> {
    const NAMES: [&str; 8] = ["n", "e", "d", "p", "q", "dp", "dq", "qi"];
    let items = sequence(der).ok()?;
    let [version, rest @ ..] = items.as_slice() else {
        return None;
    };
    if !is_zero(*version) || rest.len() != NAMES.len() {
        return None;
    }
    let mut numbers = [("", &[][..]); 8];
    for ((slot, name), item) in numbers.iter_mut().zip(NAMES).zip(rest) {
        *slot = (name, uint(*item)?);
    }
    Some(RsaPrivateKey { numbers })
}

/// The modulus and exponent of a PKCS#1 `RSAPublicKey`, big-endian.
pub struct RsaPublicKey<'a> {
    /// `n`.
    pub modulus: &'a [u8],
    /// `e`.
    pub exponent: &'a [u8],
}

/// Reads a PKCS#1 `RSAPublicKey`.
pub fn rsa_public_key(der: &[u8]) -> Option<RsaPublicKey<'_>> {
    match sequence(der).ok()?.as_slice() {
        [n, e] => Some(RsaPublicKey {
            modulus: uint(*n)?,
            exponent: uint(*e)?,
        }),
        _ => None,
    }
}

/// The `RSAPrivateKey` DER inside a PKCS#8 `PrivateKeyInfo` (version 0 or 1, algorithm
/// `rsaEncryption`; attributes and a public key may follow).
pub fn pkcs8_rsa(der: &[u8]) -> Option<&[u8]> {
    let items = sequence(der).ok()?;
    let [version, algorithm, key, optional @ ..] = items.as_slice() else {
        return None;
    };
    let version_ok = uint(*version).is_some_and(|v| v.len() == 1 && v[0] <= 1);
    // [0] attributes, [1] publicKey (RFC 5958)
    let optional_ok = optional_fields(optional, 0, 1).is_ok();
    (version_ok && optional_ok && is_rsa_algorithm(*algorithm) && key.tag() == Tag::OctetString)
        .then(|| key.value())
}

/// The `RSAPublicKey` DER inside a `SubjectPublicKeyInfo` of algorithm `rsaEncryption`.
fn spki_rsa(any: AnyRef<'_>) -> Option<&[u8]> {
    match elements(any).ok()?.as_slice() {
        [algorithm, key] if is_rsa_algorithm(*algorithm) => {
            BitStringRef::try_from(*key).ok()?.as_bytes()
        }
        _ => None,
    }
}

/// The `RSAPublicKey` DER inside the `SubjectPublicKeyInfo` that is the whole of `der`.
pub fn spki_rsa_der(der: &[u8]) -> Option<&[u8]> {
    spki_rsa(AnyRef::from_der(der).ok()?)
}

/// What a platform certificate is used for.
pub struct Certificate<'a> {
    /// The serial number, big-endian.
    pub serial: &'a [u8],
    /// Start of validity.
    pub not_before: DateTime,
    /// End of validity.
    pub not_after: DateTime,
    /// The `RSAPublicKey` DER of its key, or `None` when it holds no RSA key.
    pub rsa_public_key: Option<&'a [u8]>,
}

/// `Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }`.
fn time(any: AnyRef<'_>) -> der::Result<DateTime> {
    if any.tag() == Tag::UtcTime {
        Ok(UtcTime::try_from(any)?.to_date_time())
    } else {
        Ok(GeneralizedTime::try_from(any)?.to_date_time())
    }
}

/// Checks the optional trailing fields of a `SEQUENCE`: context-specific tags numbered
/// `first..=last`, each at most once, in increasing order.
fn optional_fields(fields: &[AnyRef<'_>], first: u32, last: u32) -> der::Result<()> {
    let mut next = first;
    for any in fields {
        let tag = any.tag();
        let n = tag.number().value();
        if !tag.is_context_specific() || n < next || n > last {
            return Err(tag.unexpected_error(None).into());
        }
        next = n + 1;
    }
    Ok(())
}

/// Reads a `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }`.
/// Its signature is not checked: the certificate is trusted because the merchant configured
/// it. Of the `TBSCertificate`, the version, serial, validity and key are read; the names
/// and extensions are checked to be DER elements of the right kind, and not read further.
pub fn certificate(der: &[u8]) -> der::Result<Certificate<'_>> {
    let outer = sequence(der)?;
    let [tbs, algorithm, signature] = outer.as_slice() else {
        return Err(der::ErrorKind::Length { tag: Tag::Sequence }.into());
    };
    algorithm.tag().assert_eq(Tag::Sequence)?;
    BitStringRef::try_from(*signature)?;
    let fields = elements(*tbs)?;
    // [0] EXPLICIT Version DEFAULT v1
    let fields = match fields.split_first() {
        Some((v, rest)) if v.tag().is_context_specific() && v.tag().number().value() == 0 => rest,
        _ => fields.as_slice(),
    };
    let [serial, sig_alg, issuer, validity, subject, spki, extra @ ..] = fields else {
        return Err(der::ErrorKind::Length { tag: Tag::Sequence }.into());
    };
    let serial = UintRef::try_from(*serial)?.as_bytes();
    for any in [sig_alg, issuer, subject, spki] {
        any.tag().assert_eq(Tag::Sequence)?;
    }
    // [1] issuerUniqueID, [2] subjectUniqueID, [3] extensions
    optional_fields(extra, 1, 3)?;
    let (not_before, not_after) = match elements(*validity)?.as_slice() {
        [from, to] => (time(*from)?, time(*to)?),
        _ => return Err(der::ErrorKind::Length { tag: Tag::Sequence }.into()),
    };
    Ok(Certificate {
        serial,
        not_before,
        not_after,
        rsa_public_key: spki_rsa(*spki),
    })
}
