//! Platform certificates on demand (`GET /v3/certificates`, wechatpay-apiv3.md section 5):
//! when to download, what a download answer must be, which certificates to keep, and what a
//! shared cache may hand back. The wasm layer sends the request and runs AES-GCM and RSA;
//! every decision is here, with the time passed in.
//!
//! The answer's signature (the bootstrapping rule of section 5, "the answer itself is signed
//! by one of the certificates it carries", as wechatpay-php does it): the certificates are
//! decrypted first (AES-256-GCM with the APIv3 key, which authenticates each of them), then
//! the answer must verify with the listed certificate its `Wechatpay-Serial` names. A serial
//! that is not in the list, even one the client already holds, refuses the answer.

use crate::json::Value;

use crate::error::{code, quoted_brief, Error, Result};
use crate::keys::{KeySource, KeyStore, VerifyKey};
use crate::notify::{EncryptedResource, Sealed};

/// The download's path.
pub const PATH: &str = "/v3/certificates";
/// A failed download is not tried again sooner.
pub const RETRY_AFTER_SECS: i64 = 60;
/// Certificates are downloaded again this long after the last download (WeChat Pay asks
/// for an interval under 12 hours).
pub const REFRESH_SECS: i64 = 6 * 3600;
/// When the newest certificate held expires within this (a successor is listed about 10
/// days before), downloads happen every [`NEAR_EXPIRY_REFRESH_SECS`].
pub const EXPIRY_MARGIN_SECS: i64 = 10 * 86400;
/// See [`EXPIRY_MARGIN_SECS`].
pub const NEAR_EXPIRY_REFRESH_SECS: i64 = 3600;
/// How long a cache keeps what was downloaded (`ttlSeconds` of `certificateCache.set`).
pub const CACHE_TTL_SECS: u32 = 12 * 3600;
/// At most this many certificates are read from one list (a cache entry is untrusted).
const MAX_LISTED: usize = 16;
/// A cache entry longer than this is ignored.
const MAX_CACHE_CHARS: usize = 64 * 1024;
const PUBLIC_KEY_PREFIX: &str = "PUB_KEY_ID_";

/// The `certificateCache` key of merchant `mchid`.
pub fn cache_key(mchid: &str) -> String {
    format!("wechatpay-wasm/certificates/{mchid}")
}

/// The error of a merchant that has only a WeChat Pay public key.
pub fn public_key_merchant(id: Option<&str>) -> Error {
    let id = id.map_or_else(|| "PUB_KEY_ID_...".to_owned(), quoted_brief);
    Error::config(
        code::PUBLIC_KEY_MERCHANT,
        format!("this merchant uses WeChat Pay public keys, not platform certificates (WeChat Pay lists none for it); pass the public key (pub_key.pem, from the merchant platform) in certs under its id {id}"),
    )
}

/// A refused certificate list (download or cache entry).
pub fn bad_list(why: impl core::fmt::Display) -> Error {
    Error::signature(
        code::BAD_CERT_LIST,
        format!("GET {PATH}: the certificate list is refused: {why}"),
    )
}

/// The keys a client starts with: [`crate::config::verify_keys`], except that with the APIv3
/// key (`downloads`) `certs` may be empty (what is needed is downloaded).
pub fn starting_keys(
    entries: &[(String, Option<String>)],
    now: i64,
    downloads: bool,
) -> Result<KeyStore> {
    if downloads && entries.is_empty() {
        return Ok(KeyStore::new());
    }
    crate::config::verify_keys(entries, now)
}

fn holds_public_key(keys: &KeyStore) -> bool {
    keys.iter().any(|k| k.source() == KeySource::PublicKey)
}

/// Whether a needed download that failed with error `code` fails the call; `false` when the
/// call should go on and report the unknown serial itself (a merchant who passed a public key
/// and for whom WeChat Pay lists no certificate: the serial is not one of its keys).
pub fn download_fails_call(code: &str, keys: &KeyStore) -> bool {
    code != code::PUBLIC_KEY_MERCHANT || !holds_public_key(keys)
}

/// What a call must do about certificates before it verifies an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Verify with what is held.
    Ready,
    /// Download; the call needs the result (`needed`), or it is a refresh that may fail
    /// while the held key serves.
    Download {
        /// Whether the call fails without it.
        needed: bool,
    },
    /// A download is in flight: wait for it, then verify.
    Wait,
}

/// The download state of one client.
#[derive(Debug, Clone)]
pub struct Rotation {
    enabled: bool,
    in_flight: bool,
    last_ok: i64,
    last_failure: Option<i64>,
}

impl Rotation {
    /// `enabled` when the client has the APIv3 key; `now` counts as the last download (the
    /// certificates passed in are as fresh as the client).
    pub fn new(enabled: bool, now: i64) -> Self {
        Self {
            enabled,
            in_flight: false,
            last_ok: now,
            last_failure: None,
        }
    }

