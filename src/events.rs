//! The notifications of the flow after signing (`shared/spec/harmony-deduction.md` section 3):
//! what each event's decrypted resource must hold, and the merchant's answer to
//! `ENTRUST.TERMINATE_INQUIRY`. `ENTRUST.SIGN` / `ENTRUST.TERMINATE` are checked by
//! [`crate::notify::check_entrust`]; any other event type passes as decrypted.

use crate::json::{Map, Value};

use crate::api::{ORDER_AMOUNT, PAYER};
use crate::error::{Error, Result};
use crate::notify::bad_notification;
use crate::schema::{self, opt, req, Field, Kind, ANY_STR};

const INQUIRY: &[Field] = &[
    req("mchid", ANY_STR),
    req("appid", ANY_STR),
    opt("openid", ANY_STR),
    req("plan_id", Kind::PositiveInt),
    req("out_contract_code", ANY_STR),
    req("out_user_code", ANY_STR),
    opt("contract_id", ANY_STR),
    opt("contract_display_account", ANY_STR),
    opt("contract_state", ANY_STR),
    opt("contract_signed_time", ANY_STR),
];

/// The order of `TRANSACTION.*` (a failed one has no `success_time`).
const TRANSACTION: &[Field] = &[
    req("appid", ANY_STR),
    req("mchid", ANY_STR),
    req("out_trade_no", ANY_STR),
    req("transaction_id", ANY_STR),
    req("trade_type", ANY_STR),
    req("trade_state", ANY_STR),
    opt("trade_state_desc", ANY_STR),
    opt("bank_type", ANY_STR),
    opt("attach", ANY_STR),
    opt("success_time", ANY_STR),
    req("payer", Kind::Object(PAYER)),
    req("amount", Kind::Object(ORDER_AMOUNT)),
    opt("contract_id", ANY_STR),
];

/// What a paid order has besides [`TRANSACTION`].
const PAID: &[Field] = &[req("success_time", ANY_STR)];

/// Each event type with a schema its resource must pass (several rows: all of them).
pub const EVENT_RESOURCES: &[(&str, &[Field])] = &[
    ("ENTRUST.TERMINATE_INQUIRY", INQUIRY),
    ("TRANSACTION.SUCCESS", TRANSACTION),
    ("TRANSACTION.SUCCESS", PAID),
    ("TRANSACTION.FAIL", TRANSACTION),
];

/// Checks an opened envelope's resource against its event type's schemas: required fields
/// there with their JSON types; unknown fields and other event types pass.
pub fn check_resource(envelope: &Map) -> Result<()> {
    let Some(event_type) = envelope.get("event_type").and_then(Value::as_str) else {
        return Ok(());
    };
    let resource = envelope.get("resource").unwrap_or(&Value::Null);
    for (_, fields) in EVENT_RESOURCES.iter().filter(|(t, _)| *t == event_type) {
        schema::check_answer(fields, resource).map_err(|why| {
            bad_notification(format!("the {event_type} resource is malformed ({why})"))
        })?;
    }
    Ok(())
}

/// Most characters of the inquiry answer's `message` (project decision: the vendor's page
/// gives no limit; a refusal's message is shown to the user, so a sentence).
pub const INQUIRY_MESSAGE_MAX_CHARS: usize = 128;

/// The message of an allowing answer given none.
pub const INQUIRY_ALLOW_MESSAGE: &str = "OK";

