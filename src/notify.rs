//! Notifications (callbacks) to `contract_notify_url`: envelope, AES-256-GCM decryption and
//! the typed `ENTRUST.SIGN` / `ENTRUST.TERMINATE` resources.
//!
//! Order of processing (spec section 4): headers -> clock -> key id -> RSA over the raw body
//! ([`crate::verify`]) -> envelope -> algorithm -> decrypt -> parse.

use core::fmt;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64ct::{Base64, Encoding};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::consts::{AES_GCM_NONCE_LEN, AES_GCM_TAG_LEN, APIV3_KEY_LEN, NOTIFICATION_ALGORITHM};
use crate::error::{code, Error, Result};

/// The merchant's APIv3 key: exactly 32 bytes of UTF-8.
#[derive(Clone)]
pub struct Apiv3Key([u8; APIV3_KEY_LEN]);

impl fmt::Debug for Apiv3Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Apiv3Key(redacted)")
    }
}

impl Apiv3Key {
    /// Checks the length (31 and 33 are common copy-paste mistakes).
    pub fn new(key: &str) -> Result<Self> {
        let bytes = key.as_bytes();
        let arr: [u8; APIV3_KEY_LEN] = bytes.try_into().map_err(|_| {
            let trimmed = key.trim().len();
            let hint = if trimmed != bytes.len() {
                format!(" (it has leading or trailing whitespace; trimmed it would be {trimmed})")
            } else {
                String::new()
            };
            Error::config(
                code::BAD_APIV3_KEY,
                format!("apiv3Key: must be exactly {APIV3_KEY_LEN} bytes (the APIv3 key set in the merchant platform); got {}{hint}", bytes.len()),
            )
        })?;
        Ok(Self(arr))
    }
}

/// The encrypted `resource` of a notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptedResource {
    /// `AEAD_AES_256_GCM`.
    pub algorithm: String,
    /// Base64 of ciphertext followed by the 16-byte tag.
    pub ciphertext: String,
    /// AAD (may be empty).
    #[serde(default)]
    pub associated_data: String,
    /// 12-byte nonce, as text.
    pub nonce: String,
    /// e.g. `entrust`.
    #[serde(default)]
    pub original_type: String,
}

fn bad_notification(why: impl Into<String>) -> Error {
    Error::signature(code::BAD_NOTIFICATION, why)
}

/// Decrypts a resource with the APIv3 key; returns the plaintext bytes.
pub fn decrypt_resource(key: &Apiv3Key, resource: &EncryptedResource) -> Result<Vec<u8>> {
    if resource.algorithm != NOTIFICATION_ALGORITHM {
        return Err(bad_notification(format!(
            "resource.algorithm is \"{}\"; only {NOTIFICATION_ALGORITHM} is supported",
            resource.algorithm
        )));
    }
    let nonce = resource.nonce.as_bytes();
    if nonce.len() != AES_GCM_NONCE_LEN {
        return Err(bad_notification(format!(
            "resource.nonce must be {AES_GCM_NONCE_LEN} bytes, got {}",
            nonce.len()
        )));
    }
    let data = Base64::decode_vec(resource.ciphertext.trim())
        .map_err(|_| bad_notification("resource.ciphertext is not base64"))?;
    if data.len() < AES_GCM_TAG_LEN {
        return Err(bad_notification(
            "resource.ciphertext is shorter than the 16-byte GCM tag",
        ));
    }
    let cipher = Aes256Gcm::new_from_slice(&key.0)
        .map_err(|_| Error::config(code::BAD_APIV3_KEY, "apiv3Key: not a 32-byte key"))?;
    let nonce =
        Nonce::try_from(nonce).map_err(|_| bad_notification("resource.nonce must be 12 bytes"))?;
    cipher
        .decrypt(
            &nonce,
            Payload {
                msg: &data,
                aad: resource.associated_data.as_bytes(),
            },
        )
        .map_err(|_| {
            Error::signature(
                code::DECRYPT_FAILED,
                "decryption failed (GCM tag mismatch): the APIv3 key is wrong, or the body was altered",
            )
        })
}

/// Parses the envelope, decrypts its resource and returns the envelope as a JSON object
/// with `resource` replaced by the decrypted JSON. Call only after the signature verified.
pub fn open_envelope(key: &Apiv3Key, raw_body: &[u8]) -> Result<Map<String, Value>> {
    let mut envelope: Map<String, Value> = serde_json::from_slice(raw_body).map_err(|e| {
        bad_notification(format!("the notification body is not a JSON object ({e})"))
    })?;
    for field in ["id", "event_type", "resource"] {
        if !envelope.contains_key(field) {
            return Err(bad_notification(format!(
                "the notification lacks \"{field}\""
            )));
        }
    }
    let resource: EncryptedResource = envelope
        .get("resource")
        .cloned()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| bad_notification(format!("resource is malformed ({e})")))?
        .ok_or_else(|| bad_notification("the notification lacks \"resource\""))?;
    let plain = decrypt_resource(key, &resource)?;
    let decrypted: Value = serde_json::from_slice(&plain)
        .map_err(|e| bad_notification(format!("the decrypted resource is not JSON ({e})")))?;
    envelope.insert("resource".into(), decrypted);
    Ok(envelope)
}

/// `contract_terminate_info` of an entrust event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct ContractTerminateInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_termination_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_terminated_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_termination_remark: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The decrypted resource of `ENTRUST.SIGN` / `ENTRUST.TERMINATE`. Identifying fields are
/// required; the rest are optional; unknown fields are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct EntrustResource {
    pub mchid: String,
    pub contract_id: String,
    pub plan_id: u64,
    pub out_contract_code: String,
    pub contract_state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_display_account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_signed_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_expired_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_user_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_terminate_info: Option<ContractTerminateInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deduct_schedule: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Event types of this flow.
pub const ENTRUST_EVENTS: &[&str] = &["ENTRUST.SIGN", "ENTRUST.TERMINATE"];

/// Checks an opened envelope: for entrust events the resource must have the identifying
/// fields (returned typed); other event types pass untyped (`None`).
pub fn typed_entrust(envelope: &Map<String, Value>) -> Result<Option<EntrustResource>> {
    let event_type = envelope
        .get("event_type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !ENTRUST_EVENTS.contains(&event_type) {
        return Ok(None);
    }
    let resource = envelope.get("resource").cloned().unwrap_or(Value::Null);
    serde_json::from_value(resource)
        .map(Some)
        .map_err(|e| bad_notification(format!("the {event_type} resource is malformed ({e})")))
}

/// Why a notification was not accepted: decides the status of the reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// It failed verification (headers, clock, key, signature, decryption): 401.
    Unverified,
    /// The merchant could not process it: 500, and WeChat Pay retries.
    Failed,
}

/// The merchant's reply to a notification: status and JSON body (empty for success);
/// a failure is `{"code":"FAIL","message":...}`, the shape WeChat Pay expects.
pub fn reply(error: Option<(&str, Rejection)>) -> (u16, String) {
    match error {
        None => (204, String::new()),
        Some((message, why)) => {
            let body = serde_json::json!({ "code": "FAIL", "message": message }).to_string();
            let status = match why {
                Rejection::Unverified => 401,
                Rejection::Failed => 500,
            };
            (status, body)
        }
    }
}