    fn backoff(&self, now: i64) -> Option<i64> {
        let since = now - self.last_failure?;
        (since < RETRY_AFTER_SECS).then_some(RETRY_AFTER_SECS - since)
    }

    /// Before verifying an answer signed with `serial`, with `keys` held.
    pub fn step(&self, serial: Option<&str>, keys: &KeyStore, now: i64) -> Result<Step> {
        if !self.enabled {
            return Ok(Step::Ready);
        }
        let unknown = serial.map(str::trim).filter(|s| keys.get(s).is_none());
        if let Some(s) = unknown {
            if s.starts_with(PUBLIC_KEY_PREFIX) {
                // With a public key of its own, an unknown one is just unknown (prepare says so).
                if holds_public_key(keys) {
                    return Ok(Step::Ready);
                }
                return Err(public_key_merchant(Some(s)));
            }
            if self.in_flight {
                return Ok(Step::Wait);
            }
            if let Some(left) = self.backoff(now) {
                return Err(Error::signature(
                    code::UNKNOWN_SERIAL,
                    format!("the answer is signed with key {}, which is not held, and the last download of the platform certificates failed; the next one is tried in {left} s", quoted_brief(s)),
                ));
            }
            return Ok(Step::Download { needed: true });
        }
        if self.in_flight || self.backoff(now).is_some() || !self.due(keys, now) {
            return Ok(Step::Ready);
        }
        Ok(Step::Download { needed: false })
    }

    /// `refreshCertificates()`: a download unless one is in flight (then wait for it) or the
    /// last one failed less than [`RETRY_AFTER_SECS`] ago.
    pub fn forced(&self, now: i64) -> Result<Step> {
        if !self.enabled {
            return Err(Error::config(
                code::BAD_APIV3_KEY,
                "apiv3Key: is required to download platform certificates (they are encrypted with it)",
            ));
        }
        if self.in_flight {
            return Ok(Step::Wait);
        }
        if let Some(left) = self.backoff(now) {
            return Err(bad_list(format!(
                "the last download failed; the next one is tried in {left} s"
            )));
        }
        Ok(Step::Download { needed: true })
    }

    /// Whether held certificates are due for a download: only when some are held (a
    /// public-key merchant has nothing to refresh), [`REFRESH_SECS`] after the last one, or
    /// hourly while the newest expires within [`EXPIRY_MARGIN_SECS`].
    fn due(&self, keys: &KeyStore, now: i64) -> bool {
        let newest = keys
            .iter()
            .filter_map(|k| k.validity_secs().map(|(_, after)| after))
            .max();
        let Some(newest) = newest else {
            return false;
        };
        let age = now - self.last_ok;
        age >= REFRESH_SECS
            || (newest - now <= EXPIRY_MARGIN_SECS && age >= NEAR_EXPIRY_REFRESH_SECS)
    }

    /// Whether a cache entry saved at `saved_at` holding `cached` is enough: it holds the
    /// `needed` key, or (a refresh) it is newer than what is held.
    pub fn takes_cached(&self, saved_at: i64, cached: &KeyStore, needed: Option<&str>) -> bool {
        needed.map_or(saved_at > self.last_ok, |s| cached.get(s.trim()).is_some())
    }

    /// A download starts.
    pub fn started(&mut self) {
        self.in_flight = true;
    }

    /// A download (or a cache entry saved at `at`) ended.
    pub fn finished(&mut self, ok: bool, at: i64) {
        self.in_flight = false;
        if ok {
            self.last_ok = self.last_ok.max(at);
            self.last_failure = None;
        } else {
            self.last_failure = Some(at);
        }
    }
}

/// One entry of a certificate list, not decrypted yet.
#[derive(Debug, Clone)]
pub struct Listed {
    /// `serial_no`.
    pub serial_no: String,
    /// The checked AES-GCM inputs of `encrypt_certificate`.
    pub sealed: Sealed,
}

fn parse_data(data: Option<&Value>) -> Result<Vec<Listed>> {
    let data = data
        .and_then(Value::as_array)
        .ok_or_else(|| bad_list("it has no data array"))?;
    if data.is_empty() {
        return Err(public_key_merchant(None));
    }
    if data.len() > MAX_LISTED {
        return Err(bad_list(format!("more than {MAX_LISTED} certificates")));
    }
    let mut out = Vec::with_capacity(data.len());
    for (i, entry) in data.iter().enumerate() {
        let serial_no = entry
            .get("serial_no")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| bad_list(format!("data[{i}].serial_no is not a string")))?;
        let sealed = entry
            .get("encrypt_certificate")
            .ok_or_else(|| "it is missing".to_owned())
            .and_then(EncryptedResource::from_json)
            .map_err(|e| bad_list(format!("data[{i}].encrypt_certificate: {e}")))?
            .sealed()
            .map_err(|e| bad_list(format!("data[{i}]: {e}")))?;
        out.push(Listed {
            serial_no: serial_no.to_owned(),
            sealed,
        });
    }
    Ok(out)
}

