//! The API's operations as data, and the one engine that runs any of them.
//!
//! An [`Operation`] says everything the client needs about an endpoint: its method, its path
//! template and the typed parameters that fill it, its query, the schema of its request body,
//! the schema of its answer, and the notifications it leads to. The engine ([`Operation::prepare`],
//! [`Operation::check_answer`], [`answer`], [`headers`]) validates, builds the path, and reads
//! the answer for every operation alike; the wasm layer signs, sends and verifies.
//!
//! Adding an endpoint: one file here with its `Operation` and a table test, its line in
//! [`OPERATIONS`], and a one-line export in `src/wasm/operations.rs` (plus its TypeScript
//! types in `src/wasm/types.rs`). See `CONTRIBUTING.md`.

mod answer;
mod apply_deduction;
mod headers;
mod path;
mod pre_entrust_sign;
mod query_contract;
mod query_order;

use crate::json::Value;

use crate::error::{quoted, Error, Issue, Result};
use crate::schema::{self, Field};
use crate::validate::{self, ValidatedBody};

pub use answer::{bad_response, is_success, ApiError};
pub use apply_deduction::APPLY_DEDUCTION;
pub use headers::{check_extra_header, request_headers, RESERVED_HEADERS};
pub use path::{encode_component, path_matches};
pub use pre_entrust_sign::PRE_ENTRUST_SIGN;
pub use query_contract::QUERY_CONTRACT;
pub use query_order::QUERY_ORDER;
pub(crate) use query_order::{AMOUNT as ORDER_AMOUNT, PAYER};

/// Every operation the client types, in the order of the flow.
pub const OPERATIONS: &[&Operation] = &[
    &PRE_ENTRUST_SIGN,
    &QUERY_CONTRACT,
    &APPLY_DEDUCTION,
    &QUERY_ORDER,
];

/// Where a query parameter's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryValue {
    /// The caller's parameter of this name (one of [`Operation::params`]).
    Param(&'static str),
    /// The client's `mchid` (the order query's `?mchid=`).
    Mchid,
}

/// What a 2xx answer holds.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    /// A JSON object of this schema ([`schema::check_answer`]).
    Json(&'static [Field]),
    /// Nothing (204).
    Empty,
}

/// One endpoint of the API, described.
pub struct Operation {
    /// The client's method name (`preEntrustSign`).
    pub name: &'static str,
    /// `GET`, `POST`, ...
    pub method: &'static str,
    /// The path, with `{name}` for each path parameter.
    pub path: &'static str,
    /// The caller's parameters (path and query), checked like a body: the input object of an
    /// operation without a request body. Each `{name}` of [`Self::path`] is one of them.
    pub params: &'static [Field],
    /// The query, in order: `(name, value)`.
    pub query: &'static [(&'static str, QueryValue)],
    /// The schema of the JSON body; `None` for an operation without one (its input is then
    /// the object of [`Self::params`]).
    pub request: Option<&'static [Field]>,
    /// What the answer holds.
    pub answer: Answer,
    /// The `event_type`s of the notifications this operation leads to.
    pub notifications: &'static [&'static str],
    /// Whether WeChat Pay deduplicates a repeat of this request by a merchant number (a
    /// deduction's `out_trade_no`): then it is safe to send again after a timeout, and
    /// `failover` retries it on the backup host ([`crate::failover`]). `GET`s are safe
    /// whatever this says.
    pub idempotent: bool,
    /// How the input becomes a request: [`with_body`] or [`with_params`]. A function named
    /// by the description, so that a build links only the ways its operations use.
    pub build: Build,
}

/// Checks an operation's input and builds its request ([`Operation::prepare`]).
pub type Build = fn(&Operation, &str, &str) -> Result<Prepared>;

/// [`Build`] of an operation with a JSON body: the input is the body, checked against
/// [`Operation::request`] and sent byte for byte; the path has no parameters.
pub fn with_body(op: &Operation, input: &str, _mchid: &str) -> Result<Prepared> {
    Ok(Prepared {
        path_and_query: op.path.to_owned(),
        body: Some(validate::checked(op.input(), input)?),
    })
}

/// [`Build`] of an operation without a body: the input is the object of
/// [`Operation::params`], checked like a body; each `{name}` of the path and each query value
/// is filled from it (or from the client, [`QueryValue::Mchid`]), percent-encoded.
pub fn with_params(op: &Operation, input: &str, mchid: &str) -> Result<Prepared> {
    let issues = op.validate_text(input);
    if !issues.is_empty() {
        return Err(Error::Validation(issues));
    }
    // It parsed and passed above.
    let params: Value = serde_json::from_slice(input.as_bytes()).unwrap_or(Value::Null);
    let text = |name: &str| -> Option<String> {
        match params.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => n.as_u64().map(crate::text::decimal),
            _ => None,
        }
    };
    let mut out = path::fill(op.path, &text)?;
    let mut separator = '?';
    for (name, value) in op.query {
        let value = match value {
            QueryValue::Mchid => Some(mchid.to_owned()),
            QueryValue::Param(p) => text(p),
        };
        let Some(value) = value else { continue };
        out.push(separator);
        separator = '&';
        out.push_str(&encode_component(name));
        out.push('=');
        out.push_str(&encode_component(&value));
    }
    Ok(Prepared {
        path_and_query: out,
        body: None,
    })
}

