//! `GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid=` (查询订单, doc 4013070356):
//! a deduction's order by the merchant's number, per `shared/spec/harmony-deduction.md`
//! section 4. `trade_state` is `ACCEPT` while it is being charged; the client adds `mchid`.

use super::{with_params, Answer, Operation, QueryValue};
use crate::schema::{opt, req, Field, Kind, ANY_STR};

const PARAMS: &[Field] = &[req(
    "out_trade_no",
    Kind::Code {
        max: 32,
        also: "_-*",
    },
)];

/// `payer` of an order (also of `TRANSACTION.*`).
pub(crate) const PAYER: &[Field] = &[req("openid", ANY_STR)];

/// `amount` of an order (also of `TRANSACTION.*`).
pub(crate) const AMOUNT: &[Field] = &[
    req("total", Kind::PositiveInt),
    opt("payer_total", Kind::PositiveInt),
    opt("currency", ANY_STR),
    opt("payer_currency", ANY_STR),
];

/// The order (`TRANSACTION.*` carries it too: `crate::events`).
const ORDER: &[Field] = &[
    req("appid", ANY_STR),
    req("mchid", ANY_STR),
    req("out_trade_no", ANY_STR),
    opt("transaction_id", ANY_STR),
    opt("trade_type", ANY_STR),
    req("trade_state", ANY_STR),
    opt("trade_state_desc", ANY_STR),
    opt("bank_type", ANY_STR),
    opt("attach", ANY_STR),
    opt("success_time", ANY_STR),
    opt("payer", Kind::Object(PAYER)),
    opt("amount", Kind::Object(AMOUNT)),
    opt("contract_id", ANY_STR),
];

/// The operation.
pub const QUERY_ORDER: Operation = Operation {
    name: "queryOrder",
    method: "GET",
    path: "/v3/pay/transactions/out-trade-no/{out_trade_no}",
    params: PARAMS,
    query: &[("mchid", QueryValue::Mchid)],
    request: None,
    answer: Answer::Json(ORDER),
    notifications: &[],
    idempotent: false,
    build: with_params,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::tests::{answer_rejects, assert_rows};

    const VALID: &str = r#"{"out_trade_no":"T_2026-11*29"}"#;

    const ROWS: &[(&str, &str, &str, &str)] = &[
        ("T_2026-11*29", "", "/out_trade_no", "length"),
        (
            "T_2026-11*29",
            "T_2026-11*29T_2026-11*29T_2026-11*29",
            "/out_trade_no",
            "length",
        ),
        ("T_2026-11*29", "T.1", "/out_trade_no", "charset"),
        ("T_2026-11*29", "..", "/out_trade_no", "charset"),
        ("T_2026-11*29", "a?b", "/out_trade_no", "charset"),
        ("T_2026-11*29", "订单", "/out_trade_no", "charset"),
        ("\"T_2026-11*29\"", "12", "/out_trade_no", "type"),
        (
            "\"out_trade_no\":\"T_2026-11*29\"",
            "",
            "/out_trade_no",
            "required",
        ),
        (
            "\"out_trade_no\"",
            "\"out_trade_num\"",
            "/out_trade_num",
            "unknown",
        ),
    ];

    #[test]
    fn description_and_path() {
        let p = QUERY_ORDER.prepare(VALID, "1900000001").unwrap();
        assert_eq!(
            p.path_and_query,
            "/v3/pay/transactions/out-trade-no/T_2026-11%2A29?mchid=1900000001"
        );
        assert_eq!(p.body, None);
    }

    #[test]
    fn every_rule_breaks_with_its_pointer() {
        assert_rows(&QUERY_ORDER, VALID, ROWS);
    }

    #[test]
    fn answers() {
        let op = &QUERY_ORDER;
        // Accepted, being charged: no transaction_id, success_time nor payer_total yet.
        let accept = r#"{"appid":"a","mchid":"1","out_trade_no":"T1","trade_type":"PAP",
            "trade_state":"ACCEPT","transaction_id":null,"payer":{"openid":"o"},
            "amount":{"total":100,"currency":"CNY"},"contract_id":"c","new_field":[1]}"#;
        assert_eq!(
            op.check_answer(accept.as_bytes()).unwrap(),
            ["transaction_id"]
        );
        answer_rejects(
            op,
            &[
                accept.replace(r#""trade_state":"ACCEPT","#, ""),
                accept.replace(r#""total":100"#, r#""total":1.5"#),
                accept.replace(r#"{"openid":"o"}"#, "{}"),
                accept.replace(r#""mchid":"1""#, r#""mchid":1"#),
            ],
        );
    }
}
