//! `POST /v3/papay/pay/harmony/transactions/apply` (代扣受理扣款, doc 4013388429): charges a
//! signed contract, per `shared/spec/harmony-deduction.md` section 2. Asynchronous: the answer
//! says the deduction was accepted; its result arrives as `TRANSACTION.SUCCESS` or
//! `TRANSACTION.FAIL` at `transaction_notify_url`, or from the order query.

use super::{with_body, Answer, Operation};
use crate::schema::{opt, req, Field, Kind, ANY_STR};

const AMOUNT: &[Field] = &[
    req("total", Kind::PositiveInt),
    opt("currency", Kind::Enum(&["CNY"])),
];

const REQUEST: &[Field] = &[
    req("appid", Kind::Str { min: 1, max: 32 }),
    req(
        "out_trade_no",
        Kind::Code {
            max: 32,
            also: "_-*",
        },
    ),
    req("description", Kind::Str { min: 1, max: 127 }),
    req("transaction_notify_url", Kind::NotifyUrl),
    req("contract_id", Kind::Str { min: 1, max: 32 }),
    req("amount", Kind::Object(AMOUNT)),
    opt("goods_tag", Kind::Str { min: 1, max: 32 }),
    opt("attach", Kind::Str { min: 1, max: 128 }),
    req("harmony_account_id", Kind::Str { min: 1, max: 64 }),
    opt("mcc", Kind::Str { min: 1, max: 4 }),
];

const ANSWER_AMOUNT: &[Field] = &[req("total", Kind::PositiveInt), opt("currency", ANY_STR)];

const ANSWER: &[Field] = &[
    req("out_trade_no", ANY_STR),
    req("amount", Kind::Object(ANSWER_AMOUNT)),
];

