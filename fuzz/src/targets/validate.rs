//! The request validators, one target per operation. Adding an operation is one line in
//! [`OPERATIONS`] (and its seed bodies in `corpus/validate-<name>/`).
//!
//! Checked per input: no panic; `validate_text` and `validate_json` agree (same issues);
//! every issue names a JSON pointer and has a bounded message; a body that passes reads
//! as the typed request, which passes again when serialised.

use std::borrow::Cow;

use wechatpay_wasm::model::{DAYS_SINCE_FIRST_LOGIN, DEVICE_TYPES, SIGN_SCENES};
use wechatpay_wasm::{Error, Issue, ValidatedBody};

use super::Target;
use crate::mutate;

/// One operation's validator.
pub struct Operation {
    /// The operation (its target is `validate-<name>`).
    pub name: &'static str,
    /// Every issue of a JSON text.
    pub validate_text: fn(&str) -> Vec<Issue>,
    /// The checked body, or the issues.
    pub validate_json: fn(&str) -> wechatpay_wasm::Result<ValidatedBody>,
    /// What is done with a body that passed; `Err` when that fails.
    pub after: fn(&ValidatedBody) -> Result<(), String>,
}

const fn op(
    name: &'static str,
    validate_text: fn(&str) -> Vec<Issue>,
    validate_json: fn(&str) -> wechatpay_wasm::Result<ValidatedBody>,
    after: fn(&ValidatedBody) -> Result<(), String>,
) -> Operation {
    Operation {
        name,
        validate_text,
        validate_json,
        after,
    }
}

/// The operations whose request bodies are validated.
#[rustfmt::skip]
pub const OPERATIONS: &[Operation] = &[
    op("pre-entrust-sign", wechatpay_wasm::validate_text, wechatpay_wasm::validate_json, pre_entrust_sign_typed),
];

/// A body that passed reads as the typed request, and that request passes when serialised.
fn pre_entrust_sign_typed(body: &ValidatedBody) -> Result<(), String> {
    let request = body
        .request()
        .map_err(|e| format!("a body that passed does not read as the typed request: {e}"))?;
    wechatpay_wasm::validate_request(&request)
        .map(|_| ())
        .map_err(|e| format!("the typed request of a body that passed fails: {e}"))
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
    ]);
    d
}

/// The target of one operation.
pub fn target(op: &'static Operation) -> Target {
    let dict = dictionary();
    Target {
        name: format!("validate-{}", op.name),
        weight: 40,
        generate: Box::new(move |rng, parent, other| {
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
    let issues = (op.validate_text)(&text);
    match ((op.validate_json)(&text), issues.is_empty()) {
        (Ok(body), true) => {
            if body.json() != text {
                return Err("validate_json's body is not the text it checked".into());
            }
            (op.after)(&body)?;
        }
        (Err(Error::Validation(found)), false) => {
            if found != issues {
                return Err("validate_json and validate_text report different issues".into());
            }
        }
        (Err(e), _) => return Err(format!("validate_json and validate_text disagree ({e})")),
        (Ok(_), false) => return Err("validate_json accepts a body with issues".into()),
    }
    for issue in &issues {
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
