//! Notifications (callbacks) to `contract_notify_url`: envelope, AES-256-GCM decryption and
//! the typed `ENTRUST.SIGN` / `ENTRUST.TERMINATE` resources.
//!
//! Order of processing (spec section 4): size ([`check_body_len`]) -> headers -> clock -> key
//! id -> RSA over the raw body ([`crate::verify`]) -> envelope -> algorithm -> decrypt -> parse.

use core::fmt;

use crate::json::{Map, Value};
use base64ct::{Base64, Encoding};
use serde::{Deserialize, Serialize};

/// AES-256-GCM in Rust ([`crate::rust_crypto`]).
#[cfg(feature = "rust-crypto")]
pub use crate::rust_crypto::{aes_gcm_decrypt, decrypt_resource, open_envelope};

use crate::consts::{
    AES_GCM_NONCE_LEN, AES_GCM_TAG_LEN, APIV3_KEY_LEN, MAX_NOTIFICATION_BYTES,
    NOTIFICATION_ALGORITHM,
};
use crate::error::{code, Error, Result};
use crate::model::{optional_strings, required_string};

/// The merchant's APIv3 key: exactly 32 bytes of UTF-8, wiped when dropped (not `Clone`:
/// one copy, lent where it is used).
pub struct Apiv3Key(Box<[u8; APIV3_KEY_LEN]>);

impl Drop for Apiv3Key {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut *self.0);
    }
}

impl fmt::Debug for Apiv3Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Apiv3Key(redacted)")
    }
}

impl Apiv3Key {
    /// Checks the length (31 and 33 are common copy-paste mistakes).
    pub fn new(key: &str) -> Result<Self> {
        let bytes = key.as_bytes();
        // Copied straight into its heap buffer: a stack array would leave a copy behind
        // (moves of the key move the pointer only).
        if bytes.len() == APIV3_KEY_LEN {
            let mut arr = Box::new([0u8; APIV3_KEY_LEN]);
            arr.copy_from_slice(bytes);
            return Ok(Self(arr));
        }
        let trimmed = key.trim().len();
        let hint = if trimmed != bytes.len() {
            format!(" (it has leading or trailing whitespace; trimmed it would be {trimmed})")
        } else {
            String::new()
        };
        Err(Error::config(
            code::BAD_APIV3_KEY,
            format!("apiv3Key: must be exactly {APIV3_KEY_LEN} bytes (the APIv3 key set in the merchant platform); got {}{hint}", bytes.len()),
        ))
    }

