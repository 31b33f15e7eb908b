#![cfg(not(target_arch = "wasm32"))]
//! The validation table: for every rule of shared/spec/pre-entrust-sign.md a passing and a
//! failing case, with the JSON pointer and rule reported.

use serde_json::{json, Value};
use wechatpay_wasm::{validate, validate_json, validate_request, Error, PreEntrustSignRequest};

fn seed() -> Value {
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

fn with(pointer: &str, value: Option<Value>) -> Value {
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
fn rules(body: &Value) -> Vec<(String, &'static str)> {
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

#[test]
fn non_objects_and_non_json() {
    assert_eq!(rules(&json!([1])), vec![(String::new(), "type")]);
    assert_eq!(rules(&Value::Null), vec![(String::new(), "type")]);
    let err = validate_json("{not json").unwrap_err();
    assert_eq!(err.issues()[0].rule, "json");
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

/// Guards: `model::check_response` (what the wasm layer runs on a 200 answer) accepts
/// exactly what the typed `PreEntrustSignResponse` accepts, arrays aside, and names every
/// field of the struct.
#[test]
fn check_response_agrees_with_the_typed_struct() {
    use wechatpay_wasm::model::{check_response, RESPONSE_OPTIONAL_STRINGS};
    use wechatpay_wasm::PreEntrustSignResponse;
    let full = json!({
        "pre_entrustweb_id": "5778aadY9nltAsZzXixCkFIGYnV2V", "redirect_url": "https://x",
        "mini_program_username": "gh_1", "mini_program_path": "p", "future_field": 1
    });
    let typed: PreEntrustSignResponse = serde_json::from_value(full.clone()).unwrap();
    let mut fields: Vec<String> = serde_json::to_value(&typed)
        .unwrap()
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    fields.sort();
    let mut named: Vec<String> = RESPONSE_OPTIONAL_STRINGS
        .iter()
        .chain(&["pre_entrustweb_id"])
        .map(|s| s.to_string())
        .collect();
    named.sort();
    assert_eq!(fields, named);

    let mut cases = vec![full.clone(), json!({}), json!("x"), Value::Null, json!(1)];
    for f in &named {
        for v in [
            None,
            Some(Value::Null),
            Some(json!(1)),
            Some(json!("s")),
            Some(json!({})),
            Some(json!([])),
            Some(json!(true)),
        ] {
            let mut r = full.clone();
            match v {
                Some(v) => r[f.as_str()] = v,
                None => {
                    r.as_object_mut().unwrap().remove(f.as_str());
                }
            }
            cases.push(r);
        }
    }
    let mut accepted = 0;
    for case in &cases {
        let typed = serde_json::from_value::<PreEntrustSignResponse>(case.clone());
        let checked = check_response(case);
        assert_eq!(
            typed.is_ok(),
            checked.is_ok(),
            "{case}: {typed:?} vs {checked:?}"
        );
        accepted += usize::from(checked.is_ok());
    }
    // Both accept the full answer and each optional field absent, null or a string; both
    // refuse the rest.
    assert_eq!(accepted, 1 + 3 * 3 + 1);
    // Arrays: serde's derive reads a struct from one; check_response refuses it.
    assert!(serde_json::from_value::<PreEntrustSignResponse>(json!(["id"])).is_ok());
    assert_eq!(
        check_response(&json!(["id"])).unwrap_err(),
        "it is not a JSON object"
    );
    assert_eq!(
        check_response(&json!({})).unwrap_err(),
        "missing field `pre_entrustweb_id`"
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

/// Issue 17: `http://evil.example\@127.0.0.1/notify` passed as loopback, although the URL
/// standard (WHATWG, what `new URL` and `fetch` follow) reads `\` as `/` in http(s) URLs, so
/// its host is evil.example. Each URL here with the host Node's `new URL()` gives it (checked
/// by tests/node/notify-url.test.mjs over the same URLs) and whether plain http passes.
#[test]
fn notify_url_host_as_the_url_standard_reads_it() {
    use wechatpay_wasm::validate::check_notify_url;
    let table = [
        // (url, host per the URL standard, accepted)
        (
            "http://evil.example\\@127.0.0.1/notify",
            "evil.example",
            false,
        ),
        ("http://evil.example\\@127.0.0.1", "evil.example", false),
        ("http://127.0.0.1\\@evil.example/", "127.0.0.1", true),
        ("http://evil.example\\\\@localhost/n", "evil.example", false),
        ("http://user:pw@127.0.0.1/n", "127.0.0.1", true),
        ("http://127.0.0.1@evil.example/n", "evil.example", false),
        ("http://127.0.0.1:80@evil.example/n", "evil.example", false),
        ("http://a@b@127.0.0.1/n", "127.0.0.1", true),
        (
            "http://localhost@evil.example:8080/n",
            "evil.example",
            false,
        ),
        ("http://evil.example@[::1]:8080/n", "[::1]", true),
        ("http://[::1]@evil.example/n", "evil.example", false),
        ("http://LOCALHOST:3000\\n", "localhost", true),
        ("http://127.0.0.1:8080/a\\@evil.example", "127.0.0.1", true),
        ("http://\\evil.example/n", "evil.example", false),
        ("http:///127.0.0.1/n", "127.0.0.1", false),
        ("http://127.1/n", "127.0.0.1", false),
        ("http://127.0.0.010/n", "127.0.0.8", false),
        ("http://0127.0.0.1/n", "87.0.0.1", false),
        ("http://127.0.0.%31/n", "127.0.0.1", false),
        ("http://2130706433/n", "127.0.0.1", false),
        ("https://evil.example\\@127.0.0.1/n", "evil.example", true),
    ];
    for (url, host, accepted) in table {
        let got = check_notify_url(url);
        assert_eq!(got.is_ok(), accepted, "{url} (host {host}): {got:?}");
    }
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

/// Found by the fuzzer (fuzz/regressions/validate-pre-entrust-sign/oracle-2c423a9284bf83f9):
/// the scheme of a `contract_notify_url` was quoted in full in its message (4,000 bytes for a
/// 4,000-character scheme). Failed before the fix.
#[test]
fn a_long_notify_url_scheme_is_quoted_short() {
    let url = format!("{}://a.example/notify", "http:p".repeat(700));
    let issues = validate(&with("/contract_notify_url", Some(json!(url))));
    let message = &issues
        .iter()
        .find(|i| i.rule == "url")
        .expect("a url issue")
        .message;
    assert!(message.contains("must use https://"), "{message}");
    assert!(message.len() < 300, "{} bytes: {message}", message.len());
}