/// A checked request, ready to sign and send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// The path with its parameters percent-encoded, and the query.
    pub path_and_query: String,
    /// The body to send, byte for byte what was checked.
    pub body: Option<ValidatedBody>,
}

impl Operation {
    /// The schema the caller's input is checked against: the body's, or the parameters'.
    pub fn input(&self) -> &'static [Field] {
        self.request.unwrap_or(self.params)
    }

    /// Every broken rule of the input's JSON text; `[]` when it passes.
    pub fn validate_text(&self, json: &str) -> Vec<Issue> {
        schema::check_text(self.input(), json)
    }

    /// Checks the input (the body, or the parameters' object) and builds the request: path
    /// parameters and query percent-encoded, the body kept byte for byte ([`Self::build`]).
    /// `mchid` is the client's, for a query that carries it.
    pub fn prepare(&self, input: &str, mchid: &str) -> Result<Prepared> {
        (self.build)(self, input, mchid)
    }

    /// Checks the path parameters of a request the generic `request()` (or a chain style)
    /// sends to this operation: each `{name}` segment of the template, aligned from the end
    /// of `path` (the URL's path as sent, percent-encoded), against its rule, as the typed
    /// call checks it. A segment of digits is read as a number for an integer parameter.
    pub fn check_path(&self, path: &str) -> Result<()> {
        let template: Vec<&str> = crate::text::split(self.path, b'/').collect();
        let sent: Vec<&str> = crate::text::split(path, b'/').collect();
        let Some(sent) = sent.get(sent.len().saturating_sub(template.len())..) else {
            return Ok(());
        };
        // The parameters' object as JSON text, checked as the typed call's input is.
        let mut json = String::from("{");
        for (t, segment) in template.iter().zip(sent) {
            let name = t.strip_prefix('{').and_then(|n| n.strip_suffix('}'));
            let Some(field) = name.and_then(|n| self.params.iter().find(|f| f.name == n)) else {
                continue;
            };
            let text = path::decode_component(segment);
            let digits =
                !text.is_empty() && text.len() < 20 && text.bytes().all(|b| b.is_ascii_digit());
            if json.len() > 1 {
                json.push(',');
            }
            json.push_str(&quoted(field.name));
            json.push(':');
            if digits && matches!(field.kind, schema::Kind::PositiveInt) {
                json.push_str(&text);
            } else {
                json.push_str(&quoted(&text));
            }
        }
        json.push('}');
        let mut issues = self.validate_text(&json);
        // A parameter that is not in the path (none today) is not the path's to check.
        issues.retain(|i| i.rule != schema::rule::REQUIRED);
        if issues.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(issues))
        }
    }

    /// Checks a verified 2xx answer's body against [`Self::answer`]; `Ok` lists the optional
    /// top-level fields written as `null`, which the client leaves out. `BAD_RESPONSE` when
    /// the body is not what the operation promises.
    pub fn check_answer(&self, body: &[u8]) -> Result<Vec<&'static str>> {
        let Answer::Json(fields) = self.answer else {
            return Ok(Vec::new());
        };
        serde_json::from_slice(body)
            .map_err(|e| e.to_string())
            .and_then(|v: Value| schema::check_answer(fields, &v))
            .map_err(|why| bad_response(&why))
    }
}

