//! Key material: the merchant's signing key and WeChat Pay's verification keys by id.
//!
//! `Debug` of every type here is redacted; errors name the option, never the key.
//!
//! Keys are read once (PEM, then the DER structures of [`asn1`]) and kept in two forms: the
//! PKCS#1 DER that the `rsa` crate loads, and a JWK (RFC 7517/7518) that WebCrypto imports.

use core::fmt;

use base64ct::{Base64UrlUnpadded, Encoding as _};
use zeroize::Zeroizing;

pub mod asn1;
mod store;

pub use store::KeyStore;

use crate::error::{code, Error, Result};
use crate::text::contains;

/// Smallest RSA modulus accepted (WeChat Pay keys are 2048-bit).
pub const MIN_RSA_BITS: usize = 2048;

/// The merchant API private key, read once: its PKCS#1 DER (what the `rsa` crate loads), its
/// JWK (what WebCrypto imports), the JWK of its public half, and its size. The DER and the
/// JWK are wiped when the key is dropped.
pub struct MerchantKey {
    pkcs1_der: Zeroizing<Vec<u8>>,
    jwk: Zeroizing<String>,
    public_jwk: String,
    bits: usize,
}

impl fmt::Debug for MerchantKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MerchantKey({} bits, redacted)", self.bits)
    }
}

/// The PEM with each line trimmed and blank lines dropped, every line ending in `\n`. Each
/// buffer is sized up front (the text never grows) and wiped on drop: no reallocation leaves
/// a copy of a private key behind.
fn normalise_pem(pem: &str) -> Zeroizing<String> {
    let pem = pem.trim();
    // Keys pasted from env files often carry literal "\n".
    let escaped = !contains(pem, "\n") && contains(pem, "\\n");
    let mut text = Zeroizing::new(String::with_capacity(pem.len()));
    let mut chars = pem.chars();
    while let Some(c) = chars.next() {
        if escaped && c == '\\' && chars.as_str().starts_with('n') {
            chars.next();
            text.push('\n');
        } else {
            text.push(c);
        }
    }
    let mut out = Zeroizing::new(String::with_capacity(pem.len() + 1));
    for line in crate::text::lines(&text)
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn bad_private_key(why: &str) -> Error {
    Error::config(
        code::BAD_PRIVATE_KEY,
        format!("privateKey: {why} (expected the merchant API key apiclient_key.pem, PEM \"BEGIN PRIVATE KEY\" (PKCS#8) or \"BEGIN RSA PRIVATE KEY\" (PKCS#1))"),
    )
}

/// A short description of a DER error: its broad kind. (der's own `Display` names every tag
/// and OID it knows, which cost several KB of the main module; its positions are relative
/// to the element being read, which the message could not name.)
fn der_error(e: &der::Error) -> &'static str {
    match e.kind() {
        der::ErrorKind::Incomplete { .. } => "the data ends too early",
        der::ErrorKind::TrailingData { .. } => "extra data after the certificate",
        der::ErrorKind::TagUnexpected { .. } | der::ErrorKind::TagUnknown { .. } => {
            "an unexpected element"
        }
        der::ErrorKind::DateTime => "a bad date",
        _ => "malformed DER",
    }
}

/// Size in bits of a big-endian unsigned integer (leading zeros already stripped by DER).
fn bit_len(be: &[u8]) -> usize {
    match be.first() {
        None => 0,
        Some(&top) => be.len() * 8 - top.leading_zeros() as usize,
    }
}

/// A JWK (RFC 7518 6.3) of an RSA key: `kty` and the members given, each a big-endian
/// number in unpadded base64url. Built in one allocation of the final size, so that no copy
/// of a private key's numbers is left behind when it is wiped.
fn jwk(members: &[(&str, &[u8])]) -> Zeroizing<String> {
    const KTY: &str = r#"{"kty":"RSA""#;
    // ,"name":"value" for each member, then }
    let len = members.iter().fold(KTY.len() + 1, |n, (name, value)| {
        n + name.len() + Base64UrlUnpadded::encoded_len(value) + 6
    });
    let mut out = Zeroizing::new(String::with_capacity(len));
    out.push_str(KTY);
    let mut buf = Zeroizing::new(vec![0u8; len]);
    for (name, value) in members {
        out.push_str(",\"");
        out.push_str(name);
        out.push_str("\":\"");
        if let Ok(b64) = Base64UrlUnpadded::encode(value, &mut buf) {
            out.push_str(b64);
        }
        out.push('"');
    }
    out.push('}');
    out
}

/// The public JWK of `n` and `e`.
fn public_jwk(n: &[u8], e: &[u8]) -> String {
    jwk(&[("n", n), ("e", e)]).to_string()
}

