//! TypeScript declarations of the flow after signing (`shared/spec/harmony-deduction.md`):
//! the contract query, the deduction, the order query, their notifications and the
//! termination inquiry's answer. Emitted verbatim into the package's `.d.ts`, like `types.rs`;
//! keep in step with `crate::api::{query_contract, apply_deduction, query_order}` and
//! `crate::events`. Vendor enums are string-literal unions; `(string & {})` keeps a value
//! WeChat Pay adds later readable while the known ones still complete.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** `contract_state` of a contract. */
export type ContractState = "SIGNED" | "TERMINATED" | "SIGN_FAILED" | "TO_BE_RENEWED";

/** `contract_terminate_info.contract_termination_mode`: who ended the contract. */
export type ContractTerminationMode =
  | "USER_TERMINATE"
  | "MCH_API_TERMINATE"
  | "WEPAY_WEB_TERMINATE"
  | "CUSTOMER_SERVICE_TERMINATE"
  | "SYSTEM_TERMINATE";

/** `trade_state` of a deduction's order (`ACCEPT`: accepted, being charged). */
export type TradeState = "SUCCESS" | "ACCEPT" | "PAY_FAIL" | "REFUND" | "CLOSED" | "NOTPAY";

/** `trade_type` of a deduction's order (`PAP`: entrusted deduction). */
export type TradeType = "PAP";

/** `amount.currency`: the only value. */
export type Currency = "CNY";

/** `client.queryContract(params)`: the path's parameters (checked before sending). */
export interface QueryContractParams {
  /** Positive integer, at most `Number.MAX_SAFE_INTEGER`. */
  plan_id: number;
  /** 1..32 ASCII letters and digits. */
  out_contract_code: string;
}

/** `contract_terminate_info` of a terminated contract. */
export interface ContractTerminationInfo {
  contract_termination_mode: ContractTerminationMode;
  contract_terminated_time: string;
  contract_termination_remark?: string;
}

/** A contract, as `queryContract` answers it. Fields WeChat Pay adds are kept at run time. */
export interface Contract {
  mchid: string;
  /** WeChat Pay's id of the contract: what a deduction names. */
  contract_id: string;
  appid: string;
  plan_id: number;
  out_contract_code: string;
  contract_display_account: string;
  contract_state: ContractState;
  /** RFC 3339 with offset, e.g. `2026-11-29T10:00:00+08:00`. */
  contract_signed_time?: string;
  contract_expired_time?: string;
  openid: string;
  /** Present once terminated. */
  contract_terminate_info?: ContractTerminationInfo;
  out_user_code?: string;
  /** The user's masked WeChat id (HarmonyOS scene). */
  mask_wxid?: string;
}

/** `amount` of a deduction: in fen (0.01 CNY), a positive integer, never a float. */
export interface ApplyDeductionAmount {
  total: number;
  currency?: Currency;
}

/** `client.applyDeduction(body)` (`POST /v3/papay/pay/harmony/transactions/apply`). Every
 * rule is checked before sending (`validateApplyDeduction`); lengths count characters. */
export interface ApplyDeductionRequest {
  /** 1..32 characters. */
  appid: string;
  /** 1..32 of `[0-9A-Za-z_-*]`, unique per merchant: the same number and body again is
   * answered as the first time and charges once. */
  out_trade_no: string;
  /** 1..127 characters. */
  description: string;
  /** `https://` (or `http://` to loopback), no query, at most 256 characters. */
  transaction_notify_url: string;
  /** The contract's `contract_id` (1..32 characters). */
  contract_id: string;
  amount: ApplyDeductionAmount;
  /** 1..32 characters. */
  goods_tag?: string;
  /** 1..128 characters, returned unchanged in the result. */
  attach?: string;
  /** 1..64 characters. */
  harmony_account_id: string;
  /** 1..4 characters (merchant category code). */
  mcc?: string;
}

/** The answer of `applyDeduction`: accepted; the result comes as `TRANSACTION.*`. */
export interface ApplyDeductionResponse {
  out_trade_no: string;
  amount: { total: number; currency?: Currency };
}

/** `client.queryOrder(params)`: the client adds its `mchid` to the query. */
export interface QueryOrderParams {
  /** 1..32 of `[0-9A-Za-z_-*]`. */
  out_trade_no: string;
}

/** `amount` of an order. */
export interface OrderAmount {
  total: number;
  payer_total?: number;
  currency?: Currency;
  payer_currency?: Currency;
}

/** A deduction's order (the order query's answer). Fields WeChat Pay adds are kept. */
export interface Order {
  appid: string;
  mchid: string;
  out_trade_no: string;
  /** Absent while `ACCEPT`. */
  transaction_id?: string;
  trade_type?: TradeType;
  trade_state: TradeState;
  trade_state_desc?: string;
  bank_type?: string;
  attach?: string;
  success_time?: string;
  payer?: { openid: string };
  amount?: OrderAmount;
  contract_id?: string;
}

/** The resource of `TRANSACTION.SUCCESS` / `TRANSACTION.FAIL` (checked: these are there). */
export interface TransactionResource extends Order {
  transaction_id: string;
  trade_type: TradeType;
  payer: { openid: string };
  amount: OrderAmount;
}

/** The resource of `ENTRUST.TERMINATE_INQUIRY`: the user asks to end this contract. */
export interface TerminateInquiryResource {
  mchid: string;
  appid: string;
  openid?: string;
  plan_id: number;
  out_contract_code: string;
  out_user_code: string;
  contract_id?: string;
  contract_display_account?: string;
  contract_state?: ContractState;
  contract_signed_time?: string;
}

/** A user asks to end a contract: answer with `terminateInquiryReply(allow, message?)`. */
export type TerminateInquiryEvent = NotificationEvent<"ENTRUST.TERMINATE_INQUIRY", TerminateInquiryResource>;

/** A deduction was charged: `trade_state` `SUCCESS`, `success_time` set. */
export type TransactionSuccessEvent = NotificationEvent<"TRANSACTION.SUCCESS", TransactionResource & { success_time: string }>;

/** A deduction failed: `trade_state` `PAY_FAIL`. */
export type TransactionFailEvent = NotificationEvent<"TRANSACTION.FAIL", TransactionResource>;

/** Every event of the flow, discriminated by `event_type` (`switch (event.event_type)`
 * narrows `resource`). Another event type parses too: type it as `NotificationEvent`. */
export type FlowEvent = EntrustEvent | TerminateInquiryEvent | TransactionSuccessEvent | TransactionFailEvent;

"#;