/// The operation a request to `path` (below the base URL, without query) reaches: one whose
/// path template matches, of this method if several do. The generic `request()` checks a
/// body sent to it as the typed call would.
pub fn operation_at(method: &str, path: &str) -> Option<&'static Operation> {
    let mut found = None;
    for op in OPERATIONS {
        if path_matches(op.path, path) {
            if op.method == method {
                return Some(op);
            }
            found = found.or(Some(*op));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(pointer, rule)` of every issue of `text` as `op`'s input.
    pub(super) fn issues_of(op: &Operation, text: &str) -> Vec<(String, &'static str)> {
        op.validate_text(text)
            .into_iter()
            .map(|i| (i.field, i.rule))
            .collect()
    }

    /// Each row `(from, to, pointer, rule)`: `valid` with `from` replaced by `to` breaks
    /// `rule` at `pointer`, and `prepare` refuses it.
    pub(super) fn assert_rows(op: &Operation, valid: &str, rows: &[(&str, &str, &str, &str)]) {
        for (from, to, pointer, rule) in rows {
            let text = valid.replacen(from, to, 1);
            assert_ne!(text, valid, "{from}");
            let issues = issues_of(op, &text);
            assert!(
                issues.iter().any(|(f, r)| f == pointer && r == rule),
                "{to}: {issues:?}"
            );
            assert!(op.prepare(&text, "1").is_err(), "{to}");
        }
    }

    /// Each answer is refused as `BAD_RESPONSE`.
    pub(super) fn answer_rejects(op: &Operation, answers: &[String]) {
        for a in answers {
            let e = op.check_answer(a.as_bytes()).unwrap_err();
            assert_eq!(e.code(), "BAD_RESPONSE", "{a}: {e}");
        }
    }

    #[test]
    fn paths_sent_by_the_generic_call_are_checked() {
        let base = "/base/v3/papay/sign/contracts/harmony-plan-id";
        assert!(QUERY_CONTRACT
            .check_path(&format!("{base}/12535/out-contract-code/AB12"))
            .is_ok());
        for (path, pointer, rule) in [
            ("0/out-contract-code/AB12", "/plan_id", "range"),
            ("x1/out-contract-code/AB12", "/plan_id", "type"),
            ("1/out-contract-code/A-B", "/out_contract_code", "charset"),
            (
                "1/out-contract-code/%2E%2E",
                "/out_contract_code",
                "charset",
            ),
        ] {
            let e = QUERY_CONTRACT
                .check_path(&format!("{base}/{path}"))
                .unwrap_err();
            let i = &e.issues()[0];
            assert_eq!((i.field.as_str(), i.rule), (pointer, rule), "{path}");
        }
        let order = "/v3/pay/transactions/out-trade-no/";
        assert!(QUERY_ORDER.check_path(&format!("{order}T_1-2%2A3")).is_ok());
        assert!(QUERY_ORDER.check_path(&format!("{order}T%201")).is_err());
    }

    #[test]
    fn each_path_reaches_its_operation() {
        let at = |m, p| operation_at(m, p).map(|o| o.name);
        assert_eq!(
            at("POST", "/v3/papay/pay/harmony/transactions/apply"),
            Some("applyDeduction")
        );
        assert_eq!(
            at("GET", "/v3/pay/transactions/out-trade-no/T1"),
            Some("queryOrder")
        );
        assert_eq!(
            at(
                "GET",
                "/v3/papay/sign/contracts/harmony-plan-id/1/out-contract-code/c"
            ),
            Some("queryContract")
        );
    }

    #[test]
    fn every_operation_is_well_formed() {
        for op in OPERATIONS {
            assert!(crate::sign::METHODS.contains(&op.method), "{}", op.name);
            assert!(op.path.starts_with("/v3/"), "{}", op.name);
            // A body and path parameters are not both taken from the input, and the way the
            // input is built follows from which the operation has.
            assert!(op.request.is_none() || op.params.is_empty(), "{}", op.name);
            let sample = if op.request.is_some() { "[]" } else { "{}" };
            if let Err(e) = op.prepare(sample, "1900000001") {
                let root = e.issues().iter().any(|i| i.field.is_empty());
                assert_eq!(root, op.request.is_some(), "{}: {e}", op.name);
            }
            for segment in op.path.split('/') {
                if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    assert!(
                        op.params.iter().any(|p| p.name == name && p.required),
                        "{}: {name}",
                        op.name
                    );
                }
            }
            for (_, value) in op.query {
                if let QueryValue::Param(p) = value {
                    assert!(op.params.iter().any(|f| f.name == *p), "{}: {p}", op.name);
                }
            }
            assert_eq!(
                operation_at(op.method, op.path).map(|o| o.name),
                Some(op.name)
            );
        }
        assert!(operation_at("POST", "/v3/papay/sign/contracts").is_none());
    }

    #[test]
    fn an_operation_with_parameters_builds_its_path_and_query() {
        use crate::schema::{req, Kind};
        const QUERY: Operation = Operation {
            name: "queryOrder",
            method: "GET",
            path: "/v3/pay/transactions/out-trade-no/{out_trade_no}",
            params: &[req(
                "out_trade_no",
                Kind::Code {
                    max: 32,
                    also: "_-*",
                },
            )],
            query: &[("mchid", QueryValue::Mchid)],
            request: None,
            answer: Answer::Empty,
            notifications: &[],
            idempotent: false,
            build: with_params,
        };
        let p = QUERY
            .prepare(r#"{"out_trade_no":"T-1*"}"#, "1900000001")
            .unwrap();
        assert_eq!(
            p.path_and_query,
            "/v3/pay/transactions/out-trade-no/T-1%2A?mchid=1900000001"
        );
        assert_eq!(p.body, None);
        // A parameter that would leave its segment breaks its rule, with its pointer.
        let e = QUERY
            .prepare(r#"{"out_trade_no":"../x"}"#, "1")
            .unwrap_err();
        assert_eq!(
            (e.issues()[0].field.as_str(), e.issues()[0].rule),
            ("/out_trade_no", "charset")
        );
        let e = QUERY.prepare("{}", "1").unwrap_err();
        assert_eq!(e.issues()[0].rule, "required");
    }
}
