//! Answer verification: `verify::prepare` and `verify::verify` over headers, body and
//! signature, with the test public key and two certificates over it in the key store; then,
//! on the body, `check_response` and the notification checks.
//!
//! An input is the four `Wechatpay-*` headers, an optional `X-Fuzz-Now` (the clock, default
//! the fixtures' time), a blank line and the body: `corpus/verify/*.txt`. Mutations change
//! headers (missing, empty, padded, clock skew at the limits, other serials, broken
//! signatures), the body (JSON-aware), and sometimes sign the result with the test key, so
//! that accepted answers are fuzzed too.
//!
//! Checked per input: no panic; `verify` accepts nothing `prepare` refuses; an accepted
//! answer's signature is exactly the one the test key makes over `ts\nnonce\nbody\n`
//! (PKCS#1 v1.5 is deterministic: anything else accepted is a forgery); `check_response`
//! accepts exactly what serde's derive of `PreEntrustSignResponse` accepts (arrays aside,
//! as documented).

use std::sync::OnceLock;

use serde::Deserialize as _;
use serde_json::Value;
use wechatpay_wasm::model::check_response;
use wechatpay_wasm::sign::{sign_base64, Signer as _};
use wechatpay_wasm::verify::{answer_message, prepare, verify, SignedHeaders};
use wechatpay_wasm::{KeyStore, MerchantKey, PreEntrustSignResponse, RsaSigner, VerifyKey};

use super::{fixtures, Target};
use crate::mutate;
use crate::rng::Rng;

const TIMESTAMP: &str = "Wechatpay-Timestamp";
const NONCE: &str = "Wechatpay-Nonce";
const SIGNATURE: &str = "Wechatpay-Signature";
const SERIAL: &str = "Wechatpay-Serial";
const NOW: &str = "X-Fuzz-Now";

/// Reads an input: headers, the clock and the body.
pub fn decode(input: &[u8]) -> (SignedHeaders, i64, &[u8]) {
    let (head, body) = match input.windows(2).position(|w| w == b"\n\n") {
        Some(at) => (&input[..at], &input[at + 2..]),
        None => (input, &[][..]),
    };
    let mut headers = SignedHeaders::default();
    let mut now = fixtures::NOW;
    for line in String::from_utf8_lossy(head).split('\n') {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.strip_prefix(' ').unwrap_or(value).to_owned();
        match name {
            TIMESTAMP => headers.timestamp = Some(value),
            NONCE => headers.nonce = Some(value),
            SIGNATURE => headers.signature = Some(value),
            SERIAL => headers.serial = Some(value),
            NOW => now = value.trim().parse().unwrap_or(now),
            _ => {}
        }
    }
    (headers, now, body)
}

/// An input as header lines (in order, duplicates kept) and a body.
struct Answer {
    lines: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn read(input: &[u8]) -> Self {
        let (head, body) = match input.windows(2).position(|w| w == b"\n\n") {
            Some(at) => (&input[..at], input[at + 2..].to_vec()),
            None => (input, Vec::new()),
        };
        let lines = String::from_utf8_lossy(head)
            .split('\n')
            .filter_map(|l| l.split_once(": "))
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        Self { lines, body }
    }

    fn write(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (n, v) in &self.lines {
            out.extend_from_slice(format!("{n}: {v}\n").as_bytes());
        }
        out.push(b'\n');
        out.extend_from_slice(&self.body);
        out
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.lines
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn set(&mut self, name: &str, value: String) {
        match self.lines.iter_mut().rev().find(|(n, _)| n == name) {
            Some((_, v)) => *v = value,
            None => self.lines.push((name.to_owned(), value)),
        }
    }

    /// Signs the answer as it stands with the test key.
    fn sign(&mut self) {
        let ts = self.get(TIMESTAMP).unwrap_or("").trim().to_owned();
        let nonce = self.get(NONCE).unwrap_or("").trim().to_owned();
        let message = answer_message(&ts, &nonce, &self.body);
        if let Some(Ok(sig)) = signer().map(|s| sign_base64(s, &message)) {
            self.set(SIGNATURE, sig);
        }
    }
}

fn signer() -> Option<&'static RsaSigner> {
    static S: OnceLock<Option<RsaSigner>> = OnceLock::new();
    S.get_or_init(|| {
        MerchantKey::from_pem(fixtures::PRIVATE_PKCS1)
            .and_then(|k| RsaSigner::new(&k))
            .ok()
    })
    .as_ref()
}

fn keys() -> &'static KeyStore {
    static K: OnceLock<KeyStore> = OnceLock::new();
    K.get_or_init(|| {
        let mut store = KeyStore::new();
        for (id, pem) in [
            (fixtures::PUBLIC_KEY_ID, fixtures::PUBLIC_SPKI),
            (fixtures::CERT_SERIAL, fixtures::CERT),
            (fixtures::CERT_2052_SERIAL, fixtures::CERT_2052),
        ] {
            if let Ok(key) = VerifyKey::parse_pem(id, pem) {
                store.insert(key);
            }
        }
        store
    })
}

