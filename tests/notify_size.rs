//! Issue 17: the notification size limit is the core's rule, not only the wasm layer's.
//! `Envelope::parse` (and so `open_envelope`) refuses a body over `MAX_NOTIFICATION_BYTES`
//! before parsing it: fuzz/regressions/notify/memory-76e47dc26936b52a, a 222,999-byte sealed
//! envelope, peaked at 34.3 MB (16.1 MB the decrypted resource's `Value`, 18.0 MB
//! `typed_entrust`'s copy of its unknown fields) when the core parsed any size.

use wechatpay_wasm::consts::MAX_NOTIFICATION_BYTES;
use wechatpay_wasm::notify::{self, Apiv3Key, Envelope};

const KEY: &str = "wechatpay-wasm-test-apiv3-key-32";

/// A well-formed envelope of exactly `len` bytes: its ciphertext is `A`s (base64, which
/// does not decrypt), then spaces after the JSON.
fn envelope_of(len: usize) -> Vec<u8> {
    let head = r#"{"id":"EV-1","event_type":"ENTRUST.SIGN","resource":{"algorithm":"AEAD_AES_256_GCM","nonce":"n0123456789a","ciphertext":""#;
    let tail = r#""}}"#;
    let base64 = (len - head.len() - tail.len()) / 4 * 4;
    let mut body = head.as_bytes().to_vec();
    body.resize(head.len() + base64, b'A');
    body.extend_from_slice(tail.as_bytes());
    body.resize(len, b' ');
    body
}

#[test]
fn the_core_refuses_a_notification_over_the_limit_before_parsing() {
    let key = Apiv3Key::new(KEY).unwrap();
    // At the limit: parsed (the ciphertext is base64 of the right shape), then not decrypted.
    let at = envelope_of(MAX_NOTIFICATION_BYTES);
    assert!(Envelope::parse(&at).is_ok());
    assert_eq!(
        notify::open_envelope(&key, &at).unwrap_err().code(),
        "DECRYPT_FAILED"
    );
    // One byte more: refused by its size, naming the limit, by both entries.
    let over = envelope_of(MAX_NOTIFICATION_BYTES + 1);
    for e in [
        Envelope::parse(&over).unwrap_err(),
        notify::open_envelope(&key, &over).unwrap_err(),
    ] {
        assert_eq!(e.code(), "BAD_NOTIFICATION");
        assert!(e.to_string().contains("65536 bytes"), "{e}");
    }
    // Even when it is not JSON at all: the size is the first check.
    let e = Envelope::parse(&vec![b'{'; MAX_NOTIFICATION_BYTES + 1]).unwrap_err();
    assert!(e.to_string().contains("65536 bytes"), "{e}");
}

/// Issue 17: a notification body had no size limit (a 40 MB post grew wasm memory to about
/// 200 MB). Up to MAX_NOTIFICATION_BYTES passes, one byte more is BAD_NOTIFICATION.
#[test]
fn notification_bodies_over_the_limit_are_refused() {
    use wechatpay_wasm::consts::MAX_NOTIFICATION_BYTES;
    assert_eq!(MAX_NOTIFICATION_BYTES, 65_536);
    assert!(notify::check_body_len(1_000).is_ok());
    assert!(notify::check_body_len(MAX_NOTIFICATION_BYTES).is_ok());
    for len in [MAX_NOTIFICATION_BYTES + 1, 40 << 20] {
        let e = notify::check_body_len(len).unwrap_err();
        assert_eq!(e.code(), "BAD_NOTIFICATION");
        assert_eq!(e.kind(), wechatpay_wasm::ErrorKind::Signature);
        assert!(e.to_string().contains("65536"), "{e}");
    }
}