/// The operation.
pub const APPLY_DEDUCTION: Operation = Operation {
    name: "applyDeduction",
    method: "POST",
    path: "/v3/papay/pay/harmony/transactions/apply",
    params: &[],
    query: &[],
    request: Some(REQUEST),
    answer: Answer::Json(ANSWER),
    notifications: &["TRANSACTION.SUCCESS", "TRANSACTION.FAIL"],
    // WeChat Pay deduplicates a deduction by out_trade_no: failover may repeat it after a timeout.
    idempotent: true,
    build: with_body,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::tests::{answer_rejects, assert_rows, issues_of};

    #[test]
    fn a_deduction_is_safe_to_repeat_after_a_timeout_a_presign_is_not() {
        use crate::failover::{safe_to_repeat, send_to_backup, Failure};
        assert!(safe_to_repeat("POST", Some(&APPLY_DEDUCTION)));
        assert!(send_to_backup(
            true,
            Failure::Timeout,
            safe_to_repeat("POST", Some(&APPLY_DEDUCTION))
        ));
        let presign = &crate::api::PRE_ENTRUST_SIGN;
        assert!(!send_to_backup(
            true,
            Failure::Timeout,
            safe_to_repeat("POST", Some(presign))
        ));
    }

    const VALID: &str = r#"{"appid":"wxd678efh567hg6787","out_trade_no":"T_2026-11*29",
        "description":"会员月费","transaction_notify_url":"https://yourapp.com/pay/notify",
        "contract_id":"202011065409471222","amount":{"total":100,"currency":"CNY"},
        "goods_tag":"WXG","attach":"自定义","harmony_account_id":"ha-01","mcc":"5812"}"#;

    /// (edit of the valid body, pointer of the issue, rule): one row per rule of the spec.
    const ROWS: &[(&str, &str, &str, &str)] = &[
        ("\"wxd678efh567hg6787\"", "\"\"", "/appid", "length"),
        (
            "wxd678efh567hg6787",
            "wxd678efh567hg6787wxd678efh567hg6",
            "/appid",
            "length",
        ),
        (
            "\"appid\":\"wxd678efh567hg6787\",",
            "",
            "/appid",
            "required",
        ),
        ("T_2026-11*29", "T.1", "/out_trade_no", "charset"),
        ("T_2026-11*29", "T/../1", "/out_trade_no", "charset"),
        ("T_2026-11*29", "", "/out_trade_no", "length"),
        (
            "T_2026-11*29",
            "T_2026-11*29T_2026-11*29T_2026-11*29",
            "/out_trade_no",
            "length",
        ),
        ("会员月费", "", "/description", "length"),
        ("会员月费", "会员😀", "/description", "utf8mb4"),
        (
            "https://yourapp.com/pay/notify",
            "http://yourapp.com/n",
            "/transaction_notify_url",
            "url",
        ),
        (
            "https://yourapp.com/pay/notify",
            "https://yourapp.com/n?a=1",
            "/transaction_notify_url",
            "url",
        ),
        (
            "\"202011065409471222\"",
            "202011065409471222",
            "/contract_id",
            "type",
        ),
        ("\"202011065409471222\"", "\"\"", "/contract_id", "length"),
        ("\"total\":100", "\"total\":0", "/amount/total", "range"),
        ("\"total\":100", "\"total\":-100", "/amount/total", "range"),
        ("\"total\":100", "\"total\":1.5", "/amount/total", "type"),
        ("\"total\":100", "\"total\":100.0", "/amount/total", "type"),
        ("\"total\":100", "\"total\":1e2", "/amount/total", "type"),
        (
            "\"total\":100",
            "\"total\":\"100\"",
            "/amount/total",
            "type",
        ),
        ("\"total\":100,", "", "/amount/total", "required"),
        ("\"CNY\"", "\"USD\"", "/amount/currency", "enum"),
        ("\"CNY\"", "null", "/amount/currency", "null"),
        (
            "{\"total\":100,\"currency\":\"CNY\"}",
            "100",
            "/amount",
            "type",
        ),
        ("\"WXG\"", "\"\"", "/goods_tag", "length"),
        ("\"自定义\"", "\"\"", "/attach", "length"),
        ("\"ha-01\"", "\"\"", "/harmony_account_id", "length"),
        (
            "\"harmony_account_id\":\"ha-01\",",
            "",
            "/harmony_account_id",
            "required",
        ),
        ("\"5812\"", "\"58120\"", "/mcc", "length"),
        ("\"mcc\"", "\"mmc\"", "/mmc", "unknown"),
        ("\"total\"", "\"totl\"", "/amount/totl", "unknown"),
    ];

    #[test]
    fn description() {
        let op = &APPLY_DEDUCTION;
        let prepared = op.prepare(VALID, "1900000001").unwrap();
        assert_eq!(prepared.path_and_query, op.path);
        assert_eq!(
            prepared.body.map(|b| b.json().to_owned()).as_deref(),
            Some(VALID)
        );
        // Limits hold exactly: 32, 127, 128, 64 characters pass.
        let at_limits = VALID
            .replace("T_2026-11*29", &"T".repeat(32))
            .replace("会员月费", &"会".repeat(127))
            .replace("自定义", &"定".repeat(128))
            .replace("ha-01", &"h".repeat(64));
        assert!(op.validate_text(&at_limits).is_empty());
        // Optional fields may be left out; loopback http is allowed for local tests.
        let minimal = r#"{"appid":"a","out_trade_no":"1","description":"d","contract_id":"c",
            "transaction_notify_url":"http://127.0.0.1:8080/n","amount":{"total":1},"harmony_account_id":"h"}"#;
        assert_eq!(op.validate_text(minimal), vec![]);
    }

    #[test]
    fn every_rule_breaks_with_its_pointer() {
        assert_rows(&APPLY_DEDUCTION, VALID, ROWS);
        // Every broken rule at once, in one answer.
        let all = VALID
            .replace("\"wxd678efh567hg6787\"", "\"\"")
            .replace("T_2026-11*29", "T.1")
            .replace("\"total\":100", "\"total\":1.5")
            .replace("\"5812\"", "null");
        let issues = issues_of(&APPLY_DEDUCTION, &all);
        assert_eq!(issues.len(), 4, "{issues:?}");
    }

    #[test]
    fn answers() {
        let op = &APPLY_DEDUCTION;
        let ok = r#"{"out_trade_no":"T1","amount":{"total":100,"currency":null},"extra":true}"#;
        assert!(op.check_answer(ok.as_bytes()).unwrap().is_empty());
        answer_rejects(
            op,
            &[
                ok.replace(r#""out_trade_no":"T1","#, ""),
                ok.replace("100", "\"100\""),
                ok.replace(r#""total":100,"#, ""),
            ],
        );
    }
}
