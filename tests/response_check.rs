#![cfg(not(target_arch = "wasm32"))]
//! The check of a pre-entrust-sign answer against its typed struct.

use serde_json::{json, Value};

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
