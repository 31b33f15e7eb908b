//! Key material: the merchant's signing key and WeChat Pay's verification keys by id.
//!
//! `Debug` of every type here is redacted; errors name the option, never the key.

use core::fmt;

use base64ct::Encoding as _;
use pkcs1::{RsaPrivateKeyRef, RsaPublicKeyRef};
use pkcs8::der::asn1::OctetStringRef;
use pkcs8::der::{Decode, Encode};
use pkcs8::PrivateKeyInfoRef;
use spki::SubjectPublicKeyInfoRef;

pub mod cert;
use zeroize::Zeroizing;

use crate::error::{code, Error, Result};

/// Smallest RSA modulus accepted (WeChat Pay keys are 2048-bit).
pub const MIN_RSA_BITS: usize = 2048;

/// The merchant API private key, read once: its PKCS#8 DER (what WebCrypto imports and the
/// `rsa` crate loads) and its size. The DER is wiped when the key is dropped.
pub struct MerchantKey {
    pkcs8_der: Zeroizing<Vec<u8>>,
    public_spki_der: Vec<u8>,
    bits: usize,
}

impl fmt::Debug for MerchantKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MerchantKey({} bits, redacted)", self.bits)
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

/// A short description of a DER error: where it happened and its broad kind. (der's own
/// `Display` names every tag and OID it knows, which cost several KB of the main module.)
fn der_error(e: &der::Error) -> String {
    let what = match e.kind() {
        der::ErrorKind::Incomplete { .. } => "the data ends too early",
        der::ErrorKind::TrailingData { .. } => "extra data after the certificate",
        der::ErrorKind::TagUnexpected { .. } | der::ErrorKind::TagUnknown { .. } => {
            "an unexpected element"
        }
        der::ErrorKind::DateTime => "a bad date",
        _ => "malformed DER",
    };
    match e.position() {
        Some(at) => format!("{what} at byte {}", u32::from(at)),
        None => what.to_owned(),
    }
}

/// Size in bits of a big-endian unsigned integer (leading zeros already stripped by DER).
fn bit_len(be: &[u8]) -> usize {
    match be.first() {
        None => 0,
        Some(&top) => be.len() * 8 - top.leading_zeros() as usize,
    }
}

/// Wraps a PKCS#1 `RSAPublicKey` (DER) in a SubjectPublicKeyInfo (what WebCrypto imports).
fn spki_of_pkcs1_public(pkcs1_der: &[u8]) -> Option<Vec<u8>> {
    SubjectPublicKeyInfoRef {
        algorithm: pkcs1::ALGORITHM_ID,
        subject_public_key: spki::der::asn1::BitStringRef::from_bytes(pkcs1_der).ok()?,
    }
    .to_der()
    .ok()
}

/// Checks a PKCS#1 `RSAPrivateKey` structure; returns the modulus size in bits and the
/// public half as SPKI DER.
fn pkcs1_private(der: &[u8]) -> Option<(usize, Vec<u8>)> {
    let key = RsaPrivateKeyRef::from_der(der).ok()?;
    if key.other_prime_infos.is_some() {
        return None;
    }
    let public = spki_of_pkcs1_public(&key.public_key().to_der().ok()?)?;
    Some((bit_len(key.modulus.as_bytes()), public))
}

/// The DER bytes of the `label` block of a normalised PEM (RFC 7468: base64 lines between
/// `-----BEGIN label-----` and `-----END label-----`). Decoded with `base64ct` from the lines
/// `normalise_pem` already split: pem-rfc7468's own line decoder cost 3 KB of the gzipped
/// main module (measured) for nothing more here.
fn pem_decode(pem: &str, label: &str) -> Option<Zeroizing<Vec<u8>>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut b64 = Zeroizing::new(String::new());
    for line in pem.lines().skip_while(|l| *l != begin).skip(1) {
        if line == end {
            let der = base64ct::Base64::decode_vec(&b64).ok()?;
            return (!der.is_empty()).then(|| Zeroizing::new(der));
        }
        b64.push_str(line);
    }
    None
}

