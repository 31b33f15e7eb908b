//! The notification envelope: `Envelope::parse`, decryption with the known APIv3 key,
//! `Envelope::open`, `check_entrust` and `typed_entrust`, `open_envelope`, and `reply`.
//! Inputs are mutated envelopes, and envelopes resealed around mutated plaintexts with the
//! known key, so that the decrypted resource is fuzzed too.
//!
//! Checked per input: no panic; the step-by-step path and `open_envelope` agree;
//! `check_entrust` accepts exactly what `typed_entrust` accepts, and
//! `EncryptedResource::from_json` exactly what serde's derive accepts, arrays aside, which it
//! refuses (both documented);
//! `reply` writes every error message as JSON that reads back the same.

use std::sync::OnceLock;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64ct::{Base64, Encoding as _};
use serde::Deserialize as _;
use serde_json::Value;
use wechatpay_wasm::consts::MAX_NOTIFICATION_BYTES;
use wechatpay_wasm::notify::{
    aes_gcm_decrypt, check_entrust, open_envelope, reply, typed_entrust, Apiv3Key,
    EncryptedResource, Envelope, Rejection,
};

use super::{fixtures, Target};
use crate::mutate::{self, json::J};
use crate::rng::Rng;

/// Strings worth trying in envelopes and resources.
const DICT: &[&str] = &[
    "ENTRUST.SIGN",
    "ENTRUST.TERMINATE",
    "TRANSACTION.SUCCESS",
    "AEAD_AES_256_GCM",
    "AEAD_AES_128_GCM",
    "entrust",
    "encrypt-resource",
    "SIGNED",
    "TERMINATED",
    "USER_TERMINATE",
    "mchid",
    "contract_id",
    "plan_id",
    "out_contract_code",
    "contract_state",
    "contract_terminate_info",
    "deduct_schedule",
    "resource",
    "ciphertext",
    "nonce",
    "associated_data",
];

/// A terminate event's plaintext, beside the sign event sealed in the fixture.
const TERMINATE: &str = r#"{"mchid":"1900000109","contract_id":"Wx15463511252015071056489715","plan_id":12535,"out_contract_code":"wxwtdk20200910100000","contract_state":"TERMINATED","openid":"oYobu0MVnQfWpSMOYJz2AHPG_gQw","out_user_code":"用户A","contract_terminate_info":{"contract_termination_mode":"USER_TERMINATE","contract_terminated_time":"2026-11-27T10:00:01+08:00","contract_termination_remark":null}}"#;

fn apiv3() -> &'static Apiv3Key {
    static K: OnceLock<Apiv3Key> = OnceLock::new();
    K.get_or_init(|| match Apiv3Key::new(fixtures::APIV3_KEY) {
        Ok(k) => k,
        Err(_) => unreachable!("the fixture's APIv3 key is 32 bytes"),
    })
}

fn resource_field<'a>(fields: &'a [(String, J)], name: &str) -> Option<&'a str> {
    fields.iter().find_map(|(k, v)| match v {
        J::Str(s) if k == name => Some(s.as_str()),
        _ => None,
    })
}

