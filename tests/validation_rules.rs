#![cfg(not(target_arch = "wasm32"))]
//! The validation table: for every rule of shared/spec/pre-entrust-sign.md a passing and a
//! failing case, with the JSON pointer and rule reported; the seed's example, every enum value,
//! and the typed request.

mod common;

use common::{rules, seed, with};
use serde_json::{json, Value};
use wechatpay_wasm::{validate, validate_json, validate_request, PreEntrustSignRequest};

#[test]
fn seed_example_passes() {
    assert_eq!(validate(&seed()), vec![]);
    let text = seed().to_string();
    let ok = validate_json(&text).unwrap();
    assert_eq!(ok.json(), text, "the checked text is the text sent");
    assert_eq!(ok.request().unwrap().plan_id, 12535);
}

#[test]
fn every_enum_value_passes_in_vendor_spelling() {
    for v in ["SIGN_SCENE_APP", "SIGN_SCENE_QRCODE"] {
        assert_eq!(rules(&with("/sign_scene", Some(json!(v)))), vec![]);
    }
    for v in wechatpay_wasm::model::DEVICE_TYPES {
        assert_eq!(
            rules(&with("/device_info/device_type", Some(json!(v)))),
            vec![]
        );
    }
    for v in wechatpay_wasm::model::DAYS_SINCE_FIRST_LOGIN {
        assert_eq!(
            rules(&with("/device_info/days_since_first_login", Some(json!(v)))),
            vec![]
        );
    }
}