/// The DER bytes of the `label` block of a normalised PEM (RFC 7468: base64 lines between
/// `-----BEGIN label-----` and `-----END label-----`). Decoded with `base64ct` from the lines
/// `normalise_pem` already split: pem-rfc7468's own line decoder cost 3 KB of the gzipped
/// main module (measured) for nothing more here.
fn pem_decode(pem: &str, label: &str) -> Option<Zeroizing<Vec<u8>>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    // Both buffers sized up front and wiped on drop (a failed decoding included): no
    // reallocation or early return leaves a copy of a private key behind.
    let mut b64 = Zeroizing::new(String::with_capacity(pem.len()));
    for line in crate::text::lines(pem).skip_while(|l| *l != begin).skip(1) {
        if line == end {
            let mut der = Zeroizing::new(vec![0u8; b64.len() / 4 * 3 + 3]);
            let len = base64ct::Base64::decode(b64.as_str(), &mut der).ok()?.len();
            der.truncate(len);
            return (len > 0).then_some(der);
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
        // The DER of the RSAPrivateKey, and what to say when it does not parse.
        let (pkcs1_der, unparsed) = if contains(&pem, "-----BEGIN PRIVATE KEY-----") {
            const UNPARSED: &str = "the PKCS#8 PEM does not parse as an RSA private key";
            let der = pem_decode(&pem, "PRIVATE KEY")
                .ok_or_else(|| bad_private_key("the PKCS#8 PEM does not decode"))?;
            let inner = asn1::pkcs8_rsa(&der).ok_or_else(|| bad_private_key(UNPARSED))?;
            (Zeroizing::new(inner.to_vec()), UNPARSED)
        } else if contains(&pem, "-----BEGIN RSA PRIVATE KEY-----") {
            let der = pem_decode(&pem, "RSA PRIVATE KEY")
                .ok_or_else(|| bad_private_key("the PKCS#1 PEM does not decode"))?;
            (der, "the PKCS#1 PEM does not parse as an RSA private key")
        } else if contains(&pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----") {
            return Err(bad_private_key(
                "the key is encrypted; decrypt it first (openssl pkcs8 -in key.pem -out plain.pem)",
            ));
        } else if contains(&pem, "PUBLIC KEY-----") || contains(&pem, "CERTIFICATE-----") {
            return Err(bad_private_key(
                "this is a public key or certificate, not the private key",
            ));
        } else {
            return Err(bad_private_key("no PEM private key found"));
        };
        let key = asn1::rsa_private_key(&pkcs1_der).ok_or_else(|| bad_private_key(unparsed))?;
        let bits = bit_len(key.modulus());
        if bits < MIN_RSA_BITS {
            return Err(bad_private_key(&format!(
                "the RSA key has {bits} bits; WeChat Pay merchant keys have {MIN_RSA_BITS}"
            )));
        }
        let [n, e, ..] = key.numbers;
        Ok(Self {
            jwk: jwk(&key.numbers),
            public_jwk: public_jwk(n.1, e.1),
            pkcs1_der,
            bits,
        })
    }

    /// PKCS#1 `RSAPrivateKey` DER (for the `rsa` crate), whatever the input format was.
    pub fn pkcs1_der(&self) -> &[u8] {
        &self.pkcs1_der
    }

    /// The key as a JWK (for WebCrypto `importKey('jwk', ...)`): secret, like the PEM.
    pub fn jwk(&self) -> &str {
        &self.jwk
    }

    /// Modulus size in bits.
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// The public half (n, e) as a JWK: checks that the key's numbers agree, by verifying
    /// a signature made with the private half.
    pub fn public_jwk(&self) -> &str {
        &self.public_jwk
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

/// One WeChat Pay verification key: an RSA public key, as PKCS#1 `RSAPublicKey` DER and as
/// a JWK.
#[derive(Clone)]
pub struct VerifyKey {
    id: String,
    source: KeySource,
    pkcs1_der: Vec<u8>,
    jwk: String,
    bits: usize,
    /// A certificate's notBefore and notAfter; a public key has no validity of its own.
    validity: Option<(der::DateTime, der::DateTime)>,
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

impl VerifyKey {
    /// Key id (the `Wechatpay-Serial` value that selects it).
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Public key or certificate.
    pub fn source(&self) -> KeySource {
        self.source
    }
    /// PKCS#1 `RSAPublicKey` DER (for the `rsa` crate).
    pub fn pkcs1_der(&self) -> &[u8] {
        &self.pkcs1_der
    }
    /// The key as a JWK (for WebCrypto `importKey('jwk', ...)`).
    pub fn jwk(&self) -> &str {
        &self.jwk
    }
    /// Modulus size in bits.
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// Parses one `certs` entry: an SPKI (or PKCS#1) public key PEM, or an X.509 certificate
    /// PEM whose serial must equal `id` (ignoring case and leading zeros) and which must be
    /// valid at `now_secs` ([`Self::parse_pem`], then [`Self::check_valid_at`]).
    pub fn from_pem(id: &str, pem: &str, now_secs: i64) -> Result<Self> {
        let key = Self::parse_pem(id, pem)?;
        key.check_valid_at(now_secs)?;
        Ok(key)
    }

    /// `CERT_EXPIRED` when this key is a certificate outside its validity at `now_secs`
    /// (Unix seconds). A public key is always valid.
    pub fn check_valid_at(&self, now_secs: i64) -> Result<()> {
        let Some((not_before, not_after)) = &self.validity else {
            return Ok(());
        };
        let id = &self.id;
        let unix = |t: &der::DateTime| t.unix_duration().as_secs() as i64;
        if now_secs > unix(not_after) {
            return Err(Error::config(
                code::CERT_EXPIRED,
                format!("certs[\"{id}\"]: the platform certificate expired at {not_after} (unix {}); download the current one, or switch to the WeChat Pay public key", unix(not_after)),
            ));
        }
        if now_secs < unix(not_before) {
            return Err(Error::config(
                code::CERT_EXPIRED,
                format!(
                    "certs[\"{id}\"]: the platform certificate is not valid before {not_before}"
                ),
            ));
        }
        Ok(())
    }

    /// A certificate's notBefore and notAfter in Unix seconds; `None` for a public key.
    pub fn validity_secs(&self) -> Option<(i64, i64)> {
        let unix = |t: &der::DateTime| t.unix_duration().as_secs() as i64;
        self.validity.as_ref().map(|(b, a)| (unix(b), unix(a)))
    }

    /// [`Self::from_pem`] without the validity check: a certificate outside its validity
    /// loads, and [`Self::check_valid_at`] tells when it may be used.
    pub fn parse_pem(id: &str, pem: &str) -> Result<Self> {
        let bad = |why: String| Error::config(code::BAD_CERT, format!("certs[\"{id}\"]: {why}"));
        if id.trim().is_empty() {
            return Err(Error::config(code::BAD_CERT, "certs: a key id is empty"));
        }
        let pem = normalise_pem(pem);
        let mut validity = None;
        let (source, der) = if contains(&pem, "-----BEGIN CERTIFICATE-----") {
            let der = pem_decode(&pem, "CERTIFICATE")
                .ok_or_else(|| bad("the certificate PEM does not decode".into()))?;
            let cert = asn1::certificate(&der).map_err(|e| {
                bad(format!(
                    "the X.509 certificate does not parse ({})",
                    der_error(&e)
                ))
            })?;
            let serial = hex_upper(cert.serial);
            if trim_hex(&serial) != trim_hex(&id.to_ascii_uppercase()) {
                return Err(Error::config(
                    code::CERT_SERIAL_MISMATCH,
                    format!("certs[\"{id}\"]: the certificate's serial is {serial}, not the id it is configured under; use the serial as its id"),
                ));
            }
            validity = Some((cert.not_before, cert.not_after));
            let key = cert
                .rsa_public_key
                .ok_or_else(|| bad("the certificate does not hold an RSA public key".into()))?;
            (KeySource::Certificate, key.to_vec())
        } else if contains(&pem, "-----BEGIN PUBLIC KEY-----") {
            let der = pem_decode(&pem, "PUBLIC KEY")
                .ok_or_else(|| bad("the public key PEM does not decode".into()))?;
            let key = asn1::spki_rsa_der(&der).ok_or_else(|| {
                bad("the public key PEM does not parse as an RSA SPKI key".into())
            })?;
            (KeySource::PublicKey, key.to_vec())
        } else if contains(&pem, "-----BEGIN RSA PUBLIC KEY-----") {
            let der = pem_decode(&pem, "RSA PUBLIC KEY")
                .ok_or_else(|| bad("the PKCS#1 public key PEM does not decode".into()))?;
            (KeySource::PublicKey, der.to_vec())
        } else if contains(&pem, "PRIVATE KEY-----") {
            return Err(bad(
                "this is a private key; certs takes WeChat Pay's public key (pub_key.pem) or platform certificate".into(),
            ));
        } else {
            return Err(bad(
                "expected a public key PEM (BEGIN PUBLIC KEY) or a certificate PEM (BEGIN CERTIFICATE)".into(),
            ));
        };
        let key = asn1::rsa_public_key(&der).ok_or_else(|| {
            bad(match source {
                KeySource::Certificate => "the certificate's RSA public key does not parse",
                KeySource::PublicKey => "the RSA public key does not parse",
            }
            .into())
        })?;
        let bits = bit_len(key.modulus);
        if bits < MIN_RSA_BITS {
            return Err(bad(format!(
                "the RSA key has {bits} bits; WeChat Pay keys have {MIN_RSA_BITS}"
            )));
        }
        Ok(Self {
            id: id.to_owned(),
            source,
            jwk: public_jwk(key.modulus, key.exponent),
            pkcs1_der: der,
            bits,
            validity,
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
    let t = crate::text::trim_start(s, b'0');
    if t.is_empty() {
        "0"
    } else {
        t
    }
}