    /// The key bytes, for the AES-GCM implementation (WebCrypto or `aes-gcm`). Never log them.
    pub fn expose_secret(&self) -> &[u8; APIV3_KEY_LEN] {
        &self.0
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

impl EncryptedResource {
    /// Reads the resource as serde's derive would (unknown fields ignored; `associated_data`
    /// and `original_type` may be absent, not `null`), field by field: the derive's reading
    /// of a `Value` cost 2 KB of the gzipped wasm module. A native test holds the two to
    /// the same answers, except that this refuses a JSON array: the resource is an object
    /// (`shared/spec/wechatpay-apiv3.md`), and serde's derive would read
    /// `["AEAD_AES_256_GCM", ciphertext, associated_data, nonce]` as the struct by position.
    pub fn from_json(v: &Value) -> core::result::Result<Self, String> {
        let Some(map) = v.as_object() else {
            return Err("it is not a JSON object".into());
        };
        // `#[serde(default)] String`: absent is "", `null` is refused.
        let text = |name: &str, required: bool| match map.get(name) {
            None if !required => Ok(String::new()),
            _ => required_string(map, name).map(str::to_owned),
        };
        Ok(Self {
            algorithm: text("algorithm", true)?,
            ciphertext: text("ciphertext", true)?,
            associated_data: text("associated_data", false)?,
            nonce: text("nonce", true)?,
            original_type: text("original_type", false)?,
        })
    }
}

pub(crate) fn bad_notification(why: impl Into<String>) -> Error {
    Error::signature(code::BAD_NOTIFICATION, why)
}

/// Refuses a notification body over [`MAX_NOTIFICATION_BYTES`], before anything else is done
/// with it (it is not signed yet: anyone who can reach the URL can post it).
pub fn check_body_len(len: usize) -> Result<()> {
    if len > MAX_NOTIFICATION_BYTES {
        return Err(bad_notification(format!(
            "the body is over {MAX_NOTIFICATION_BYTES} bytes ({len} or more); not read"
        )));
    }
    Ok(())
}

/// The AES-256-GCM inputs of a resource, checked: 12-byte nonce, AAD, and ciphertext with
/// its 16-byte tag at the end (the layout of WebCrypto and of the `aes-gcm` crate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// The nonce.
    pub nonce: [u8; AES_GCM_NONCE_LEN],
    /// Associated data (may be empty).
    pub aad: Vec<u8>,
    /// Ciphertext followed by the tag.
    pub data: Vec<u8>,
}

impl EncryptedResource {
    /// Checks the algorithm and the sizes, and decodes the ciphertext.
    pub fn sealed(&self) -> Result<Sealed> {
        if self.algorithm != NOTIFICATION_ALGORITHM {
            return Err(bad_notification(format!(
                "resource.algorithm is \"{}\"; only {NOTIFICATION_ALGORITHM} is supported",
                self.algorithm
            )));
        }
        let nonce: [u8; AES_GCM_NONCE_LEN] = self.nonce.as_bytes().try_into().map_err(|_| {
            bad_notification(format!(
                "resource.nonce must be {AES_GCM_NONCE_LEN} bytes, got {}",
                self.nonce.len()
            ))
        })?;
        let data = Base64::decode_vec(self.ciphertext.trim())
            .map_err(|_| bad_notification("resource.ciphertext is not base64"))?;
        if data.len() < AES_GCM_TAG_LEN {
            return Err(bad_notification(
                "resource.ciphertext is shorter than the 16-byte GCM tag",
            ));
        }
        Ok(Sealed {
            nonce,
            aad: self.associated_data.as_bytes().to_vec(),
            data,
        })
    }
}

/// The error of a failed decryption (a GCM tag mismatch).
pub fn decrypt_failed() -> Error {
    Error::signature(
        code::DECRYPT_FAILED,
        "decryption failed (GCM tag mismatch): the APIv3 key is wrong, or the body was altered",
    )
}

/// A notification whose signature verified and whose envelope parsed; its resource is still
/// encrypted. Decrypt [`Envelope::sealed`], then [`Envelope::open`] with the plaintext.
#[derive(Debug, Clone)]
pub struct Envelope {
    fields: Map,
    /// The resource's decryption inputs.
    pub sealed: Sealed,
}

impl Envelope {
    /// Parses the envelope of a raw body. Report its errors, and use what it holds, only
    /// after the signature verified: a forged body is a signature error, not a parse error.
    ///
    /// A body over [`MAX_NOTIFICATION_BYTES`] is refused before it is parsed
    /// ([`check_body_len`]): parsed JSON of small nested objects costs up to about 100 bytes
    /// of memory per byte (serde_json's `Value`), so the limit is what bounds the memory of
    /// every path that opens a notification, not only the wasm layer's.
    pub fn parse(raw_body: &[u8]) -> Result<Self> {
        check_body_len(raw_body.len())?;
        // Read as a `Value`, then taken as an object: serde_json's typed reading of a `Map`
        // links serde's float formatting (14 KB of wasm) for its "invalid type" message.
        let value: Value = serde_json::from_slice(raw_body).map_err(|e| {
            bad_notification(format!("the notification body is not a JSON object ({e})"))
        })?;
        let Value::Object(fields) = value else {
            return Err(bad_notification(
                "the notification body is not a JSON object",
            ));
        };
        for field in ["id", "event_type", "resource"] {
            if !fields.contains_key(field) {
                return Err(bad_notification(format!(
                    "the notification lacks \"{field}\""
                )));
            }
        }
        let resource = fields
            .get("resource")
            .map(EncryptedResource::from_json)
            .transpose()
            .map_err(|e| bad_notification(format!("resource is malformed ({e})")))?
            .ok_or_else(|| bad_notification("the notification lacks \"resource\""))?;
        let sealed = resource.sealed()?;
        Ok(Self { fields, sealed })
    }

