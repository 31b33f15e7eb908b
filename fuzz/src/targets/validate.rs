//! The request validators, one target per operation of `wechatpay_wasm::api::OPERATIONS`.
//! Adding an operation is one line in [`OPERATIONS`] (and its seeds in
//! `corpus/validate-<name>/`).
//!
//! Each input is the operation's input as the typed call takes it (the body, or the
//! parameters' object), run through the engine as the wasm layer runs it:
//! `Operation::validate_text` (the `validate*` exports) and `Operation::prepare` (the typed
//! calls). Checked per input: no panic; both report the same issues (`prepare` refuses
//! nothing `validate_text` passes); every issue names a JSON pointer and has a bounded
//! message; a body that passes is kept byte for byte, and what passes is then checked by the
//! operation's `after` (the typed request; the path built from the parameters:
//! [`super::params`]).

use std::borrow::Cow;

use wechatpay_wasm::api::{self, Prepared};
use wechatpay_wasm::model::{DAYS_SINCE_FIRST_LOGIN, DEVICE_TYPES, SIGN_SCENES};
use wechatpay_wasm::{Error, Issue, ValidatedBody};

use super::{params, Target};
use crate::mutate;

/// The crate's own functions for one body (the Rust API beside the engine).
pub type OwnFns = (
    fn(&str) -> Vec<Issue>,
    fn(&str) -> wechatpay_wasm::Result<ValidatedBody>,
);

/// One operation's validator.
pub struct Operation {
    /// The target's name is `validate-<name>`.
    pub name: &'static str,
    /// The operation in the engine.
    pub engine: &'static api::Operation,
    /// The crate's own `validate_text` and `validate_json` for this body, if it has them:
    /// they must agree with the engine.
    pub own: Option<OwnFns>,
    /// What is checked of an input that passed (the input's text, what `prepare` built).
    pub after: fn(&api::Operation, &str, &Prepared) -> Result<(), String>,
}

const fn op(
    name: &'static str,
    engine: &'static api::Operation,
    own: Option<OwnFns>,
    after: fn(&api::Operation, &str, &Prepared) -> Result<(), String>,
) -> Operation {
    Operation {
        name,
        engine,
        own,
        after,
    }
}

/// The client's `mchid` for operations whose query carries it.
pub const MCHID: &str = "1900000001";

/// The operations whose inputs are validated: every one of `api::OPERATIONS`.
#[rustfmt::skip]
pub const OPERATIONS: &[Operation] = &[
    op("pre-entrust-sign", &api::PRE_ENTRUST_SIGN,
       Some((wechatpay_wasm::validate_text, wechatpay_wasm::validate_json)), pre_entrust_sign_typed),
    op("query-contract", &api::QUERY_CONTRACT, None, params::built_path),
    op("apply-deduction", &api::APPLY_DEDUCTION, None, body_reserialised),
    op("query-order", &api::QUERY_ORDER, None, params::built_path),
];

/// A body that passed reads as the typed request, and that request passes when serialised.
fn pre_entrust_sign_typed(
    engine: &api::Operation,
    text: &str,
    prepared: &Prepared,
) -> Result<(), String> {
    body_reserialised(engine, text, prepared)?;
    let Some(body) = &prepared.body else {
        return Err("pre-entrust-sign built no body".into());
    };
    let request = body
        .request()
        .map_err(|e| format!("a body that passed does not read as the typed request: {e}"))?;
    wechatpay_wasm::validate_request(&request)
        .map(|_| ())
        .map_err(|e| format!("the typed request of a body that passed fails: {e}"))
}

/// A body that passed is sent to the operation's own path, and reads as JSON that passes
/// again when serialised compactly (no typed request model for this body: serde_json's
/// `Value`, which keeps every field the schema checked).
fn body_reserialised(
    engine: &api::Operation,
    _text: &str,
    prepared: &Prepared,
) -> Result<(), String> {
    if prepared.path_and_query != engine.path {
        return Err(format!(
            "a body operation built the path {:?}",
            prepared.path_and_query
        ));
    }
    let Some(body) = &prepared.body else {
        return Err("a body operation built no body".into());
    };
    let value: serde_json::Value = serde_json::from_str(body.json())
        .map_err(|e| format!("a body that passed is not JSON: {e}"))?;
    let again = serde_json::to_string(&value).map_err(|e| format!("cannot serialise: {e}"))?;
    let issues = engine.validate_text(&again);
    if issues.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "a body that passed fails when serialised again: {:?}",
            issues
                .iter()
                .map(|i| (&i.field, i.rule))
                .collect::<Vec<_>>()
        ))
    }
}

/// Longest issue message accepted, whatever the input's size: messages quote the input only
/// in short prefixes (`quoted_brief`: 64 characters, up to 6 bytes each as `\uXXXX`) beside
/// at most a list of the allowed values.
pub const MAX_MESSAGE: usize = 1024;