/// Decrypts the envelope's resource (or takes a known plaintext), mutates the plaintext
/// JSON, and seals it again with the known key in place.
fn reseal(rng: &mut Rng, parent: &[u8]) -> Option<Vec<u8>> {
    let mut root = mutate::json::parse(core::str::from_utf8(parent).ok()?)?;
    let J::Obj(fields) = &mut root else {
        return None;
    };
    let (_, J::Obj(resource)) = fields.iter_mut().find(|(k, _)| k == "resource")? else {
        return None;
    };
    let mut nonce = resource_field(resource, "nonce")
        .unwrap_or("")
        .as_bytes()
        .to_vec();
    if nonce.len() != 12 || rng.one_in(8) {
        nonce = (0..12).map(|_| b'a' + rng.below(26) as u8).collect();
    }
    let aad = resource_field(resource, "associated_data")
        .unwrap_or("entrust")
        .to_owned();
    let key = apiv3().expose_secret();
    let plain = resource_field(resource, "ciphertext")
        .and_then(|c| Base64::decode_vec(c).ok())
        .and_then(|data| aes_gcm_decrypt(key, &nonce, aad.as_bytes(), &data))
        .unwrap_or_else(|| TERMINATE.as_bytes().to_vec());
    let plain = if rng.one_in(4) {
        plain
    } else {
        mutate::json::mutate_text(rng, &plain, DICT).unwrap_or(plain)
    };
    let cipher = Aes256Gcm::new_from_slice(key).ok()?;
    let seal = |plain: &[u8]| {
        cipher
            .encrypt(
                &Nonce::try_from(nonce.as_slice()).ok()?,
                Payload {
                    msg: plain,
                    aad: aad.as_bytes(),
                },
            )
            .ok()
            .map(|sealed| J::Str(Base64::encode_string(&sealed)))
    };
    let ciphertext = seal(&plain)?;
    let nonce = String::from_utf8(nonce.clone()).ok()?;
    for (k, v) in resource.iter_mut() {
        match k.as_str() {
            "ciphertext" => *v = ciphertext.clone(),
            "nonce" => *v = J::Str(nonce.clone()),
            _ => {}
        }
    }
    if rng.one_in(3) {
        mutate::json::mutate(rng, &mut root, DICT);
    }
    let style = mutate::json::Style::random(rng);
    let out = mutate::json::write(&root, style).into_bytes();
    if rng.one_in(8) {
        if let Some(large) = padded(rng, &root, style, &plain, out.len(), &seal) {
            return Some(large);
        }
    }
    Some(out)
}