    /// The envelope as a JSON object with `resource` replaced by the decrypted JSON.
    pub fn open(self, plaintext: &[u8]) -> Result<Map> {
        let decrypted: Value = serde_json::from_slice(plaintext)
            .map_err(|e| bad_notification(format!("the decrypted resource is not JSON ({e})")))?;
        let mut fields = self.fields;
        fields.insert("resource".into(), decrypted);
        Ok(fields)
    }
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
    pub extra: serde_json::Map<String, serde_json::Value>,
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
    pub deduct_schedule: Option<serde_json::Value>,
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Event types of this flow.
pub const ENTRUST_EVENTS: &[&str] = &["ENTRUST.SIGN", "ENTRUST.TERMINATE"];

/// The string fields an entrust resource must have.
pub const ENTRUST_REQUIRED_STRINGS: &[&str] = &[
    "mchid",
    "contract_id",
    "out_contract_code",
    "contract_state",
];
/// The optional string fields of an entrust resource (`null` allowed).
pub const ENTRUST_OPTIONAL_STRINGS: &[&str] = &[
    "appid",
    "contract_display_account",
    "contract_signed_time",
    "contract_expired_time",
    "openid",
    "out_user_code",
];
/// The optional string fields of `contract_terminate_info` (`null` allowed).
pub const TERMINATE_INFO_STRINGS: &[&str] = &[
    "contract_termination_mode",
    "contract_terminated_time",
    "contract_termination_remark",
];

fn event_type(envelope: &Map) -> Option<&str> {
    envelope
        .get("event_type")
        .and_then(Value::as_str)
        .filter(|t| ENTRUST_EVENTS.contains(t))
}

/// Checks an opened envelope the way [`typed_entrust`] does (it accepts exactly what that
/// accepts: tests/notify_resource_checks.rs compares them), without building the typed struct: the
/// wasm layer needs only the check, and serde's derive for [`EntrustResource`] cost 7 KB of
/// the gzipped main module. Other event types pass.
pub fn check_entrust(envelope: &Map) -> Result<()> {
    let Some(event_type) = event_type(envelope) else {
        return Ok(());
    };
    let bad =
        |why: String| bad_notification(format!("the {event_type} resource is malformed ({why})"));
    let Some(resource) = envelope.get("resource").and_then(Value::as_object) else {
        return Err(bad("it is not a JSON object".into()));
    };
    for f in ENTRUST_REQUIRED_STRINGS {
        required_string(resource, f).map_err(&bad)?;
    }
    match resource.get("plan_id") {
        Some(v) if v.as_u64().is_some() => {}
        None => return Err(bad("missing field `plan_id`".into())),
        Some(_) => return Err(bad("plan_id must be a non-negative integer".into())),
    }
    optional_strings(resource, ENTRUST_OPTIONAL_STRINGS, "").map_err(&bad)?;
    match resource.get("contract_terminate_info") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Object(info)) => {
            optional_strings(info, TERMINATE_INFO_STRINGS, "contract_terminate_info.").map_err(bad)
        }
        Some(_) => Err(bad("contract_terminate_info must be an object".into())),
    }
}

/// Checks an opened envelope: for entrust events the resource must have the identifying
/// fields (returned typed); other event types pass untyped (`None`).
pub fn typed_entrust(
    envelope: &serde_json::Map<String, serde_json::Value>,
) -> Result<Option<EntrustResource>> {
    let Some(event_type) = envelope
        .get("event_type")
        .and_then(serde_json::Value::as_str)
        .filter(|t| ENTRUST_EVENTS.contains(t))
    else {
        return Ok(None);
    };
    // Read from the envelope in place (serde_json deserializes a `&Value`): a clone of the
    // resource doubled the memory of a large one (found by the fuzzer).
    EntrustResource::deserialize(envelope.get("resource").unwrap_or(&serde_json::Value::Null))
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
/// a failure is `{"code":"FAIL","message":...}`, the shape WeChat Pay expects, with a fixed
/// message by [`Rejection`]: the error's own message stays out of it (it can quote what the
/// sender put in the headers, and the sender may be anyone who can reach the URL).
pub fn reply(error: Option<Rejection>) -> (u16, String) {
    let (status, message) = match error {
        None => return (204, String::new()),
        Some(Rejection::Unverified) => (401, "the notification did not verify"),
        Some(Rejection::Failed) => (500, "the notification could not be processed"),
    };
    (
        status,
        format!(r#"{{"code":"FAIL","message":"{message}"}}"#),
    )
}
