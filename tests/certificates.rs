#![cfg(not(target_arch = "wasm32"))]
//! Platform certificates: verification only within their validity, and their checks at
//! load.

mod common;

use base64ct::{Base64, Encoding};
use common::merchant;
use wechatpay_wasm::keys::{KeyStore, VerifyKey};
use wechatpay_wasm::sign::{self, RsaSigner};
use wechatpay_wasm::{Error, ErrorKind};

/// A platform certificate verifies answers only within its validity (notBefore 2026-11-26
/// 23:06:41, notAfter 2036-11-23 23:06:41), checked at each verification and not only at
/// load: a client that runs past notAfter refuses what the certificate signs.
#[test]
fn a_certificate_verifies_only_within_its_validity() {
    use wechatpay_wasm::verify::{self, answer_message, SignedHeaders};
    let id = "5157F09EFDC096DE15EBE81A47057A72";
    let pem = common::fixture("platform_cert.pem");
    let expired_at = 2_111_094_402; // notAfter + 1 s
    assert_eq!(
        VerifyKey::from_pem(id, &pem, expired_at)
            .unwrap_err()
            .code(),
        "CERT_EXPIRED"
    );
    let key = VerifyKey::parse_pem(id, &pem).unwrap();
    assert!(key.check_valid_at(expired_at - 1).is_ok());
    assert!(
        key.check_valid_at(1_795_828_001).is_ok(),
        "notBefore itself"
    );
    assert!(key.check_valid_at(1_795_734_400).is_err());
    let mut store = KeyStore::new();
    store.insert(key);
    // Answers signed with the certificate's key (the vector's) at a time `ts`, checked at `ts`.
    let signer = RsaSigner::new(&merchant()).unwrap();
    let answer = |ts: i64| {
        let body = br#"{"pre_entrustweb_id":"5778aadY9nltAsZzXixCkFIGYnV2V"}"#;
        let ts_text = ts.to_string();
        let message = answer_message(&ts_text, "N1", body);
        let headers = SignedHeaders {
            timestamp: Some(ts_text),
            nonce: Some("N1".into()),
            signature: Some(sign::sign_base64(&signer, &message).unwrap()),
            serial: Some(id.into()),
        };
        verify::verify(&headers, body, ts, &store)
    };
    assert!(answer(1_900_000_000).is_ok());
    assert!(answer(expired_at - 1).is_ok());
    for (ts, words) in [
        (expired_at, "expired at 2036-11-23T23:06:41Z"),
        (1_795_734_400, "not valid before 2026-11-26T23:06:41Z"),
    ] {
        let e = answer(ts).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Signature, "{e}");
        assert_eq!(e.code(), "CERT_EXPIRED");
        assert!(e.to_string().contains(words), "{e}");
        assert!(matches!(&e, Error::Signature { serial: Some(s), .. } if s == id));
    }
}

#[test]
fn certificate_checks() {
    let cert = common::fixture("platform_cert.pem");
    let now = 1_900_000_000; // 2030, inside the fixture certificate's validity
    let k = VerifyKey::from_pem("5157f09efdc096de15ebe81a47057a72", &cert, now).unwrap();
    // The certificate's key is the vector's public key: the known answer verifies with it.
    let v = common::vector();
    let sig = Base64::decode_vec(v["expected_signature"].as_str().unwrap()).unwrap();
    assert!(sign::rsa_verify(&k, b"source", &sig));
    let err = VerifyKey::from_pem("5157F09EFDC096DE15EBE81A47057A73", &cert, now).unwrap_err();
    assert_eq!(err.code(), "CERT_SERIAL_MISMATCH");
    assert!(err.to_string().contains("5157F09EFDC096DE15EBE81A47057A72"));
    let err =
        VerifyKey::from_pem("5157F09EFDC096DE15EBE81A47057A72", &cert, 2_200_000_000).unwrap_err();
    assert_eq!(err.code(), "CERT_EXPIRED");
    assert!(err.to_string().contains("expired"));
    let err = VerifyKey::from_pem(
        "5157F09EFDC096DE15EBE81A47057A72",
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
        now,
    )
    .unwrap_err();
    assert_eq!(err.code(), "BAD_CERT");
    let err =
        VerifyKey::from_pem("x", v["private_key_pkcs8_pem"].as_str().unwrap(), now).unwrap_err();
    assert!(matches!(
        err,
        Error::Config {
            code: "BAD_CERT",
            ..
        }
    ));
}