/// Strings worth trying in request bodies.
fn dictionary() -> Vec<&'static str> {
    let mut d: Vec<&'static str> = [SIGN_SCENES, DEVICE_TYPES, DAYS_SINCE_FIRST_LOGIN].concat();
    d.extend_from_slice(&[
        "https://yourapp.com/notify",
        "http://127.0.0.1:8080/notify",
        "http://localhost/n",
        "http://[::1]:3000/n",
        "http://[::1]x/n",
        "http://[::1",
        "http://evil.example\\@127.0.0.1/notify",
        "http://evil.example@127.0.0.1/notify",
        "http://127.0.0.1.evil.example/",
        "http://127.0.0.256/",
        "http://0x7f.1/",
        "https://a.example:65536/x",
        "https://a.example:/x",
        "https://a.example/x?y=1",
        "https://a.example/x#f",
        "HTTPS://A.EXAMPLE/",
        "ftp://a.example/",
        "https://",
        "://",
        "wxd678efh567hg6787",
        "sign_scene",
        "device_info",
        "plan_id",
        "out_contract_code",
        "contract_notify_url",
        "timeoutMs",
        "transaction_notify_url",
        "contract_id",
        "harmony_account_id",
        "out_trade_no",
        "amount",
        "total",
        "currency",
        "CNY",
        "goods_tag",
        "attach",
        "mcc",
        "description",
    ]);
    d
}

/// The target of one operation.
pub fn target(op: &'static Operation) -> Target {
    let mut dict = dictionary();
    let with_params = op.engine.request.is_none();
    if with_params {
        dict.extend_from_slice(params::PIECES);
    }
    Target {
        name: format!("validate-{}", op.name),
        weight: 40,
        generate: Box::new(move |rng, parent, other| {
            if with_params && rng.one_in(2) {
                if let Some(out) = params::mutate_ids(rng, op.engine, parent) {
                    return out;
                }
            }
            if !rng.one_in(8) {
                if let Some(out) = mutate::json::mutate_text(rng, parent, &dict) {
                    return out;
                }
            }
            let mut out = parent.to_vec();
            mutate::bytes_stacked(rng, &mut out, &dict, other);
            out
        }),
        run: Box::new(move |input| run(op, input)),
    }
}

fn run(op: &Operation, input: &[u8]) -> Result<(), String> {
    // The validators take text (JavaScript strings arrive as UTF-8): other bytes lossily.
    let text = match core::str::from_utf8(input) {
        Ok(t) => Cow::Borrowed(t),
        Err(_) => String::from_utf8_lossy(input),
    };
    let issues = op.engine.validate_text(&text);
    if let Some((validate_text, validate_json)) = op.own {
        if validate_text(&text) != issues {
            return Err(
                "the crate's validate_text and the engine's report different issues".into(),
            );
        }
        agree(
            "validate_json",
            validate_json(&text).as_ref().map(|_| ()),
            &issues,
        )?;
    }
    let prepared = op.engine.prepare(&text, MCHID);
    agree("prepare", prepared.as_ref().map(|_| ()), &issues)?;
    if let Ok(prepared) = prepared {
        if let Some(body) = &prepared.body {
            if body.json() != text {
                return Err("the body built is not the text that was checked".into());
            }
        }
        (op.after)(op.engine, &text, &prepared)?;
    }
    check_issues(&issues)?;
    if op.engine.request.is_none() {
        params::raw_path(op.engine, &text)?;
    }
    Ok(())
}

/// `result` (of `name`) refuses exactly when `issues` is not empty, with those issues.
fn agree(name: &str, result: Result<(), &Error>, issues: &[Issue]) -> Result<(), String> {
    match (result, issues.is_empty()) {
        (Ok(()), true) => Ok(()),
        (Err(Error::Validation(found)), false) if found.as_slice() == issues => Ok(()),
        (Err(Error::Validation(_)), false) => {
            Err(format!("{name} and validate_text report different issues"))
        }
        (Err(e), _) => Err(format!("{name} and validate_text disagree ({e})")),
        (Ok(()), false) => Err(format!("{name} accepts an input with issues")),
    }
}

/// Every issue's field is a JSON pointer, its message non-empty and bounded.
pub fn check_issues(issues: &[Issue]) -> Result<(), String> {
    for issue in issues {
        if !(issue.field.is_empty() || issue.field.starts_with('/')) {
            return Err("an issue's field is not a JSON pointer".into());
        }
        if issue.message.is_empty() || issue.message.len() > MAX_MESSAGE {
            return Err(format!(
                "an issue's message is empty or longer than {MAX_MESSAGE} bytes (rule {})",
                issue.rule
            ));
        }
    }
    Ok(())
}
