#![cfg(not(target_arch = "wasm32"))]
//! Request signing against the known-answer vector (wechatpay-go's test), and the blinding
//! of the private-key operation.

mod common;

use base64ct::{Base64, Encoding};
use common::merchant;
use wechatpay_wasm::keys::{MerchantKey, VerifyKey};
use wechatpay_wasm::sign::{self, RsaSigner};

/// Guards: SHA256withRSA PKCS#1 v1.5 + standard padded base64, byte for byte as wechatpay-go.
#[test]
fn known_answer_vector_pkcs8() {
    let v = common::vector();
    let signer = RsaSigner::new(&merchant()).unwrap();
    let sig = sign::sign_base64(&signer, v["message"].as_str().unwrap().as_bytes()).unwrap();
    assert_eq!(sig, v["expected_signature"].as_str().unwrap());
}

/// Guards: a PKCS#1 PEM (made by openssl from the same key) loads and signs identically.
#[test]
fn known_answer_vector_pkcs1() {
    let v = common::vector();
    let key = MerchantKey::from_pem(&common::fixture("merchant_pkcs1.pem")).unwrap();
    let sig = sign::sign_base64(&RsaSigner::new(&key).unwrap(), b"source").unwrap();
    assert_eq!(sig, v["expected_signature"].as_str().unwrap());
    // And what WebCrypto and the rsa crate are given equals what the PKCS#8 original gives.
    assert_eq!(key.pkcs1_der(), merchant().pkcs1_der());
    assert_eq!(key.jwk(), merchant().jwk());
}

#[test]
fn known_answer_verifies_with_public_key() {
    let v = common::vector();
    let key = VerifyKey::from_pem(
        "PUB_KEY_ID_01",
        v["public_key_spki_pem"].as_str().unwrap(),
        0,
    )
    .unwrap();
    let sig = Base64::decode_vec(v["expected_signature"].as_str().unwrap()).unwrap();
    assert!(sign::rsa_verify(&key, b"source", &sig));
    assert!(!sign::rsa_verify(&key, b"sourcE", &sig));
}

/// Guards: rsa 0.10 blinds the private-key operation only with its `getrandom` feature (with
/// `default-features = false` and without it, it signs through a dummy RNG, unblinded). The
/// output is the same either way, so no signature test can see it: the manifest is checked.
#[test]
fn rsa_crate_signs_blinded() {
    let toml = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).unwrap();
    let rsa = toml.lines().find(|l| l.starts_with("rsa = ")).unwrap();
    assert!(rsa.contains("\"getrandom\""), "{rsa}");
}