/// (pointer, passing value, failing value, rule)
#[test]
fn rule_table() {
    let long = |n: usize| json!("a".repeat(n));
    let cases: Vec<(&str, Option<Value>, Option<Value>, &str)> = vec![
        (
            "/sign_scene",
            Some(json!("SIGN_SCENE_QRCODE")),
            Some(json!("SIGN_SCENE_WEB")),
            "enum",
        ),
        (
            "/sign_scene",
            Some(json!("SIGN_SCENE_APP")),
            None,
            "required",
        ),
        (
            "/sign_scene",
            Some(json!("SIGN_SCENE_APP")),
            Some(json!(1)),
            "type",
        ),
        ("/appid", Some(long(32)), Some(long(33)), "length"),
        ("/appid", Some(long(1)), Some(json!("")), "length"),
        ("/appid", Some(json!("wx1")), None, "required"),
        ("/appid", Some(json!("wx1")), Some(Value::Null), "null"),
        ("/openid", Some(long(128)), Some(long(129)), "length"),
        ("/openid", None, Some(Value::Null), "null"),
        ("/openid", None, Some(json!("")), "length"),
        ("/plan_id", Some(json!(1)), Some(json!(0)), "range"),
        (
            "/plan_id",
            Some(json!(9007199254740991u64)),
            Some(json!(-5)),
            "range",
        ),
        (
            "/plan_id",
            Some(json!(9007199254740991u64)),
            Some(json!(9007199254740992u64)),
            "range",
        ),
        ("/plan_id", Some(json!(12535)), Some(json!(12535.5)), "type"),
        ("/plan_id", Some(json!(12535)), Some(json!("12535")), "type"),
        ("/plan_id", Some(json!(12535)), None, "required"),
        (
            "/out_contract_code",
            Some(json!("AZaz09")),
            Some(json!("wx-2020")),
            "charset",
        ),
        (
            "/out_contract_code",
            Some(long(32)),
            Some(long(33)),
            "length",
        ),
        (
            "/out_contract_code",
            Some(json!("A")),
            Some(json!("")),
            "length",
        ),
        (
            "/out_contract_code",
            Some(json!("A")),
            Some(json!("合同1")),
            "charset",
        ),
        (
            "/contract_display_account",
            Some(json!("微".repeat(32))),
            Some(json!("微".repeat(33))),
            "length",
        ),
        (
            "/contract_display_account",
            Some(json!("a")),
            Some(json!("a😀")),
            "utf8mb4",
        ),
        (
            "/contract_notify_url",
            Some(json!("https://a.example/n")),
            Some(json!("http://a.example/n")),
            "url",
        ),
        (
            "/contract_notify_url",
            Some(json!("https://a.example/n")),
            Some(json!("https://a.example/n?x=1")),
            "url",
        ),
        (
            "/contract_notify_url",
            Some(json!("http://127.0.0.1:8080/n")),
            Some(json!("http://128.0.0.1/n")),
            "url",
        ),
        (
            "/contract_notify_url",
            Some(json!("http://localhost/n")),
            Some(json!("http://localhost.evil.com/n")),
            "url",
        ),
        (
            "/contract_notify_url",
            Some(json!("http://[::1]:9/n")),
            Some(json!("ftp://a.example/n")),
            "url",
        ),
        (
            "/contract_notify_url",
            Some(json!("https://a.example/n")),
            Some(json!("/relative")),
            "url",
        ),
        (
            "/contract_notify_url",
            Some(json!(format!("https://a.example/{}", "x".repeat(238)))),
            Some(json!(format!("https://a.example/{}", "x".repeat(239)))),
            "length",
        ),
        (
            "/contract_notify_url",
            Some(json!("https://a.example/n")),
            Some(json!("https://a.example/n#frag")),
            "url",
        ),
        (
            "/contract_notify_url",
            Some(json!("https://a.example:65535/n")),
            Some(json!("https://a.example:65536/n")),
            "url",
        ),
        (
            "/contract_notify_url",
            Some(json!("http://[::1]:8080/n")),
            Some(json!("http://[::1]x/n")),
            "url",
        ),
        (
            "/contract_notify_url",
            Some(json!("https://a.example:/n")),
            Some(json!("https://a.example:8o/n")),
            "url",
        ),
        (
            "/contract_notify_url",
            Some(json!("https://a.example/n")),
            Some(json!("https://a.example/n ")),
            "url",
        ),
        ("/out_user_code", Some(long(64)), Some(long(65)), "length"),
        (
            "/out_user_code",
            Some(json!("用户A")),
            Some(json!(42)),
            "type",
        ),
        ("/return_url", Some(long(256)), Some(long(257)), "length"),
        ("/return_url", None, Some(Value::Null), "null"),
        (
            "/device_info",
            Some(seed()["device_info"].clone()),
            Some(json!("phone")),
            "type",
        ),
        (
            "/device_info",
            Some(seed()["device_info"].clone()),
            None,
            "required",
        ),
        (
            "/device_info/device_type",
            Some(json!("DEVICE_TYPE_PHONE")),
            Some(json!("DEVICE_TYPE_UNKNOWN")),
            "enum",
        ),
        (
            "/device_info/device_type",
            Some(json!("DEVICE_TYPE_PAD")),
            Some(json!("device_type_pad")),
            "enum",
        ),
        (
            "/device_info/device_os",
            Some(json!("iOS 17")),
            None,
            "required",
        ),
        (
            "/device_info/device_id",
            Some(json!("id")),
            Some(json!(7)),
            "type",
        ),
        (
            "/device_info/device_running_as_root",
            Some(json!(false)),
            Some(json!("false")),
            "type",
        ),
        (
            "/device_info/device_running_as_root",
            Some(json!(false)),
            Some(json!(0)),
            "type",
        ),
        (
            "/device_info/device_ip",
            Some(json!("10.0.0.1")),
            None,
            "required",
        ),
        (
            "/device_info/weixin_installed",
            Some(json!(false)),
            Some(Value::Null),
            "null",
        ),
        (
            "/device_info/weixin_version",
            Some(json!("8.0.40")),
            Some(json!("8😀")),
            "utf8mb4",
        ),
        (
            "/device_info/days_since_first_login",
            Some(json!("DAYS_SINCE_FIRST_LOGIN_MORE_THEN_180_DAYS")),
            Some(json!("DAYS_SINCE_FIRST_LOGIN_MORE_THAN_180_DAYS")),
            "enum",
        ),
        ("/planId", None, Some(json!(1)), "unknown"),
        ("/device_info/deviceType", None, Some(json!("x")), "unknown"),
    ];
    for (pointer, pass, fail, rule) in cases {
        assert_eq!(
            rules(&with(pointer, pass.clone())),
            vec![],
            "{pointer} = {pass:?} should pass"
        );
        let got = rules(&with(pointer, fail.clone()));
        assert_eq!(
            got,
            vec![(pointer.to_owned(), rule)],
            "{pointer} = {fail:?} should break {rule}"
        );
    }
}

#[test]
fn typed_request_round_trip() {
    let req: PreEntrustSignRequest = serde_json::from_value(seed()).unwrap();
    let ok = validate_request(&req).unwrap();
    assert_eq!(ok.request().unwrap(), req);
    let back: Value = serde_json::from_str(ok.json()).unwrap();
    assert_eq!(back, seed());
    // An absent optional is omitted, never null.
    let mut req2 = req.clone();
    req2.openid = None;
    assert!(!validate_request(&req2).unwrap().json().contains("openid"));
}