impl MerchantKey {
    /// Loads a PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`) PEM. The
    /// structure is checked here (an RSA key, 2048 bits or more); the arithmetic is left to
    /// WebCrypto or the `rsa` crate, which reject an inconsistent key when they load it.
    pub fn from_pem(pem: &str) -> Result<Self> {
        let pem = normalise_pem(pem);
        let (pkcs8_der, bits, public_spki_der) = if pem.contains("-----BEGIN PRIVATE KEY-----") {
            let der = pem_decode(&pem, "PRIVATE KEY")
                .ok_or_else(|| bad_private_key("the PKCS#8 PEM does not decode"))?;
            let (bits, public) = PrivateKeyInfoRef::from_der(&der)
                .ok()
                .filter(|info| info.algorithm.oid == pkcs1::ALGORITHM_OID)
                .and_then(|info| pkcs1_private(info.private_key.as_bytes()))
                .ok_or_else(|| {
                    bad_private_key("the PKCS#8 PEM does not parse as an RSA private key")
                })?;
            (der, bits, public)
        } else if pem.contains("-----BEGIN RSA PRIVATE KEY-----") {
            let pkcs1_der = pem_decode(&pem, "RSA PRIVATE KEY")
                .ok_or_else(|| bad_private_key("the PKCS#1 PEM does not decode"))?;
            let (bits, public) = pkcs1_private(&pkcs1_der).ok_or_else(|| {
                bad_private_key("the PKCS#1 PEM does not parse as an RSA private key")
            })?;
            // WebCrypto imports PKCS#8 only: wrap the PKCS#1 key in a PrivateKeyInfo.
            let octets = OctetStringRef::new(&pkcs1_der)
                .map_err(|_| bad_private_key("the PKCS#1 key is too large"))?;
            let der = PrivateKeyInfoRef::new(pkcs1::ALGORITHM_ID, octets)
                .to_der()
                .map_err(|_| bad_private_key("the key cannot be re-encoded as PKCS#8"))?;
            (Zeroizing::new(der), bits, public)
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
        let key = Self {
            pkcs8_der,
            public_spki_der,
            bits,
        };
        if bits < MIN_RSA_BITS {
            return Err(bad_private_key(&format!(
                "the RSA key has {bits} bits; WeChat Pay merchant keys have {MIN_RSA_BITS}"
            )));
        }
        Ok(key)
    }

    /// PKCS#8 DER (for WebCrypto `importKey('pkcs8', ...)`), whatever the input format was.
    pub fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8_der
    }

    /// Modulus size in bits.
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// The public half (n, e) as SPKI DER: checks that the key's numbers agree, by verifying
    /// a signature made with the private half.
    pub fn public_spki_der(&self) -> &[u8] {
        &self.public_spki_der
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

/// One WeChat Pay verification key: an RSA public key as SPKI DER.
#[derive(Clone)]
pub struct VerifyKey {
    id: String,
    source: KeySource,
    spki_der: Vec<u8>,
    bits: usize,
}

impl fmt::Debug for VerifyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyKey")
            .field("id", &self.id)
            .field("source", &self.source)
            .field("bits", &self.bits)
            .finish_non_exhaustive()
    }
}