const DICT: &[&str] = &[
    "pre_entrustweb_id",
    "redirect_url",
    "mini_program_username",
    "mini_program_path",
    "https://example.com/sign?id=1",
    "gh_0123456789ab",
];

fn mutate_header(rng: &mut Rng, a: &mut Answer) {
    let now: i64 = a
        .get(NOW)
        .and_then(|n| n.parse().ok())
        .unwrap_or(fixtures::NOW);
    let name = *rng.pick(&[TIMESTAMP, NONCE, SIGNATURE, SERIAL]);
    let old = a.get(name).unwrap_or("").to_owned();
    let value = match rng.below(10) {
        0 => {
            a.lines.retain(|(n, _)| n != name);
            return;
        }
        1 => (*rng.pick(&["", " ", "\t", "\u{3000}"])).to_owned(),
        2 => format!(
            "{}{old}{}",
            rng.pick(&[" ", "\t", ""]),
            rng.pick(&[" ", "\r", ""])
        ),
        3 => {
            let skew = *rng.pick(&[0i64, 299, 300, 301, -300, -301, 1 << 40, i64::MIN / 2]);
            a.set(TIMESTAMP, now.wrapping_sub(skew).to_string());
            return;
        }
        4 => (*rng.pick(&[
            "abc",
            "+1795658401",
            "1795658401.0",
            "1e9",
            "٣",
            "-0",
            "99999999999999999999",
            "-9223372036854775808",
            "9223372036854775807",
            "0x10",
        ]))
        .to_owned(),
        5 => (*rng.pick(&[
            fixtures::PUBLIC_KEY_ID,
            fixtures::CERT_SERIAL,
            "5157f09efdc096de15ebe81a47057a72",
            "005157F09EFDC096DE15EBE81A47057A72",
            fixtures::CERT_2052_SERIAL,
            "0a0b0c",
            "PUB_KEY_ID_unknown",
        ]))
        .to_owned(),
        6 if !old.is_empty() => {
            // A base64 character changed, or the value cut.
            let mut b = old.into_bytes();
            let at = rng.below(b.len());
            if rng.one_in(2) {
                b[at] = *rng.pick(b"AZaz09+/=-_ .");
            } else {
                b.truncate(at);
            }
            String::from_utf8_lossy(&b).into_owned()
        }
        7 => format!("WECHATPAY/SIGNTEST/{old}"),
        8 => "Q".repeat(*rng.pick(&[4, 344, 4096, 100_000])),
        _ => {
            let mut s = old;
            let fill = if rng.one_in(2) { 'A' } else { '中' };
            s.extend(core::iter::repeat_n(fill, rng.small_size(5000)));
            s
        }
    };
    a.set(name, value);
}

/// The target.
pub fn target() -> Target {
    Target {
        name: "verify".into(),
        weight: 5,
        generate: Box::new(|rng, parent, other| {
            if rng.one_in(12) {
                let mut out = parent.to_vec();
                mutate::bytes_stacked(rng, &mut out, DICT, other);
                return out;
            }
            let mut a = Answer::read(parent);
            for _ in 0..rng.range(1, 2) {
                match rng.below(8) {
                    0..=3 => mutate_header(rng, &mut a),
                    4 | 5 => {
                        let body = mutate::json::mutate_text(rng, &a.body, DICT);
                        a.body = body.unwrap_or_else(|| {
                            let mut b = a.body.clone();
                            mutate::bytes_stacked(rng, &mut b, DICT, other);
                            b
                        });
                    }
                    6 => {
                        // A clock inside both certificates' validity, the answer at that time.
                        let now = 1_800_000_000 + rng.below(1000) as i64;
                        a.set(NOW, now.to_string());
                        a.set(TIMESTAMP, now.to_string());
                    }
                    _ => a.body = Answer::read(other).body,
                }
            }
            if rng.one_in(20) {
                a.sign();
            }
            a.write()
        }),
        run: Box::new(run),
    }
}

fn run(input: &[u8]) -> Result<(), String> {
    let (headers, now, body) = decode(input);
    let keys = keys();
    let prepared = prepare(&headers, body, now, keys);
    let verdict = verify(&headers, body, now, keys);
    match (&prepared, &verdict) {
        (Err(_), Ok(())) => return Err("verify accepts what prepare refuses".into()),
        (Ok(p), Ok(())) => {
            let expected = signer().map(|s| s.sign(&p.message));
            if !matches!(expected, Some(Ok(sig)) if sig == p.signature) {
                return Err("an answer was accepted whose signature the key did not make".into());
            }
        }
        _ => {}
    }
    let mut notification = false;
    if let Ok(value) = serde_json::from_slice::<Value>(body) {
        if !value.is_array() {
            let ours = check_response(&value).is_ok();
            let derived = PreEntrustSignResponse::deserialize(&value).is_ok();
            if ours != derived {
                return Err("check_response and serde's derive of the response disagree".into());
            }
        }
        notification = value.get("resource").is_some();
    }
    if notification {
        super::notify::run(body)?;
    }
    Ok(())
}
