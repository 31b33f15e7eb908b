//! The request and response bodies of `POST /v3/papay/sign/contracts/pre-entrust-sign`,
//! in the API's own snake_case JSON. Enum spellings are the vendor's, typos included.

use serde::{Deserialize, Serialize};

/// Signing scene.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignScene {
    /// The merchant app opens the signing mini-program.
    #[serde(rename = "SIGN_SCENE_APP")]
    App,
    /// The user scans a QR code of `redirect_url`.
    #[serde(rename = "SIGN_SCENE_QRCODE")]
    QrCode,
}

/// Device type (`UNKNOW` is the vendor's spelling).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeviceType {
    #[serde(rename = "DEVICE_TYPE_UNKNOW")]
    #[allow(missing_docs)]
    Unknown,
    #[serde(rename = "DEVICE_TYPE_PHONE")]
    #[allow(missing_docs)]
    Phone,
    #[serde(rename = "DEVICE_TYPE_PAD")]
    #[allow(missing_docs)]
    Pad,
    #[serde(rename = "DEVICE_TYPE_TV")]
    #[allow(missing_docs)]
    Tv,
    #[serde(rename = "DEVICE_TYPE_WATCH")]
    #[allow(missing_docs)]
    Watch,
}

/// Days since the user first logged in on the device (`MORE_THEN` is the vendor's spelling).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum DaysSinceFirstLogin {
    #[serde(rename = "DAYS_SINCE_FIRST_LOGIN_UNKNOW")]
    Unknown,
    #[serde(rename = "DAYS_SINCE_FIRST_LOGIN_WITHIN_1_DAY")]
    Within1Day,
    #[serde(rename = "DAYS_SINCE_FIRST_LOGIN_WITHIN_7_DAYS")]
    Within7Days,
    #[serde(rename = "DAYS_SINCE_FIRST_LOGIN_WITHIN_30_DAYS")]
    Within30Days,
    #[serde(rename = "DAYS_SINCE_FIRST_LOGIN_WITHIN_90_DAYS")]
    Within90Days,
    #[serde(rename = "DAYS_SINCE_FIRST_LOGIN_WITHIN_180_DAYS")]
    Within180Days,
    #[serde(rename = "DAYS_SINCE_FIRST_LOGIN_MORE_THEN_180_DAYS")]
    MoreThan180Days,
}

/// The vendor's spellings of [`SignScene`].
pub const SIGN_SCENES: &[&str] = &["SIGN_SCENE_APP", "SIGN_SCENE_QRCODE"];

/// The vendor's spellings of [`DeviceType`].
pub const DEVICE_TYPES: &[&str] = &[
    "DEVICE_TYPE_UNKNOW",
    "DEVICE_TYPE_PHONE",
    "DEVICE_TYPE_PAD",
    "DEVICE_TYPE_TV",
    "DEVICE_TYPE_WATCH",
];

/// The vendor's spellings of [`DaysSinceFirstLogin`].
pub const DAYS_SINCE_FIRST_LOGIN: &[&str] = &[
    "DAYS_SINCE_FIRST_LOGIN_UNKNOW",
    "DAYS_SINCE_FIRST_LOGIN_WITHIN_1_DAY",
    "DAYS_SINCE_FIRST_LOGIN_WITHIN_7_DAYS",
    "DAYS_SINCE_FIRST_LOGIN_WITHIN_30_DAYS",
    "DAYS_SINCE_FIRST_LOGIN_WITHIN_90_DAYS",
    "DAYS_SINCE_FIRST_LOGIN_WITHIN_180_DAYS",
    "DAYS_SINCE_FIRST_LOGIN_MORE_THEN_180_DAYS",
];

/// The user's device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct DeviceInfo {
    pub device_type: DeviceType,
    pub device_os: String,
    pub device_id: String,
    pub device_running_as_root: bool,
    pub device_ip: String,
    pub weixin_installed: bool,
    pub weixin_version: String,
    pub days_since_first_login: DaysSinceFirstLogin,
}

/// Request body. Build one with serde or literally; [`crate::validate::validate`] checks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreEntrustSignRequest {
    /// Signing scene.
    pub sign_scene: SignScene,
    /// Merchant app id, 1..32 chars.
    pub appid: String,
    /// User's openid under `appid`, 1..128 chars.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openid: Option<String>,
    /// Deduction plan (template) id, positive.
    pub plan_id: u64,
    /// Merchant contract number, 1..32 ASCII letters/digits, never reused.
    pub out_contract_code: String,
    /// Account name shown to the user, 1..32 chars.
    pub contract_display_account: String,
    /// `https://` URL without query string, <= 256 chars.
    pub contract_notify_url: String,
    /// Merchant-side user id, 1..64 chars.
    pub out_user_code: String,
    /// Where the user lands after a QR signing, <= 256 chars.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
    /// The user's device.
    pub device_info: DeviceInfo,
}

/// Response body (200).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreEntrustSignResponse {
    /// Pre-sign id, always present.
    pub pre_entrustweb_id: String,
    /// QR scene: the URL to show as a QR code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    /// App scene: the signing mini-program's original id (`gh_...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mini_program_username: Option<String>,
    /// App scene: the page path inside that mini-program.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mini_program_path: Option<String>,
}

/// Fields of [`PreEntrustSignResponse`] that may be absent or `null`.
pub const RESPONSE_OPTIONAL_STRINGS: &[&str] =
    &["redirect_url", "mini_program_username", "mini_program_path"];

/// A required string field of a JSON object, with serde's words when it is missing.
pub(crate) fn required_string<'a>(
    map: &'a crate::json::Map,
    name: &str,
) -> Result<&'a str, String> {
    match map.get(name) {
        Some(crate::json::Value::String(s)) => Ok(s),
        None => Err(format!("missing field `{name}`")),
        Some(_) => Err(format!("{name} must be a string")),
    }
}

/// Fields that, as `Option<String>` in a serde struct, may be absent, `null` or a string;
/// `at` prefixes the field named in the error.
pub(crate) fn optional_strings(
    map: &crate::json::Map,
    names: &[&str],
    at: &str,
) -> Result<(), String> {
    use crate::json::Value;
    match names
        .iter()
        .find(|f| !matches!(map.get(f), None | Some(Value::Null | Value::String(_))))
    {
        Some(f) => Err(format!("{at}{f} must be a string")),
        None => Ok(()),
    }
}

/// Checks that a 200 answer is a [`PreEntrustSignResponse`] (unknown fields kept) without
/// reading it through serde's derive, which cost 3 KB of the gzipped wasm module: the
/// operation's answer schema ([`crate::api::PRE_ENTRUST_SIGN`]). A native test holds this
/// check to accept exactly what the typed struct accepts, except that it refuses a JSON array
/// (serde's derive would read `["id"]` as the struct; WeChat Pay never answers so).
pub fn check_response(body: &serde_json::Value) -> Result<(), String> {
    match crate::api::PRE_ENTRUST_SIGN.answer {
        crate::api::Answer::Json(fields) => {
            crate::schema::check_answer(fields, &body.clone().into()).map(|_| ())
        }
        crate::api::Answer::Empty => Ok(()),
    }
}
