//! The key and certificate readers: `MerchantKey::from_pem` (PKCS#8, PKCS#1),
//! `VerifyKey::parse_pem` (SPKI, PKCS#1, X.509) and the DER readers of `keys::asn1`, then
//! the `rsa` crate loading what they accepted.
//!
//! Checked per input: no panic; no error and no `Debug` output holds a line of the key's
//! base64; an accepted key has 2048 bits or more and well-formed JWKs; a key with the test
//! key's numbers signs (1 input in 32) and verifies the known answer exactly as the fixture.

use std::sync::OnceLock;

use base64ct::Encoding as _;

use wechatpay_wasm::keys::asn1;
use wechatpay_wasm::sign::{RsaVerifier, Signer as _};
use wechatpay_wasm::verify::answer_message;
use wechatpay_wasm::{MerchantKey, RsaSigner, VerifyKey};

use super::{fixtures, fnv, secret_lines, Target};
use crate::mutate;

/// Ids tried for each verification key read.
const IDS: &[&str] = &[fixtures::PUBLIC_KEY_ID, fixtures::CERT_SERIAL, "0a0b0c", ""];

/// The test key's public JWK, and the known answer: (message, signature).
struct Known {
    public_jwk: String,
    message: Vec<u8>,
    signature: Vec<u8>,
}

fn known() -> &'static Known {
    static K: OnceLock<Known> = OnceLock::new();
    K.get_or_init(|| {
        let (headers, _, body) = super::verify::decode(fixtures::SIGNED_RESPONSE.as_bytes());
        let field = |v: &Option<String>| v.clone().unwrap_or_default();
        let message = answer_message(&field(&headers.timestamp), &field(&headers.nonce), body);
        let signature =
            base64ct::Base64::decode_vec(&field(&headers.signature)).unwrap_or_default();
        let public_jwk = VerifyKey::parse_pem(fixtures::PUBLIC_KEY_ID, fixtures::PUBLIC_SPKI)
            .map(|k| k.jwk().to_owned())
            .unwrap_or_default();
        Known {
            public_jwk,
            message,
            signature,
        }
    })
}

/// The target.
pub fn target() -> Target {
    let dict = [
        "-----BEGIN ",
        "-----END ",
        "-----",
        "\\n",
        "\r\n",
        "=",
        "PRIVATE KEY",
    ];
    Target {
        name: "keys".into(),
        weight: 35,
        generate: Box::new(move |rng, parent, other| {
            let text = String::from_utf8_lossy(parent);
            let other = String::from_utf8_lossy(other);
            match rng.below(20) {
                0..=14 => {
                    if let Some(out) = mutate::pem::mutate_pem(rng, &text, &other) {
                        return out.into_bytes();
                    }
                }
                15 | 16 => {
                    // Bare DER, for the DER readers alone.
                    if let Some((_, der)) = mutate::pem::split(&text) {
                        return mutate::der::mutate_der(rng, &der).unwrap_or(der);
                    }
                }
                17 => return text.trim().replace('\n', "\\n").into_bytes(),
                _ => {}
            }
            let mut out = parent.to_vec();
            mutate::bytes_stacked(rng, &mut out, &dict, other.as_bytes());
            out
        }),
        run: Box::new(run),
    }
}

fn no_secret(what: &str, output: &str, secrets: &[&str]) -> Result<(), String> {
    match secrets.iter().find(|s| output.contains(**s)) {
        Some(_) => Err(format!("{what} holds a line of the key's base64")),
        None => Ok(()),
    }
}

fn json_ok(what: &str, text: &str) -> Result<(), String> {
    serde_json::from_str::<serde_json::Value>(text)
        .map(|_| ())
        .map_err(|_| format!("{what} is not JSON"))
}

fn run(input: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(input);
    let secrets = secret_lines(&text);
    let known = known();
    // Let an expensive check run on a stable 1 in 32 of the inputs.
    let sample = fnv(input).is_multiple_of(32);

    // The DER readers, on the PEM's DER or on the input as DER.
    let der = mutate::pem::split(&text).map_or_else(|| input.to_vec(), |(_, der)| der);
    let _ = asn1::pkcs8_rsa(&der).map(asn1::rsa_private_key);
    let _ = asn1::rsa_private_key(&der);
    let _ = asn1::rsa_public_key(&der);
    let _ = asn1::spki_rsa_der(&der).map(asn1::rsa_public_key);
    let _ = asn1::certificate(&der).map(|c| c.rsa_public_key.map(asn1::rsa_public_key));

    match MerchantKey::from_pem(&text) {
        Err(e) => no_secret("a privateKey error", &e.to_string(), &secrets)?,
        Ok(key) => {
            no_secret("MerchantKey's Debug", &format!("{key:?}"), &secrets)?;
            if key.bits() < wechatpay_wasm::keys::MIN_RSA_BITS {
                return Err("a merchant key under 2048 bits was accepted".into());
            }
            json_ok("the private JWK", key.jwk())?;
            json_ok("the public JWK", key.public_jwk())?;
            let signer = RsaSigner::new(&key);
            if let Err(e) = &signer {
                no_secret("an rsa load error", &e.to_string(), &secrets)?;
            }
            if let (Ok(signer), true) = (&signer, sample && key.public_jwk() == known.public_jwk) {
                // PKCS#1 v1.5 is deterministic: the test key's numbers make the fixture's
                // signature (made by node:crypto).
                match signer.sign(&known.message) {
                    Ok(sig) if sig == known.signature => {}
                    _ => return Err("the test key does not sign as node:crypto did".into()),
                }
            }
        }
    }

    for id in IDS {
        let Ok(key) = VerifyKey::parse_pem(id, &text) else {
            continue;
        };
        if key.bits() < wechatpay_wasm::keys::MIN_RSA_BITS {
            return Err("a verification key under 2048 bits was accepted".into());
        }
        json_ok("a verification key's JWK", key.jwk())?;
        for now in [i64::MIN, -1, 0, fixtures::NOW, 4_102_444_800, i64::MAX] {
            let _ = key.check_valid_at(now);
        }
        let _ = VerifyKey::from_pem(id, &text, fixtures::NOW);
        if let Some(verifier) = RsaVerifier::from_pkcs1_der(key.pkcs1_der()) {
            let ok = verifier.verify(&known.message, &known.signature);
            if ok != (key.jwk() == known.public_jwk) {
                return Err(format!(
                    "the known answer {} with a key of {} the test key's numbers",
                    if ok { "verifies" } else { "does not verify" },
                    if ok { "other than" } else { "exactly" }
                ));
            }
        }
    }
    Ok(())
}
