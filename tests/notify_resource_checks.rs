#![cfg(not(target_arch = "wasm32"))]
//! The checks of a notification's resource against serde's derive: `check_entrust` and
//! `EncryptedResource::from_json`.

use serde_json::Value;
use wechatpay_wasm::notify::{self, EncryptedResource};

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
        assert!(
            EncryptedResource::from_json(&array.clone().into()).is_err(),
            "{array}"
        );
    }
}
