#![cfg(not(target_arch = "wasm32"))]
//! Validation messages: every issue at once, "did you mean", bounded quoting of long
//! values, escaping, and what `plan_id` messages say.

mod common;

use common::{seed, with};
use serde_json::json;
use wechatpay_wasm::{validate, validate_json, Error};

#[test]
fn all_issues_reported_at_once_with_plain_messages() {
    let mut body = seed();
    body["appid"] = json!("");
    body["plan_id"] = json!(-1);
    body["out_contract_code"] = json!("bad code!");
    body["device_info"]["device_type"] = json!("PHONE");
    body["device_info"]
        .as_object_mut()
        .unwrap()
        .remove("device_ip");
    body["signScene"] = json!("x");
    let issues = validate(&body);
    let fields: Vec<&str> = issues.iter().map(|i| i.field.as_str()).collect();
    for f in [
        "/appid",
        "/plan_id",
        "/out_contract_code",
        "/device_info/device_type",
        "/device_info/device_ip",
        "/signScene",
    ] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
    let unknown = issues.iter().find(|i| i.field == "/signScene").unwrap();
    assert!(
        unknown.message.contains("did you mean \"sign_scene\""),
        "{}",
        unknown.message
    );
    let en = issues
        .iter()
        .find(|i| i.field == "/device_info/device_type")
        .unwrap();
    assert!(en.message.contains("DEVICE_TYPE_PHONE"), "{}", en.message);
    let err = validate_json(&body.to_string()).unwrap_err();
    assert_eq!(err.code(), "INVALID_FIELD");
    assert!(matches!(&err, Error::Validation(v) if v.len() == issues.len()));
    assert!(err.to_string().contains("/plan_id"));
}

#[test]
fn did_you_mean_for_typos() {
    let mut body = seed();
    body.as_object_mut().unwrap().remove("out_user_code");
    body["out_usr_code"] = json!("u");
    let issues = validate(&body);
    let typo = issues.iter().find(|i| i.field == "/out_usr_code").unwrap();
    assert!(
        typo.message.contains("did you mean \"out_user_code\""),
        "{}",
        typo.message
    );
}

/// A value of any size is reported in a message of bounded size, and without the quadratic
/// edit distance that a "did you mean" over it would take (2 MB against each enum value).
/// Suggestions still come for near-misses, short or long.
#[test]
fn long_values_give_short_messages_and_suggestions_stay() {
    let huge = "D".repeat(2_000_000);
    let issues = validate(&with(
        "/device_info/days_since_first_login",
        Some(json!(huge.clone())),
    ));
    let m = &issues[0].message;
    assert_eq!(issues[0].rule, "enum");
    assert!(m.len() < 1000, "{} bytes", m.len());
    assert!(
        m.contains(&format!("got \"{}\"... (cut)", "D".repeat(64))),
        "{m}"
    );
    let mut body = seed();
    body[huge.as_str()] = json!(1);
    let issues = validate(&body);
    assert_eq!(issues[0].rule, "unknown");
    assert!(issues[0].message.len() < 1000);
    assert!(issues[0].message.contains("the known fields here are"));
    // Near-misses: a swapped letter, a missing letter, a case slip, and a value exactly 64
    // characters long is quoted whole.
    for (value, meant) in [
        ("DEVICE_TYPE_PHOEN", "DEVICE_TYPE_PHONE"),
        (
            "DAYS_SINCE_FIRST_LOGIN_WITHN_30_DAYS",
            "DAYS_SINCE_FIRST_LOGIN_WITHIN_30_DAYS",
        ),
        ("device_type_pad", "DEVICE_TYPE_PAD"),
    ] {
        let issues = validate(&with("/device_info/device_type", Some(json!(value))))
            .into_iter()
            .chain(validate(&with(
                "/device_info/days_since_first_login",
                Some(json!(value)),
            )))
            .filter(|i| i.message.contains(&format!("did you mean {meant}?")))
            .count();
        assert_eq!(issues, 1, "{value}");
    }
    let sixty_four = "x".repeat(64);
    let issues = validate(&with("/sign_scene", Some(json!(sixty_four.clone()))));
    assert!(issues[0]
        .message
        .ends_with(&format!("got \"{sixty_four}\"")));
    assert_eq!(
        wechatpay_wasm::validate::suggest("timeoutMs", &["timeout", "now"]),
        Some("timeout")
    );
    assert_eq!(
        wechatpay_wasm::validate::suggest("log", &["timeout", "now"]),
        None
    );
    assert_eq!(
        wechatpay_wasm::validate::suggest(&"x".repeat(100_000), &["timeout", "now"]),
        None
    );
}

/// Values in messages are quoted as JSON strings: quotes and control characters escaped.
#[test]
fn values_in_messages_are_quoted_and_escaped() {
    let issues = validate(&with("/out_contract_code", Some(json!("ab\u{1}c"))));
    let m = &issues.iter().find(|i| i.rule == "charset").unwrap().message;
    assert!(m.ends_with(r#"found "\u0001""#), "{m}");
    let issues = validate(&with("/sign_scene", Some(json!("SIGN\"SCENE"))));
    assert!(
        issues[0].message.contains(r#"got "SIGN\"SCENE""#),
        "{}",
        issues[0].message
    );
    assert_eq!(wechatpay_wasm::error::quoted("a\"b\n"), r#""a\"b\n""#);
}

/// `plan_id` messages say what was wrong without formatting a float: a negative number is
/// quoted, a fraction or exponent is named as such (`1e2` is not "the fraction 100.0").
#[test]
fn plan_id_messages() {
    for (text, rule, says) in [
        ("-1", "range", "not -1"),
        ("0", "range", "not 0"),
        ("12535.5", "type", "without a fraction or exponent"),
        ("1e2", "type", "without a fraction or exponent"),
        ("1.0", "type", "without a fraction or exponent"),
    ] {
        let json = serde_json::to_string(&seed())
            .unwrap()
            .replace("12535", text);
        let err = validate_json(&json).unwrap_err();
        let issue = err.issues().iter().find(|i| i.field == "/plan_id").unwrap();
        assert_eq!(issue.rule, rule, "{text}");
        assert!(issue.message.contains(says), "{text}: {}", issue.message);
    }
}