/// The JSON body answering `ENTRUST.TERMINATE_INQUIRY` (with HTTP 200):
/// `{"code":"SUCCESS","message":...}` lets the termination go ahead,
/// `{"code":"FAIL","message":<reason>}` refuses it. A refusal needs its reason (shown to the
/// user); any message is 1..=[`INQUIRY_MESSAGE_MAX_CHARS`] characters of at most 3 UTF-8
/// bytes each, like every APIv3 string; it is JSON-escaped.
pub fn terminate_inquiry_reply(allow: bool, message: Option<&str>) -> Result<String> {
    const FIELDS: [&[Field]; 2] = [
        &[req(
            "message",
            Kind::Str {
                min: 1,
                max: INQUIRY_MESSAGE_MAX_CHARS,
            },
        )],
        &[opt(
            "message",
            Kind::Str {
                min: 1,
                max: INQUIRY_MESSAGE_MAX_CHARS,
            },
        )],
    ];
    let mut input = Map::new();
    if let Some(m) = message {
        input.insert("message".into(), Value::String(m.to_owned()));
    }
    let mut issues = schema::check(FIELDS[usize::from(allow)], &Value::Object(input));
    if let (false, Some(issue)) = (allow, issues.first_mut()) {
        issue
            .message
            .push_str(" (a refusal's reason is shown to the user)");
    }
    if !issues.is_empty() {
        return Err(Error::Validation(issues));
    }
    let message = message.unwrap_or(INQUIRY_ALLOW_MESSAGE);
    let code = if allow { "SUCCESS" } else { "FAIL" };
    let mut body = String::from(r#"{"code":""#);
    body.push_str(code);
    body.push_str(r#"","message":"#);
    body.push_str(&crate::error::quoted(message));
    body.push('}');
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(event_type: &str, resource: &str) -> Map {
        let mut m = Map::new();
        m.insert("event_type".into(), Value::String(event_type.into()));
        m.insert("resource".into(), serde_json::from_str(resource).unwrap());
        m
    }

    const PAID_ORDER: &str = r#"{"appid":"a","mchid":"1","out_trade_no":"T1","transaction_id":"42",
        "trade_type":"PAP","trade_state":"SUCCESS","success_time":"2026-11-29T10:00:00+08:00",
        "payer":{"openid":"o"},"amount":{"total":100,"currency":"CNY"},"future":1}"#;
    const INQUIRY_RES: &str = r#"{"mchid":"1","appid":"a","plan_id":1,"out_contract_code":"c",
        "out_user_code":"u","code":"x","messsage":"y"}"#;

    #[test]
    fn resources_of_the_new_events() {
        let ok = |t: &str, r: &str| check_resource(&envelope(t, r)).is_ok();
        assert!(ok("TRANSACTION.SUCCESS", PAID_ORDER));
        let failed = PAID_ORDER
            .replace(r#""success_time":"2026-11-29T10:00:00+08:00","#, "")
            .replace("SUCCESS", "PAY_FAIL");
        assert!(ok("TRANSACTION.FAIL", &failed));
        assert!(
            !ok("TRANSACTION.SUCCESS", &failed),
            "a paid order has its time"
        );
        assert!(ok("ENTRUST.TERMINATE_INQUIRY", INQUIRY_RES));
        // Other event types pass, whatever they hold.
        assert!(ok("TRANSACTION.REFUND", "[]"));
        assert!(ok("ENTRUST.SOMETHING", r#"{"a":1}"#));
        for (t, r) in [
            (
                "TRANSACTION.SUCCESS",
                PAID_ORDER.replace(r#""out_trade_no":"T1","#, ""),
            ),
            (
                "TRANSACTION.FAIL",
                failed.replace(r#""transaction_id":"42","#, ""),
            ),
            (
                "TRANSACTION.SUCCESS",
                PAID_ORDER.replace(r#"{"openid":"o"}"#, "{}"),
            ),
            ("TRANSACTION.SUCCESS", PAID_ORDER.replace("100", "\"100\"")),
            (
                "ENTRUST.TERMINATE_INQUIRY",
                INQUIRY_RES.replace(r#""plan_id":1"#, r#""plan_id":"1""#),
            ),
            (
                "ENTRUST.TERMINATE_INQUIRY",
                INQUIRY_RES.replace(r#""out_user_code":"u","#, ""),
            ),
            ("TRANSACTION.FAIL", "[]".to_owned()),
        ] {
            let e = check_resource(&envelope(t, &r)).unwrap_err();
            assert_eq!(e.code(), "BAD_NOTIFICATION", "{t} {r}");
            assert!(e.to_string().contains(t), "{e}");
        }
    }

    #[test]
    fn inquiry_replies() {
        let reply = |a, m| terminate_inquiry_reply(a, m);
        assert_eq!(
            reply(true, None).unwrap(),
            r#"{"code":"SUCCESS","message":"OK"}"#
        );
        assert_eq!(
            reply(false, Some("扣款进行中 \"稍后\"\n\\")).unwrap(),
            r#"{"code":"FAIL","message":"扣款进行中 \"稍后\"\n\\"}"#
        );
        // The body is JSON that reads back to the message.
        let body: serde_json::Value =
            serde_json::from_str(&reply(false, Some("a\u{1}</b>")).unwrap()).unwrap();
        assert_eq!(body["message"], "a\u{1}</b>");
        assert_eq!(body["code"], "FAIL");
        let long = "扣".repeat(INQUIRY_MESSAGE_MAX_CHARS);
        assert!(reply(false, Some(&long)).is_ok());
        for (allow, m, rule) in [
            (false, None, "required"),
            (false, Some(""), "length"),
            (true, Some(""), "length"),
            (false, Some("😀"), "utf8mb4"),
            (true, Some(&*format!("{long}x")), "length"),
        ] {
            let e = reply(allow, m).unwrap_err();
            assert_eq!(e.code(), "INVALID_FIELD");
            assert_eq!(
                (e.issues()[0].field.as_str(), e.issues()[0].rule),
                ("/message", rule)
            );
        }
    }
}