/// The envelope `root` with its sealed resource grown to a body of 48 KiB up to the limit
/// (`MAX_NOTIFICATION_BYTES`, which the core refuses above): `plain`, an object, gets a field
/// of many small objects, the costliest parsed JSON per byte (about 100 bytes of memory
/// each), so that the largest bodies the core reads are measured against the memory limit.
fn padded(
    rng: &mut Rng,
    root: &J,
    style: mutate::json::Style,
    plain: &[u8],
    now: usize,
    seal: &dyn Fn(&[u8]) -> Option<J>,
) -> Option<Vec<u8>> {
    let body = plain.trim_ascii_end().strip_suffix(b"}")?;
    let goal = rng.range(48 << 10, MAX_NOTIFICATION_BYTES);
    // Base64 of the sealed plaintext: 4 bytes per 3, escapes aside; copies of `{"":0},`.
    let room = goal.checked_sub(now)? * 3 / 4;
    const ELEMENTS: &[&str] = &[r#"{"":0}"#, r#"{"a":[]}"#, "[{}]", r#"{"":{}}"#];
    let element = rng.pick(ELEMENTS).as_bytes();
    let mut copies = room / (element.len() + 1);
    for _ in 0..4 {
        let mut grown = body.to_vec();
        grown.extend_from_slice(b",\"pad\":[");
        for i in 0..copies {
            if i > 0 {
                grown.push(b',');
            }
            grown.extend_from_slice(element);
        }
        grown.extend_from_slice(b"]}");
        let mut root = root.clone();
        if let J::Obj(fields) = &mut root {
            for (k, v) in fields.iter_mut() {
                if let ("resource", J::Obj(resource)) = (k.as_str(), v) {
                    for (k, v) in resource.iter_mut() {
                        if k == "ciphertext" {
                            *v = seal(&grown)?;
                        }
                    }
                }
            }
        }
        let out = mutate::json::write(&root, style).into_bytes();
        if out.len() <= MAX_NOTIFICATION_BYTES {
            return Some(out);
        }
        copies = copies * MAX_NOTIFICATION_BYTES / out.len() * 15 / 16;
    }
    None
}

/// The target.
pub fn target() -> Target {
    Target {
        name: "notify".into(),
        weight: 20,
        generate: Box::new(|rng, parent, other| {
            match rng.below(10) {
                0..=4 => {
                    if let Some(out) = reseal(rng, parent) {
                        return out;
                    }
                }
                5..=8 => {
                    if let Some(out) = mutate::json::mutate_text(rng, parent, DICT) {
                        return out;
                    }
                }
                _ => {}
            }
            let mut out = parent.to_vec();
            mutate::bytes_stacked(rng, &mut out, DICT, other);
            out
        }),
        run: Box::new(run),
    }
}

/// The answer to WeChat Pay for a refused notification: JSON with `code` FAIL and the fixed
/// message of its status, which never quotes the error (`message`, which can quote what the
/// sender wrote).
fn replied(message: &str) -> Result<(), String> {
    for (why, want) in [(Rejection::Unverified, 401), (Rejection::Failed, 500)] {
        let (status, body) = reply(Some(why));
        if status != want {
            return Err(format!("reply() answered {status}, not {want}"));
        }
        let read: Value =
            serde_json::from_str(&body).map_err(|_| "reply() wrote a body that is not JSON")?;
        if read.get("code").and_then(Value::as_str) != Some("FAIL") {
            return Err("reply()'s body has no code FAIL".into());
        }
        let said = read.get("message").and_then(Value::as_str).unwrap_or("");
        if said.is_empty() {
            return Err("reply()'s body has no message".into());
        }
        if said.contains(message) || body.contains(message) {
            return Err("reply()'s body quotes the error, and with it the sender's text".into());
        }
    }
    Ok(())
}

/// Runs the notification checks on a raw body (also used by the verify target).
pub fn run(input: &[u8]) -> Result<(), String> {
    let key = apiv3();
    // Each path's result kept as text, so that only one opened envelope is in memory at a
    // time (the memory measured is the crate's, not the harness's copies).
    let summary = |r: &wechatpay_wasm::Result<serde_json::Map<String, Value>>| match r {
        Ok(map) => Ok(serde_json::to_string(map).unwrap_or_default()),
        Err(e) => Err(e.clone()),
    };
    let whole = summary(&open_envelope(key, input));
    let stepwise = Envelope::parse(input).and_then(|envelope| {
        let plain = envelope.sealed.decrypt(key)?;
        envelope.open(&plain)
    });
    // `check_entrust` (what the wasm layer runs) reads the crate's own `json::Map`; then that
    // map is moved, not copied, into serde_json's for the comparison and `typed_entrust`.
    let checked = match &stepwise {
        Ok(envelope) => check_entrust(envelope),
        Err(_) => Ok(()),
    };
    let stepwise = stepwise.map(serde_json::Map::from);
    if whole != summary(&stepwise) {
        return Err("open_envelope and the step-by-step path disagree".into());
    }
    match &stepwise {
        Ok(envelope) => {
            let typed = typed_entrust(envelope);
            if checked.is_ok() != typed.is_ok() {
                return Err(format!(
                    "check_entrust {} what typed_entrust {}",
                    if checked.is_ok() {
                        "accepts"
                    } else {
                        "refuses"
                    },
                    if typed.is_ok() { "accepts" } else { "refuses" }
                ));
            }
            if let Err(e) = checked {
                replied(&e.to_string())?;
            }
        }
        Err(e) => replied(&e.to_string())?,
    }
    drop(stepwise);
    if let Ok(Value::Object(mut fields)) = serde_json::from_slice::<Value>(input) {
        if let Some(resource) = fields.remove("resource") {
            let derived = EncryptedResource::deserialize(&resource).ok();
            let is_array = resource.is_array();
            let ours = EncryptedResource::from_json(&resource.into()).ok();
            if is_array {
                // The documented exception: the derive reads an array by position; a resource
                // is an object (regressions/notify/oracle-1c9d7d402affcf1a).
                if ours.is_some() {
                    return Err("EncryptedResource::from_json accepts an array".into());
                }
            } else if ours != derived {
                return Err("EncryptedResource::from_json and serde's derive disagree".into());
            }
        }
    }
    Ok(())
}
