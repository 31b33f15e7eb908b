#![cfg(not(target_arch = "wasm32"))]
//! Answer verification and notification decryption, cross-checked against fixtures made by
//! node:crypto (tests/fixtures/generate.mjs), plus a table of tampered inputs.

mod common;

use serde_json::Value;
use wechatpay_wasm::keys::{KeyStore, VerifyKey};
use wechatpay_wasm::notify::{self, Apiv3Key, EncryptedResource};
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

/// Guards: `check_entrust` (what the wasm layer runs) accepts exactly what the serde struct
/// `EntrustResource` accepts, over a table of resources, and names the same fields.
#[test]
fn check_entrust_agrees_with_the_typed_struct() {
    use serde_json::json;
    let full = json!({
        "mchid": "1900000001", "contract_id": "C1", "plan_id": 12535, "out_contract_code": "A1",
        "contract_state": "SIGNED", "appid": "wx1", "contract_display_account": "d",
        "contract_signed_time": "t", "contract_expired_time": "t", "openid": "o",
        "out_user_code": "u", "deduct_schedule": {"x": 1}, "future_field": [1],
        "contract_terminate_info": {"contract_termination_mode": "USER",
            "contract_terminated_time": "t", "contract_termination_remark": "r", "more": 1}
    });
    // The field lists name every field of the struct.
    let typed: notify::EntrustResource = serde_json::from_value(full.clone()).unwrap();
    let all_fields: Vec<&str> = notify::ENTRUST_REQUIRED_STRINGS
        .iter()
        .chain(notify::ENTRUST_OPTIONAL_STRINGS)
        .chain(&["plan_id", "contract_terminate_info", "deduct_schedule"])
        .copied()
        .collect();
    let mut named: Vec<String> = all_fields.iter().map(|s| s.to_string()).collect();
    let mut fields: Vec<String> = serde_json::to_value(&typed)
        .unwrap()
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| *k != "future_field")
        .cloned()
        .collect();
    named.sort();
    fields.sort();
    assert_eq!(named, fields);
    let info = serde_json::to_value(typed.contract_terminate_info.unwrap()).unwrap();
    let mut info_fields: Vec<&str> = info
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .filter(|k| *k != "more")
        .collect();
    info_fields.sort();
    let mut info_named = notify::TERMINATE_INFO_STRINGS.to_vec();
    info_named.sort();
    assert_eq!(info_fields, info_named);

    let with = |k: &str, v: Value| {
        let mut r = full.clone();
        let (obj, key) = match k.split_once('.') {
            Some((outer, inner)) => (r[outer].as_object_mut().unwrap(), inner.to_string()),
            None => (r.as_object_mut().unwrap(), k.to_string()),
        };
        if v == json!("<absent>") {
            obj.remove(&key);
        } else {
            obj.insert(key, v);
        }
        r
    };
    let mut cases = vec![full.clone(), json!([]), json!("x"), Value::Null, json!({})];
    let values = [
        json!("<absent>"),
        Value::Null,
        json!(1),
        json!("s"),
        json!({}),
        json!(-1),
        json!(1.5),
        json!(u64::MAX),
        json!(0),
        json!([]),
    ];
    for f in &all_fields {
        for v in &values {
            cases.push(with(f, v.clone()));
        }
    }
    // The terminate info's fields with the first five values.
    for f in notify::TERMINATE_INFO_STRINGS {
        for v in &values[..5] {
            cases.push(with(&format!("contract_terminate_info.{f}"), v.clone()));
        }
    }
    let mut accepted = 0;
    for resource in cases {
        for event_type in ["ENTRUST.SIGN", "ENTRUST.TERMINATE", "OTHER.EVENT"] {
            let mut env = serde_json::Map::new();
            env.insert("event_type".into(), json!(event_type));
            env.insert("resource".into(), resource.clone());
            let typed = notify::typed_entrust(&env);
            let checked = notify::check_entrust(&env.clone().into());
            assert_eq!(
                typed.is_ok(),
                checked.is_ok(),
                "{event_type} {resource}: {typed:?} vs {checked:?}"
            );
            if let Err(e) = checked {
                assert_eq!(e.code(), "BAD_NOTIFICATION");
                assert!(e.to_string().contains(event_type), "{e}");
            } else if event_type != "OTHER.EVENT" {
                accepted += 1;
            }
        }
    }
    assert!(
        accepted > 20,
        "the table accepts some variants too ({accepted})"
    );
}

/// Guards: `EncryptedResource::from_json` (what `Envelope::parse` runs) accepts exactly what
/// serde's derive accepts, with the same fields, over a table of resources; but an array,
/// which the derive reads by position and from_json refuses (fuzz/regressions/notify/
/// oracle-1c9d7d402affcf1a: the resource is an object).
#[test]
fn encrypted_resource_from_json_agrees_with_serde() {
    use serde_json::json;
    let full = json!({
        "algorithm": "AEAD_AES_256_GCM", "ciphertext": "Y3Q=", "associated_data": "certificate",
        "nonce": "n0123456789a", "original_type": "entrust", "future": [1]
    });
    let fields = [
        "algorithm",
        "ciphertext",
        "associated_data",
        "nonce",
        "original_type",
    ];
    let mut cases = vec![full.clone(), json!({}), json!([]), json!("x"), Value::Null];
    for f in fields {
        for v in [
            None,
            Some(Value::Null),
            Some(json!(1)),
            Some(json!("")),
            Some(json!({})),
            Some(json!(["a"])),
        ] {
            let mut r = full.clone();
            match v {
                Some(v) => r[f] = v,
                None => {
                    r.as_object_mut().unwrap().remove(f);
                }
            }
            cases.push(r);
        }
    }
    let mut accepted = 0;
    for case in &cases {
        let typed = serde_json::from_value::<EncryptedResource>(case.clone());
        let read = EncryptedResource::from_json(&case.clone().into());
        match (&typed, &read) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a, b, "{case}");
                accepted += 1;
            }
            (Err(_), Err(_)) => {}
            _ => panic!("{case}: serde {typed:?}, from_json {read:?}"),
        }
    }
    // The full resource, "" in each of the 5 fields, and each optional field absent.
    assert_eq!(accepted, 1 + 5 + 2);
    let by_position = [
        "AEAD_AES_256_GCM",
        "Y3Q=",
        "certificate",
        "n0123456789a",
        "entrust",
    ];
    for n in [4, 5] {
        let array = json!(by_position[..n]);
        assert!(serde_json::from_value::<EncryptedResource>(array.clone()).is_ok());
        assert!(EncryptedResource::from_json(&array.clone().into()).is_err(), "{array}");
    }
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
