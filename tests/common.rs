#![cfg(not(target_arch = "wasm32"))]
// Shared by the native test files.
#![allow(dead_code)]

use std::path::PathBuf;

use base64ct::{Base64, Encoding};
use serde_json::{json, Value};
use wechatpay_wasm::keys::MerchantKey;
use wechatpay_wasm::{validate, validate_json};

/// A file of this repository's `tests/` folder (fixtures, vectors), read as text.
fn read_tests_file(path: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

pub fn fixture(name: &str) -> String {
    read_tests_file(&format!("fixtures/{name}"))
}

/// The known-answer vector (tests/vectors/README.md names its source).
pub fn vector() -> serde_json::Value {
    serde_json::from_str(&read_tests_file("vectors/sha256withrsa-known-answer.json")).unwrap()
}

pub fn json(name: &str) -> serde_json::Value {
    serde_json::from_str(&fixture(name)).unwrap()
}

// The validation tests' body (tests/validation_*.rs): the seed's example, one field changed,
// and the rules it breaks.

pub fn seed() -> Value {
    // The seed's example, with the notify URL it gives.
    json!({
        "sign_scene": "SIGN_SCENE_APP",
        "appid": "wxd678efh567hg6787",
        "openid": "oYobu0MVnQfWpSMOYJz2AHPG_gQw",
        "plan_id": 12535,
        "out_contract_code": "wxwtdk20200910100000",
        "contract_display_account": "微信代扣用户A",
        "contract_notify_url": "https://yourapp.com/notify",
        "out_user_code": "用户A",
        "return_url": "https://yourapp.com/notify",
        "device_info": {
            "device_type": "DEVICE_TYPE_UNKNOW",
            "device_os": "example_device_os",
            "device_id": "example_device_id",
            "device_running_as_root": true,
            "device_ip": "example_device_ip",
            "weixin_installed": true,
            "weixin_version": "example_weixin_version",
            "days_since_first_login": "DAYS_SINCE_FIRST_LOGIN_UNKNOW"
        }
    })
}

pub fn with(pointer: &str, value: Option<Value>) -> Value {
    let mut body = seed();
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let obj = body.pointer_mut(parent).unwrap().as_object_mut().unwrap();
    match value {
        Some(v) => {
            obj.insert(key.to_owned(), v);
        }
        None => {
            obj.remove(key);
        }
    }
    body
}

/// The broken rules, as (pointer, rule). A body that passes must also read as the typed
/// model (`ValidatedBody::request`, read on demand): every passing case of this table holds
/// the rules to the model.
pub fn rules(body: &Value) -> Vec<(String, &'static str)> {
    let issues = validate(body);
    if issues.is_empty() {
        let checked = validate_json(&body.to_string()).expect("passes as text too");
        let typed = checked
            .request()
            .expect("a body that passes reads as the model");
        assert_eq!(serde_json::to_value(&typed).unwrap(), *body);
    }
    issues.into_iter().map(|i| (i.field, i.rule)).collect()
}

// The signing and key tests' merchant key (the known-answer vector's) and PEM reading.

pub fn merchant() -> MerchantKey {
    MerchantKey::from_pem(vector()["private_key_pkcs8_pem"].as_str().unwrap()).unwrap()
}

/// The DER of a PEM, decoded here independently of the crate (base64 of the body lines).
pub fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    Base64::decode_vec(body.trim()).unwrap()
}
