//! The typed operations of [`crate::api`], one export each: every one runs the same engine
//! ([`Inner::operation`]): input read, checked and built by the core, then signed, sent,
//! verified, and its answer checked by the core and handed on as JSON.

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;

use super::client::{Client, Inner};
use super::errors::{issues_to_js, JsErr};
use super::options;
use super::{body_text, header, js_result, promise_of_future};
use crate::api::{self, Answer, Operation};
use crate::consts::header;

impl Inner {
    /// Runs `op` with the caller's input (the body, or the parameters' object).
    async fn operation(&self, op: &'static Operation, input: &JsValue) -> Result<JsValue, JsErr> {
        let text = if op.request.is_none() && (input.is_undefined() || input.is_null()) {
            "{}".to_owned()
        } else {
            body_text(input)?
        };
        let prepared = op.prepare(&text, &self.mchid)?;
        let url = self.sent_url(&prepared.path_and_query)?;
        let body = prepared.body.as_ref().map(|b| b.json());
        let answer = self.call(op.method, &url, body, None).await?;
        if let Answer::Empty = op.answer {
            return Ok(JsValue::UNDEFINED);
        }
        let bad = |e: crate::Error| {
            let e = JsErr::from(e);
            match header(&answer.headers, header::REQUEST_ID) {
                Some(r) => e.with("requestId", JsValue::from_str(&r)),
                None => e,
            }
        };
        let nulls = op.check_answer(&answer.body).map_err(bad)?;
        // `check_answer` has read the body as JSON, so it is UTF-8: borrowed, not copied.
        let text =
            core::str::from_utf8(&answer.body).map_err(|_| bad(api::bad_response("not JSON")))?;
        let res = js_sys::JSON::parse(text).map_err(|_| bad(api::bad_response("not JSON")))?;
        // An optional field written as null is left out, as the typings (`field?: T`) say.
        for name in nulls {
            let _ = Reflect::delete_property(res.unchecked_ref::<Object>(), &name.into());
        }
        Ok(res)
    }
}

impl Client {
    fn run(&self, op: &'static Operation, input: JsValue) -> Promise {
        let inner = self.inner.clone();
        promise_of_future(async move { js_result(inner.operation(op, &input).await) })
    }
}

/// Every broken rule of `op`'s input; `[]` when it passes.
fn validate(op: &'static Operation, input: &JsValue) -> JsValue {
    let issues = match body_text(input) {
        Err(e) => return js_sys::Array::of1(&issue_of(e)).into(),
        Ok(text) => op.validate_text(&text),
    };
    issues_to_js(&issues).into()
}

/// The one issue of an input that cannot be read as JSON.
fn issue_of(e: JsErr) -> JsValue {
    let js = e.into_js();
    let issues = Reflect::get(&js, &"issues".into()).unwrap_or(JsValue::UNDEFINED);
    options::first_element(&issues).unwrap_or(JsValue::UNDEFINED)
}

#[wasm_bindgen]
impl Client {
    /// `POST /v3/papay/sign/contracts/pre-entrust-sign`: validates, signs, sends, verifies.
    #[wasm_bindgen(js_name = preEntrustSign, unchecked_return_type = "Promise<PreEntrustSignResponse>")]
    pub fn pre_entrust_sign(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PreEntrustSignRequest | string")] body: JsValue,
    ) -> Promise {
        self.run(&api::PRE_ENTRUST_SIGN, body)
    }
}

/// Checks a pre-entrust-sign body; `[]` when it passes, else every broken rule
/// (`{ field, rule, message }`).
#[wasm_bindgen(js_name = validatePreEntrustSign, unchecked_return_type = "ValidationIssue[]")]
pub fn validate_pre_entrust_sign(
    #[wasm_bindgen(unchecked_param_type = "unknown")] body: JsValue,
) -> JsValue {
    validate(&api::PRE_ENTRUST_SIGN, &body)
}

#[wasm_bindgen]
impl Client {
    /// `GET .../harmony-plan-id/{plan_id}/out-contract-code/{out_contract_code}`.
    #[wasm_bindgen(js_name = queryContract, unchecked_return_type = "Promise<Contract>")]
    pub fn query_contract(
        &self,
        #[wasm_bindgen(unchecked_param_type = "QueryContractParams")] params: JsValue,
    ) -> Promise {
        self.run(&api::QUERY_CONTRACT, params)
    }

    /// `POST /v3/papay/pay/harmony/transactions/apply`: validates, signs, sends, verifies.
    #[wasm_bindgen(js_name = applyDeduction, unchecked_return_type = "Promise<ApplyDeductionResponse>")]
    pub fn apply_deduction(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ApplyDeductionRequest | string")] body: JsValue,
    ) -> Promise {
        self.run(&api::APPLY_DEDUCTION, body)
    }

    /// `GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid=` (the client's mchid).
    #[wasm_bindgen(js_name = queryOrder, unchecked_return_type = "Promise<Order>")]
    pub fn query_order(
        &self,
        #[wasm_bindgen(unchecked_param_type = "QueryOrderParams")] params: JsValue,
    ) -> Promise {
        self.run(&api::QUERY_ORDER, params)
    }
}

/// Checks a deduction body; `[]` when it passes, else every broken rule.
#[wasm_bindgen(js_name = validateApplyDeduction, unchecked_return_type = "ValidationIssue[]")]
pub fn validate_apply_deduction(
    #[wasm_bindgen(unchecked_param_type = "unknown")] body: JsValue,
) -> JsValue {
    validate(&api::APPLY_DEDUCTION, &body)
}
