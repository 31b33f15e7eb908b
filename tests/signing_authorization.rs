#![cfg(not(target_arch = "wasm32"))]
//! The Authorization header: its format and field order, and its nonce.

mod common;

use base64ct::{Base64, Encoding};
use common::merchant;
use wechatpay_wasm::keys::VerifyKey;
use wechatpay_wasm::sign::{self, RsaSigner};

#[test]
fn authorization_format_and_field_order() {
    let signer = RsaSigner::new(&merchant()).unwrap();
    let msg = sign::request_message("POST", "/v3/x", 1624523846, "A1B2C3D4E5F6G7", "{}");
    let sig = sign::sign_base64(&signer, msg.as_bytes()).unwrap();
    let h = sign::authorization_header(
        "1900000001",
        "A1B2C3D4E5F6G7",
        1624523846,
        "F5765756002FDD77",
        &sig,
    );
    let want = format!("WECHATPAY2-SHA256-RSA2048 mchid=\"1900000001\",nonce_str=\"A1B2C3D4E5F6G7\",timestamp=\"1624523846\",serial_no=\"F5765756002FDD77\",signature=\"{sig}\"");
    assert_eq!(h, want);
    assert!(!h.contains(", "), "no spaces between pairs");
    // The signature inside verifies over the message with the public key.
    let v = common::vector();
    let key = VerifyKey::from_pem("k", v["public_key_spki_pem"].as_str().unwrap(), 0).unwrap();
    assert!(sign::rsa_verify(
        &key,
        msg.as_bytes(),
        &Base64::decode_vec(&sig).unwrap()
    ));
}

#[test]
fn nonce_is_32_alphanumerics_and_uniform_bytes_are_used() {
    let bytes: Vec<u8> = (0..=255u8).cycle().take(64).collect();
    let n = sign::nonce_from_bytes(&bytes).unwrap();
    assert_eq!(n.len(), 32);
    assert!(n.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert_eq!(&n[..10], "0123456789");
    // Bytes >= 248 are skipped (no modulo bias).
    assert_eq!(sign::nonce_from_bytes(&[255; 64]), None);
    assert!(sign::check_nonce("A1B2C3D4E5F6G7").is_ok());
    assert!(sign::check_nonce("bad\"quote").is_err());
    assert!(sign::check_nonce("").is_err());
    for outside in ["a-b", "a_b", "a.b", "ä", &"a".repeat(65)] {
        let e = sign::check_nonce(outside).unwrap_err();
        assert!(e.to_string().contains("[0-9A-Za-z]"), "{outside}: {e}");
    }
    assert!(sign::check_nonce(&"a".repeat(64)).is_ok());
}
