//! `POST /v3/papay/sign/contracts/pre-entrust-sign` (代扣预签约): the signing scene's pre-sign,
//! per `shared/spec/pre-entrust-sign.md`. Its answer's `redirect_url` (QR scene) or
//! mini-program fields (app scene) start the user's signing; the result arrives as
//! `ENTRUST.SIGN` at `contract_notify_url`.

use super::{with_body, Answer, Operation};
use crate::model::{DAYS_SINCE_FIRST_LOGIN, DEVICE_TYPES, SIGN_SCENES};
use crate::schema::{opt, req, Field, Kind, ANY_STR};

const DEVICE_INFO: &[Field] = &[
    req("device_type", Kind::Enum(DEVICE_TYPES)),
    req("device_os", ANY_STR),
    req("device_id", ANY_STR),
    req("device_running_as_root", Kind::Bool),
    req("device_ip", ANY_STR),
    req("weixin_installed", Kind::Bool),
    req("weixin_version", ANY_STR),
    req("days_since_first_login", Kind::Enum(DAYS_SINCE_FIRST_LOGIN)),
];

const REQUEST: &[Field] = &[
    req("sign_scene", Kind::Enum(SIGN_SCENES)),
    req("appid", Kind::Str { min: 1, max: 32 }),
    opt("openid", Kind::Str { min: 1, max: 128 }),
    req("plan_id", Kind::PositiveInt),
    req("out_contract_code", Kind::Code { max: 32, also: "" }),
    req("contract_display_account", Kind::Str { min: 1, max: 32 }),
    req("contract_notify_url", Kind::NotifyUrl),
    req("out_user_code", Kind::Str { min: 1, max: 64 }),
    opt("return_url", Kind::Str { min: 0, max: 256 }),
    req("device_info", Kind::Object(DEVICE_INFO)),
];

const RESPONSE: &[Field] = &[
    req("pre_entrustweb_id", ANY_STR),
    opt("redirect_url", ANY_STR),
    opt("mini_program_username", ANY_STR),
    opt("mini_program_path", ANY_STR),
];

/// The operation.
pub const PRE_ENTRUST_SIGN: Operation = Operation {
    name: "preEntrustSign",
    method: "POST",
    path: "/v3/papay/sign/contracts/pre-entrust-sign",
    params: &[],
    query: &[],
    request: Some(REQUEST),
    answer: Answer::Json(RESPONSE),
    notifications: &["ENTRUST.SIGN", "ENTRUST.TERMINATE"],
    // A repeat with the same out_contract_code is refused ("already used"), not deduplicated.
    idempotent: false,
    build: with_body,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RESPONSE_OPTIONAL_STRINGS;

    fn body() -> String {
        r#"{"sign_scene":"SIGN_SCENE_QRCODE","appid":"wxd678efh567hg6787","plan_id":12535,
        "out_contract_code":"wxwtdk20200910100000","contract_display_account":"微信代扣用户A",
        "contract_notify_url":"https://yourapp.com/notify","out_user_code":"用户A",
        "device_info":{"device_type":"DEVICE_TYPE_PHONE","device_os":"iOS","device_id":"d",
        "device_running_as_root":false,"device_ip":"203.0.113.7","weixin_installed":true,
        "weixin_version":"8","days_since_first_login":"DAYS_SINCE_FIRST_LOGIN_UNKNOW"}}"#
            .to_owned()
    }

    /// (edit of the valid body, pointer of the issue, rule): one row per rule of the spec.
    const ROWS: &[(&str, &str, &str, &str)] = &[
        (
            "\"sign_scene\":\"SIGN_SCENE_QRCODE\"",
            "\"sign_scene\":\"QR\"",
            "/sign_scene",
            "enum",
        ),
        (
            "\"appid\":\"wxd678efh567hg6787\"",
            "\"appid\":\"\"",
            "/appid",
            "length",
        ),
        ("\"plan_id\":12535", "\"plan_id\":0", "/plan_id", "range"),
        (
            "\"plan_id\":12535",
            "\"plan_id\":\"12535\"",
            "/plan_id",
            "type",
        ),
        (
            "\"out_contract_code\":\"wxwtdk20200910100000\"",
            "\"out_contract_code\":\"a-b\"",
            "/out_contract_code",
            "charset",
        ),
        (
            "\"contract_notify_url\":\"https://yourapp.com/notify\"",
            "\"contract_notify_url\":\"http://yourapp.com/n\"",
            "/contract_notify_url",
            "url",
        ),
        (
            "\"out_user_code\":\"用户A\"",
            "\"out_user_code\":null",
            "/out_user_code",
            "null",
        ),
        (
            "\"device_os\":\"iOS\"",
            "\"device_os\":\"😀\"",
            "/device_info/device_os",
            "utf8mb4",
        ),
        (
            "\"device_running_as_root\":false",
            "\"device_running_as_root\":0",
            "/device_info/device_running_as_root",
            "type",
        ),
        ("\"appid\"", "\"app_id\"", "/app_id", "unknown"),
        (
            "\"device_type\":\"DEVICE_TYPE_PHONE\",",
            "",
            "/device_info/device_type",
            "required",
        ),
    ];

    #[test]
    fn description() {
        let op = &PRE_ENTRUST_SIGN;
        assert_eq!(
            (op.method, op.path),
            ("POST", "/v3/papay/sign/contracts/pre-entrust-sign")
        );
        assert!(op.params.is_empty() && op.query.is_empty());
        let prepared = op.prepare(&body(), "1900000001").unwrap();
        assert_eq!(prepared.path_and_query, op.path);
        assert_eq!(prepared.body.map(|b| b.json().to_owned()), Some(body()));
        let Answer::Json(fields) = op.answer else {
            panic!("a JSON answer")
        };
        let optional: Vec<&str> = fields
            .iter()
            .filter(|f| !f.required)
            .map(|f| f.name)
            .collect();
        assert_eq!(optional, RESPONSE_OPTIONAL_STRINGS);
    }

    #[test]
    fn every_rule_breaks_with_its_pointer() {
        for (from, to, pointer, rule) in ROWS {
            let text = body().replacen(from, to, 1);
            assert_ne!(text, body(), "{from}");
            let issues = op_issues(&text);
            assert!(
                issues.iter().any(|(f, r)| f == pointer && r == rule),
                "{to}: {issues:?}"
            );
        }
        // Every broken rule at once.
        let all = ROWS
            .iter()
            .fold(body(), |b, (from, to, _, _)| b.replacen(from, to, 1));
        assert!(
            op_issues(&all).len() >= ROWS.len() - 1,
            "{:?}",
            op_issues(&all)
        );
    }

    fn op_issues(text: &str) -> Vec<(String, &'static str)> {
        PRE_ENTRUST_SIGN
            .validate_text(text)
            .into_iter()
            .map(|i| (i.field, i.rule))
            .collect()
    }

    #[test]
    fn answers() {
        let op = &PRE_ENTRUST_SIGN;
        let nulls = op
            .check_answer(br#"{"pre_entrustweb_id":"p","redirect_url":null,"extra":1}"#)
            .unwrap();
        assert_eq!(nulls, ["redirect_url"]);
        for bad in [&b"[]"[..], b"{}", br#"{"pre_entrustweb_id":1}"#, b"<html>"] {
            let e = op.check_answer(bad).unwrap_err();
            assert_eq!(e.code(), "BAD_RESPONSE", "{e}");
        }
    }
}
