#![cfg(not(target_arch = "wasm32"))]
//! The body as text: non-objects and non-JSON, unpaired UTF-16 surrogates named by field,
//! and fields written twice.

mod common;

use common::{rules, seed};
use serde_json::{json, Value};
use wechatpay_wasm::validate_json;

#[test]
fn non_objects_and_non_json() {
    assert_eq!(rules(&json!([1])), vec![(String::new(), "type")]);
    assert_eq!(rules(&Value::Null), vec![(String::new(), "type")]);
    let err = validate_json("{not json").unwrap_err();
    assert_eq!(err.issues()[0].rule, "json");
}

/// An unpaired UTF-16 surrogate (what `JSON.stringify` writes for a JavaScript string cut
/// inside an emoji, e.g. `"\ud83d"`) is reported on its field, with every other issue, instead
/// of making the whole body "not JSON". Pairs, escaped backslashes and broken JSON keep their
/// meaning.
#[test]
fn unpaired_surrogates_are_named_by_field() {
    let text = |appid: &str, plan_id: &str| {
        serde_json::to_string(&seed())
            .unwrap()
            .replace("\"wxd678efh567hg6787\"", appid)
            .replace("12535", plan_id)
    };
    let issues_of = |json: &str| match validate_json(json) {
        Ok(_) => vec![],
        Err(e) => e
            .issues()
            .iter()
            .map(|i| (i.field.clone(), i.rule))
            .collect::<Vec<_>>(),
    };
    for lone in [
        r#""x\ud83d""#,
        r#""\ude00x""#,
        r#""\uDBFF\u0041""#,
        r#""\ud83d\ud83d\ude00""#,
    ] {
        assert_eq!(
            issues_of(&text(lone, "0")),
            vec![
                ("/appid".to_owned(), "utf8"),
                ("/plan_id".to_owned(), "range")
            ],
            "{lone}"
        );
    }
    let err = validate_json(&text(r#""x\ud83d""#, "1")).unwrap_err();
    assert!(err.issues()[0]
        .message
        .contains("unpaired UTF-16 surrogate"));
    // A pair is one 4-byte character; an escaped backslash is not an escape.
    assert_eq!(
        issues_of(&text(r#""\ud83d\ude00""#, "1")),
        vec![("/appid".to_owned(), "utf8mb4")]
    );
    assert_eq!(issues_of(&text(r#""\\ud83d""#, "1")), vec![]);
    // Text that is not JSON for another reason still says so, once.
    assert_eq!(
        issues_of(&text(r#""\ud83d""#, "1,")),
        vec![(String::new(), "json")]
    );
}

/// Found by the fuzzer (fuzz/regressions/validate-pre-entrust-sign/oracle-ce1333fea53a5938):
/// a field written twice passed when its last value did (serde_json keeps the last), although
/// the body is sent as written and other readers take the first value or refuse it. Failed
/// before the fix.
#[test]
fn a_field_written_twice_is_refused() {
    let text = seed().to_string();
    let cases = [
        // The first value broken, the last valid: what was checked was not all that is sent.
        text.replacen(
            "\"plan_id\":",
            "\"plan_id\":\"http://[::1\",\"plan_id\":",
            1,
        ),
        // The same value twice, and a key written with an escape.
        text.replacen(
            "\"appid\":",
            "\"appid\":\"wxd678efh567hg6787\",\"appid\":",
            1,
        ),
        text.replacen(
            "\"appid\":",
            "\"\\u0061ppid\":\"wxd678efh567hg6787\",\"appid\":",
            1,
        ),
        // In a nested object.
        text.replacen("\"device_os\":", "\"device_os\":null,\"device_os\":", 1),
    ];
    for body in cases {
        assert_ne!(body, text, "the case changed the body");
        let issues = wechatpay_wasm::validate_text(&body);
        assert_eq!(
            issues
                .iter()
                .map(|i| (i.field.as_str(), i.rule))
                .collect::<Vec<_>>(),
            vec![("", "json")],
            "{body}"
        );
        assert!(issues[0].message.contains("written twice"), "{issues:?}");
        assert!(validate_json(&body).is_err());
    }
    // Duplicates inside strings are not fields of the body.
    let quoted = text.replacen(
        "\"out_user_code\":\"",
        "\"out_user_code\":\"{\\\"a\\\":1,\\\"a\\\":2}",
        1,
    );
    assert_ne!(quoted, text);
    assert_eq!(wechatpay_wasm::validate_text(&quoted), vec![]);
}
