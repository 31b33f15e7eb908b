#![cfg(not(target_arch = "wasm32"))]
//! Notifications: AES-GCM decryption cross-checked against node:crypto
//! (tests/fixtures/generate.mjs), the APIv3 key, envelopes and replies.

mod common;

use serde_json::Value;
use wechatpay_wasm::notify::{self, Apiv3Key, EncryptedResource};

#[test]
fn aes_gcm_vectors_from_node_crypto_decrypt() {
    let f = common::json("aes_gcm_vectors.json");
    for v in f["vectors"].as_array().unwrap() {
        let key = Apiv3Key::new(v["apiv3_key"].as_str().unwrap()).unwrap();
        let res = EncryptedResource {
            algorithm: "AEAD_AES_256_GCM".into(),
            ciphertext: v["ciphertext"].as_str().unwrap().into(),
            associated_data: v["associated_data"].as_str().unwrap().into(),
            nonce: v["nonce"].as_str().unwrap().into(),
            original_type: "entrust".into(),
        };
        let plain = notify::decrypt_resource(&key, &res).unwrap();
        assert_eq!(
            String::from_utf8(plain).unwrap(),
            v["plaintext"].as_str().unwrap()
        );
        // Wrong AAD, wrong key, flipped tag byte: DECRYPT_FAILED.
        let mut bad = res.clone();
        bad.associated_data.push('x');
        assert_eq!(
            notify::decrypt_resource(&key, &bad).unwrap_err().code(),
            "DECRYPT_FAILED"
        );
        let other = Apiv3Key::new("00000000000000000000000000000000").unwrap();
        assert_eq!(
            notify::decrypt_resource(&other, &res).unwrap_err().code(),
            "DECRYPT_FAILED"
        );
        let mut raw = base64ct_decode(&res.ciphertext);
        let n = raw.len();
        raw[n - 1] ^= 1;
        let mut bad = res.clone();
        bad.ciphertext = base64ct_encode(&raw);
        let e = notify::decrypt_resource(&key, &bad).unwrap_err();
        assert_eq!(e.code(), "DECRYPT_FAILED");
        assert!(e.to_string().contains("APIv3 key"), "{e}");
    }
}

fn base64ct_decode(s: &str) -> Vec<u8> {
    <base64ct::Base64 as base64ct::Encoding>::decode_vec(s).unwrap()
}

fn base64ct_encode(b: &[u8]) -> String {
    <base64ct::Base64 as base64ct::Encoding>::encode_string(b)
}

#[test]
fn apiv3_key_length_is_checked_precisely() {
    for (k, n) in [
        ("a".repeat(31), "31"),
        ("a".repeat(33), "33"),
        (String::new(), "0"),
    ] {
        let e = Apiv3Key::new(&k).unwrap_err();
        assert_eq!(e.code(), "BAD_APIV3_KEY");
        assert!(e.to_string().contains(&format!("got {n}")), "{e}");
        assert!(!e.to_string().contains(&k) || k.is_empty());
    }
    let e = Apiv3Key::new(&format!(" {}", "a".repeat(32))).unwrap_err();
    assert!(e.to_string().contains("whitespace"), "{e}");
    assert!(format!("{:?}", Apiv3Key::new(&"k".repeat(32)).unwrap()).contains("redacted"));
}

#[test]
fn envelope_opens_to_typed_entrust_event() {
    let f = common::json("signed_answers.json");
    let key = Apiv3Key::new(f["apiv3_key"].as_str().unwrap()).unwrap();
    let env = notify::open_envelope(&key, f["notification"]["body"].as_str().unwrap().as_bytes())
        .unwrap();
    assert_eq!(env["event_type"], "ENTRUST.SIGN");
    assert_eq!(env["resource"]["contract_id"], "CT2026112600001");
    assert_eq!(
        env["resource"]["future_field"]["kept"], true,
        "unknown fields kept"
    );
    let typed = notify::typed_entrust(&env).unwrap().unwrap();
    assert_eq!(typed.plan_id, 12535);
    assert_eq!(typed.contract_state, "SIGNED");
    assert!(typed.extra.contains_key("future_field"));
}

#[test]
fn malformed_envelopes() {
    let key = Apiv3Key::new(&"k".repeat(32)).unwrap();
    for (body, code) in [
        ("not json", "BAD_NOTIFICATION"),
        ("{}", "BAD_NOTIFICATION"),
        (
            r#"{"id":"1","event_type":"ENTRUST.SIGN","resource":{"algorithm":"AEAD_AES_128_GCM","ciphertext":"AAAA","nonce":"123456789012"}}"#,
            "BAD_NOTIFICATION",
        ),
        (
            r#"{"id":"1","event_type":"ENTRUST.SIGN","resource":{"algorithm":"AEAD_AES_256_GCM","ciphertext":"AAAA","nonce":"short"}}"#,
            "BAD_NOTIFICATION",
        ),
        (
            r#"{"id":"1","event_type":"ENTRUST.SIGN","resource":{"algorithm":"AEAD_AES_256_GCM","ciphertext":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","nonce":"123456789012"}}"#,
            "DECRYPT_FAILED",
        ),
    ] {
        assert_eq!(
            notify::open_envelope(&key, body.as_bytes())
                .unwrap_err()
                .code(),
            code,
            "{body}"
        );
    }
}

#[test]
fn reply_shapes() {
    use wechatpay_wasm::notify::Rejection;
    assert_eq!(notify::reply(None), (204, String::new()));
    for (why, want, message) in [
        (
            Rejection::Unverified,
            401,
            "the notification did not verify",
        ),
        (
            Rejection::Failed,
            500,
            "the notification could not be processed",
        ),
    ] {
        let (status, body) = notify::reply(Some(why));
        assert_eq!(status, want);
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            v,
            serde_json::json!({ "code": "FAIL", "message": message }),
            "{body}"
        );
    }
}