/// Checks an SPKI structure holding an RSA public key; returns the modulus size in bits.
fn rsa_spki_bits(der: &[u8]) -> Option<usize> {
    let spki = SubjectPublicKeyInfoRef::from_der(der).ok()?;
    if spki.algorithm.oid != pkcs1::ALGORITHM_OID {
        return None;
    }
    let key = RsaPublicKeyRef::from_der(spki.subject_public_key.as_bytes()?).ok()?;
    Some(bit_len(key.modulus.as_bytes()))
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
    /// SPKI DER (for WebCrypto `importKey('spki', ...)` and the `rsa` crate).
    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }
    /// Modulus size in bits.
    pub fn bits(&self) -> usize {
        self.bits
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
        let (source, spki_der) = if pem.contains("-----BEGIN CERTIFICATE-----") {
            let der = pem_decode(&pem, "CERTIFICATE")
                .ok_or_else(|| bad("the certificate PEM does not decode".into()))?;
            let cert = cert::Certificate::from_der(&der).map_err(|e| {
                bad(format!(
                    "the X.509 certificate does not parse ({})",
                    der_error(&e)
                ))
            })?;
            let tbs = &cert.tbs;
            let serial = hex_upper(tbs.serial_number.as_bytes());
            if trim_hex(&serial) != trim_hex(&id.to_ascii_uppercase()) {
                return Err(Error::config(
                    code::CERT_SERIAL_MISMATCH,
                    format!("certs[\"{id}\"]: the certificate's serial is {serial}, not the id it is configured under; use the serial as its id"),
                ));
            }
            let validity = &tbs.validity;
            let not_after = validity.not_after.unix_secs();
            let not_before = validity.not_before.unix_secs();
            if now_secs > not_after {
                return Err(Error::config(
                    code::CERT_EXPIRED,
                    format!("certs[\"{id}\"]: the platform certificate expired at {} (unix {not_after}); download the current one, or switch to the WeChat Pay public key", validity.not_after.date_time()),
                ));
            }
            if now_secs < not_before {
                return Err(Error::config(
                    code::CERT_EXPIRED,
                    format!(
                        "certs[\"{id}\"]: the platform certificate is not valid before {}",
                        validity.not_before.date_time()
                    ),
                ));
            }
            let der = tbs.subject_public_key_info.to_der().map_err(|e| {
                bad(format!(
                    "the certificate's public key does not encode ({})",
                    der_error(&e)
                ))
            })?;
            (KeySource::Certificate, der)
        } else if pem.contains("-----BEGIN PUBLIC KEY-----") {
            let der = pem_decode(&pem, "PUBLIC KEY")
                .ok_or_else(|| bad("the public key PEM does not decode".into()))?;
            (KeySource::PublicKey, der.to_vec())
        } else if pem.contains("-----BEGIN RSA PUBLIC KEY-----") {
            let pkcs1_der = pem_decode(&pem, "RSA PUBLIC KEY")
                .ok_or_else(|| bad("the PKCS#1 public key PEM does not decode".into()))?;
            RsaPublicKeyRef::from_der(&pkcs1_der)
                .map_err(|_| bad("the PKCS#1 public key PEM does not parse".into()))?;
            // WebCrypto imports SPKI only: wrap the PKCS#1 key in a SubjectPublicKeyInfo.
            let der = spki_of_pkcs1_public(&pkcs1_der)
                .ok_or_else(|| bad("the public key cannot be encoded as SPKI".into()))?;
            (KeySource::PublicKey, der)
        } else if pem.contains("PRIVATE KEY-----") {
            return Err(bad(
                "this is a private key; certs takes WeChat Pay's public key (pub_key.pem) or platform certificate".into(),
            ));
        } else {
            return Err(bad(
                "expected a public key PEM (BEGIN PUBLIC KEY) or a certificate PEM (BEGIN CERTIFICATE)".into(),
            ));
        };
        let what = match source {
            KeySource::Certificate => "the certificate does not hold an RSA public key",
            KeySource::PublicKey => "the public key PEM does not parse as an RSA SPKI key",
        };
        let bits = rsa_spki_bits(&spki_der).ok_or_else(|| bad(what.into()))?;
        if bits < MIN_RSA_BITS {
            return Err(bad(format!(
                "the RSA key has {bits} bits; WeChat Pay keys have {MIN_RSA_BITS}"
            )));
        }
        Ok(Self {
            id: id.to_owned(),
            source,
            spki_der,
            bits,
        })
    }
}

fn hex_upper(bytes: &[u8]) -> String {
    // Not format!("{b:02X}"): the padded-hex formatting machinery for one call site.
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
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
/// a migration). Kept sorted by id in a `Vec` (a handful of keys; a `BTreeMap` cost 1 KB of
/// the gzipped wasm module).
#[derive(Debug, Clone, Default)]
pub struct KeyStore {
    keys: Vec<VerifyKey>,
}

impl KeyStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a key, replacing one with the same id.
    pub fn insert(&mut self, key: VerifyKey) {
        match self.keys.binary_search_by(|k| k.id.as_str().cmp(&key.id)) {
            Ok(at) => self.keys[at] = key,
            Err(at) => self.keys.insert(at, key),
        }
    }

    /// Finds a key by id: exact match first, then ignoring case (certificate serials are hex).
    pub fn get(&self, id: &str) -> Option<&VerifyKey> {
        self.keys
            .iter()
            .find(|k| k.id == id)
            .or_else(|| self.keys.iter().find(|k| k.id.eq_ignore_ascii_case(id)))
    }

    /// The known ids, sorted.
    pub fn ids(&self) -> Vec<&str> {
        self.keys.iter().map(|k| k.id.as_str()).collect()
    }

    /// The id to send as `Wechatpay-Serial` on requests: the first WeChat Pay public key (by
    /// id), else the first certificate.
    pub fn preferred_id(&self) -> Option<&str> {
        self.keys
            .iter()
            .find(|k| k.source == KeySource::PublicKey)
            .or_else(|| self.keys.first())
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
