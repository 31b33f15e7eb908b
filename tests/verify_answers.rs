#![cfg(not(target_arch = "wasm32"))]
//! Answer verification, cross-checked against answers signed by node:crypto
//! (tests/fixtures/generate.mjs), plus a table of tampered inputs.

mod common;

use serde_json::Value;
use wechatpay_wasm::keys::{KeyStore, VerifyKey};
use wechatpay_wasm::verify::{self, SignedHeaders};

const KEY_ID: &str = "PUB_KEY_ID_0114232134912410000000000000";

const TS: i64 = 1_795_658_401;

fn store() -> KeyStore {
    let mut s = KeyStore::new();
    let v = common::vector();
    s.insert(VerifyKey::from_pem(KEY_ID, v["public_key_spki_pem"].as_str().unwrap(), 0).unwrap());
    s
}

fn headers(a: &Value) -> SignedHeaders {
    SignedHeaders {
        timestamp: a["timestamp"].as_str().map(str::to_owned),
        nonce: a["nonce"].as_str().map(str::to_owned),
        signature: a["signature"].as_str().map(str::to_owned),
        serial: a["serial"].as_str().map(str::to_owned),
    }
}

#[test]
fn node_signed_answers_verify() {
    let f = common::json("signed_answers.json");
    for name in ["response", "notification", "empty_body"] {
        let a = &f[name];
        verify::verify(
            &headers(a),
            a["body"].as_str().unwrap().as_bytes(),
            TS,
            &store(),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn clock_skew_window_is_300_seconds() {
    let a = &common::json("signed_answers.json")["response"];
    let body = a["body"].as_str().unwrap().as_bytes();
    assert!(verify::verify(&headers(a), body, TS + 300, &store()).is_ok());
    assert!(verify::verify(&headers(a), body, TS - 300, &store()).is_ok());
    for now in [TS + 301, TS - 301] {
        let e = verify::verify(&headers(a), body, now, &store()).unwrap_err();
        assert_eq!(e.code(), "TIMESTAMP_SKEW", "{e}");
    }
}

#[test]
fn tampered_inputs_are_rejected_with_their_code() {
    let a = &common::json("signed_answers.json")["response"];
    let body = a["body"].as_str().unwrap();
    let h = headers(a);
    let mut cases: Vec<(&str, SignedHeaders, String, &str)> = vec![];
    let mut t = h.clone();
    t.timestamp = None;
    cases.push(("no timestamp", t, body.into(), "MISSING_HEADER"));
    let mut t = h.clone();
    t.signature = Some(String::new());
    cases.push(("empty signature", t, body.into(), "MISSING_HEADER"));
    let mut t = h.clone();
    t.serial = Some("PUB_KEY_ID_0000".into());
    cases.push(("unknown serial", t, body.into(), "UNKNOWN_SERIAL"));
    let mut t = h.clone();
    t.nonce = Some(format!("{}x", h.nonce.clone().unwrap()));
    cases.push(("nonce changed", t, body.into(), "BAD_SIGNATURE"));
    let mut t = h.clone();
    t.timestamp = Some((TS + 1).to_string());
    cases.push(("timestamp changed", t, body.into(), "BAD_SIGNATURE"));
    let mut t = h.clone();
    t.timestamp = Some("12ab".into());
    cases.push(("timestamp not a number", t, body.into(), "TIMESTAMP_SKEW"));
    let mut t = h.clone();
    t.signature = Some("WECHATPAY/SIGNTEST/abcdef==".into());
    cases.push(("probe", t, body.into(), "BAD_SIGNATURE"));
    let mut t = h.clone();
    t.signature = Some("!!!".into());
    cases.push(("not base64", t, body.into(), "BAD_SIGNATURE"));
    cases.push((
        "body changed",
        h.clone(),
        body.replace("5778", "5779"),
        "BAD_SIGNATURE",
    ));
    cases.push((
        "body re-serialised",
        h.clone(),
        serde_json::to_string_pretty(&serde_json::from_str::<Value>(body).unwrap()).unwrap(),
        "BAD_SIGNATURE",
    ));
    for (name, hs, b, code) in cases {
        let e = verify::verify(&hs, b.as_bytes(), TS, &store()).unwrap_err();
        assert_eq!(e.code(), code, "{name}: {e}");
        assert_eq!(e.kind(), wechatpay_wasm::ErrorKind::Signature);
    }
    let mut t = h.clone();
    t.serial = Some("PUB_KEY_ID_0000".into());
    let e = verify::verify(&t, body.as_bytes(), TS, &store()).unwrap_err();
    assert!(
        e.to_string().contains("PUB_KEY_ID_0000") && e.to_string().contains(KEY_ID),
        "names both ids: {e}"
    );
    let mut t = h.clone();
    t.signature = Some("WECHATPAY/SIGNTEST/abcdef==".into());
    assert!(verify::verify(&t, body.as_bytes(), TS, &store())
        .unwrap_err()
        .to_string()
        .contains("probe"));
}

/// Issue 17: a `Wechatpay-Serial` of 3 KB was quoted whole in the message and the error's
/// `serial`; both now carry at most its first 64 characters.
#[test]
fn a_long_unknown_serial_is_quoted_by_a_prefix_only() {
    let a = &common::json("signed_answers.json")["response"];
    let body = a["body"].as_str().unwrap();
    let mut t = headers(a);
    let long = format!("PUB_KEY_ID_{}", "A".repeat(3000));
    t.serial = Some(long.clone());
    let e = verify::verify(&t, body.as_bytes(), TS, &KeyStore::new()).unwrap_err();
    assert_eq!(e.code(), "UNKNOWN_SERIAL");
    let text = e.to_string();
    assert!(text.len() < 400, "{} bytes: {text}", text.len());
    assert!(
        text.contains(&format!("\"{}\"... (cut)", &long[..64])),
        "{text}"
    );
    match e {
        wechatpay_wasm::Error::Signature { serial, .. } => {
            assert_eq!(serial.as_deref(), Some(&long[..64]))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_single_byte_change_to_the_body_is_rejected() {
    let a = &common::json("signed_answers.json")["notification"];
    let body = a["body"].as_str().unwrap().as_bytes().to_vec();
    let h = headers(a);
    for i in (0..body.len()).step_by(7) {
        let mut b = body.clone();
        b[i] ^= 0x01;
        assert!(verify::verify(&h, &b, TS, &store()).is_err(), "byte {i}");
    }
}
