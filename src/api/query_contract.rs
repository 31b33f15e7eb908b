//! `GET /v3/papay/sign/contracts/harmony-plan-id/{plan_id}/out-contract-code/{out_contract_code}`
//! (查询签约协议, doc 4013844122): a contract by the merchant's code, per
//! `shared/spec/harmony-deduction.md` section 1. Its `contract_id` is what a deduction names.

use super::{with_params, Answer, Operation};
use crate::schema::{opt, req, Field, Kind, ANY_STR};

const PARAMS: &[Field] = &[
    req("plan_id", Kind::PositiveInt),
    req("out_contract_code", Kind::Code { max: 32, also: "" }),
];

const TERMINATE_INFO: &[Field] = &[
    req("contract_termination_mode", ANY_STR),
    req("contract_terminated_time", ANY_STR),
    opt("contract_termination_remark", ANY_STR),
];

const ANSWER: &[Field] = &[
    req("mchid", ANY_STR),
    req("contract_id", ANY_STR),
    req("appid", ANY_STR),
    req("plan_id", Kind::PositiveInt),
    req("out_contract_code", ANY_STR),
    req("contract_display_account", ANY_STR),
    req("contract_state", ANY_STR),
    opt("contract_signed_time", ANY_STR),
    opt("contract_expired_time", ANY_STR),
    req("openid", ANY_STR),
    opt("contract_terminate_info", Kind::Object(TERMINATE_INFO)),
    opt("out_user_code", ANY_STR),
    opt("mask_wxid", ANY_STR),
];

/// The operation.
pub const QUERY_CONTRACT: Operation = Operation {
    name: "queryContract",
    method: "GET",
    path:
        "/v3/papay/sign/contracts/harmony-plan-id/{plan_id}/out-contract-code/{out_contract_code}",
    params: PARAMS,
    query: &[],
    request: None,
    answer: Answer::Json(ANSWER),
    notifications: &[],
    idempotent: false,
    build: with_params,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::tests::{answer_rejects, assert_rows};

    const VALID: &str = r#"{"plan_id":12535,"out_contract_code":"wxwtdk20200910100000"}"#;

    /// (edit of the valid parameters, pointer, rule): one row per rule of the spec.
    const ROWS: &[(&str, &str, &str, &str)] = &[
        ("12535", "0", "/plan_id", "range"),
        ("12535", "-3", "/plan_id", "range"),
        ("12535", "1.5", "/plan_id", "type"),
        ("12535", "\"12535\"", "/plan_id", "type"),
        ("12535", "9007199254740992", "/plan_id", "range"),
        ("\"plan_id\":12535,", "", "/plan_id", "required"),
        ("wxwtdk20200910100000", "", "/out_contract_code", "length"),
        (
            "wxwtdk20200910100000",
            "a-b",
            "/out_contract_code",
            "charset",
        ),
        (
            "wxwtdk20200910100000",
            "../x",
            "/out_contract_code",
            "charset",
        ),
        (
            "wxwtdk20200910100000",
            "x/y",
            "/out_contract_code",
            "charset",
        ),
        (
            "20200910100000",
            "20200910100000abcdefghijklmnopqrst",
            "/out_contract_code",
            "length",
        ),
        (
            "\"wxwtdk20200910100000\"",
            "null",
            "/out_contract_code",
            "null",
        ),
        ("\"plan_id\"", "\"planid\"", "/planid", "unknown"),
    ];

    #[test]
    fn description_and_path() {
        let op = &QUERY_CONTRACT;
        let p = op.prepare(VALID, "1900000001").unwrap();
        assert_eq!(
            p.path_and_query,
            "/v3/papay/sign/contracts/harmony-plan-id/12535/out-contract-code/wxwtdk20200910100000"
        );
        assert_eq!(p.body, None);
        // 32 characters pass, 33 do not.
        let max = VALID.replace("wxwtdk20200910100000", &"a".repeat(32));
        assert!(op.validate_text(&max).is_empty());
    }

    #[test]
    fn every_rule_breaks_with_its_pointer() {
        assert_rows(&QUERY_CONTRACT, VALID, ROWS);
    }

    #[test]
    fn answers() {
        let op = &QUERY_CONTRACT;
        let ok = br#"{"mchid":"1","contract_id":"c","appid":"a","plan_id":1,"out_contract_code":"x",
            "contract_display_account":"d","contract_state":"TERMINATED","openid":"o",
            "contract_signed_time":null,"future":{"a":1},
            "contract_terminate_info":{"contract_termination_mode":"USER_TERMINATE",
            "contract_terminated_time":"2026-11-29T10:00:00+08:00","contract_termination_remark":null}}"#;
        assert_eq!(op.check_answer(ok).unwrap(), ["contract_signed_time"]);
        let s = std::str::from_utf8(ok).unwrap();
        answer_rejects(
            op,
            &[
                s.replace(r#""contract_id":"c","#, ""),
                s.replace(r#""plan_id":1"#, r#""plan_id":"1""#),
                s.replace(r#""contract_termination_mode":"USER_TERMINATE","#, ""),
                s.replace(r#""openid":"o""#, r#""openid":null"#),
            ],
        );
    }
}