/// Reads a download answer: `status` 404 or an empty `data` is a public-key merchant;
/// any other status but 200 is for the caller to report as an API error.
pub fn parse_answer(status: u16, body: &[u8]) -> Result<Vec<Listed>> {
    if status == 404 {
        return Err(public_key_merchant(None));
    }
    let v: Value = serde_json::from_slice(body).map_err(|_| bad_list("the answer is not JSON"))?;
    parse_data(v.get("data"))
}

/// The certificates of `listed`, each decrypted (`plaintexts`, same order; `None`: the GCM
/// tag did not match), parsed as X.509, its serial equal to `serial_no`. Expired ones are
/// left out; none left is an error.
pub fn accept(listed: &[Listed], plaintexts: &[Option<Vec<u8>>], now: i64) -> Result<KeyStore> {
    let mut store = KeyStore::new();
    for (entry, plain) in listed.iter().zip(plaintexts) {
        let serial = quoted_brief(&entry.serial_no);
        let pem = plain
            .as_deref()
            .and_then(|p| core::str::from_utf8(p).ok())
            .ok_or_else(|| bad_list(format!("certificate {serial} does not decrypt with the APIv3 key (altered, or apiv3Key is not this merchant's)")))?;
        let key = VerifyKey::parse_pem(&entry.serial_no, pem).map_err(|e| match e.code() {
            code::CERT_SERIAL_MISMATCH => bad_list(format!(
                "certificate {serial}: its serial is not the serial_no it is listed under"
            )),
            _ => bad_list(format!("certificate {serial}: {e}")),
        })?;
        if key.source() != KeySource::Certificate {
            return Err(bad_list(format!(
                "certificate {serial} is not an X.509 certificate"
            )));
        }
        if key.validity_secs().is_some_and(|(_, after)| now > after) {
            continue;
        }
        store.insert(key);
    }
    if store.is_empty() {
        return Err(bad_list("every listed certificate has expired"));
    }
    Ok(store)
}

/// The failure of the answer's own check (section 5: signed by one of the certificates it
/// lists) as a refused list; `UNKNOWN_SERIAL` means the signing key is not in the list.
pub fn answer_refused(e: Error) -> Error {
    if e.code() == code::UNKNOWN_SERIAL {
        return bad_list("its answer is not signed by one of the certificates it lists");
    }
    bad_list(format!("its answer does not verify: {e}"))
}

/// Adds the downloaded certificates to `held` and drops held certificates expired at `now`
/// (public keys stay).
pub fn install(held: &mut KeyStore, fresh: KeyStore, now: i64) {
    for key in fresh.iter() {
        held.insert(key.clone());
    }
    held.retain(|k| k.validity_secs().is_none_or(|(_, after)| now <= after));
}

/// What `certificateCache.set` stores: the answer's encrypted list as downloaded (never
/// the APIv3 key, nor anything decrypted) and when. Read back, each certificate must
/// decrypt with the APIv3 key, which no one without the key can forge.
/// (The answer's text is kept as received, so that no JSON writer is needed; and every JSON
/// text is read from bytes: `from_str` would add a second reader to the wasm module, 5 KB.)
pub fn cache_value(body: &[u8], now: i64) -> Option<String> {
    let text = core::str::from_utf8(body).ok()?;
    serde_json::from_slice::<Value>(body).ok()?.get("data")?;
    Some(format!(r#"{{"v":1,"saved_at":{now},"answer":{text}}}"#))
}

/// Reads a cache entry (untrusted): its save time (not in the future, not older than
/// [`REFRESH_SECS`]) and its list, to be decrypted and [`accept`]ed like a download.
pub fn from_cache(text: &str, now: i64) -> Result<(i64, Vec<Listed>)> {
    if text.len() > MAX_CACHE_CHARS {
        return Err(bad_list("the cache entry is too long"));
    }
    let v: Value = serde_json::from_slice(text.as_bytes())
        .map_err(|_| bad_list("the cache entry is not JSON"))?;
    let saved_at = v
        .get("saved_at")
        .and_then(Value::as_i64)
        .filter(|_| v.get("v").and_then(Value::as_u64) == Some(1))
        .ok_or_else(|| bad_list("the cache entry is not one of ours"))?;
    if saved_at > now + crate::consts::MAX_CLOCK_SKEW_SECS || now - saved_at >= REFRESH_SECS {
        return Err(bad_list("the cache entry is stale"));
    }
    Ok((
        saved_at,
        parse_data(v.get("answer").and_then(|a| a.get("data")))?,
    ))
}

/// The certificates held, as `refreshCertificates()` returns them: serial, notBefore and
/// notAfter in Unix seconds.
pub fn held(keys: &KeyStore) -> Vec<(&str, i64, i64)> {
    keys.iter()
        .filter_map(|k| {
            let (before, after) = k.validity_secs()?;
            Some((k.id(), before, after))
        })
        .collect()
}

#[cfg(test)]
#[path = "certs_tests.rs"]
mod tests;
