#![cfg(not(target_arch = "wasm32"))]
//! Reading keys: bad private keys as config errors without key material, PEM line endings,
//! the key store, the key forms node:crypto and openssl give, and weak verification keys.

mod common;

use base64ct::{Base64, Encoding};
use common::{merchant, pem_der};
use wechatpay_wasm::keys::{KeyStore, MerchantKey, VerifyKey};
use wechatpay_wasm::sign::RsaSigner;
use wechatpay_wasm::ErrorKind;

#[test]
fn bad_private_keys_are_config_errors_without_key_material() {
    let v = common::vector();
    let pem = v["private_key_pkcs8_pem"].as_str().unwrap();
    let corrupted = pem.replace(
        "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDZUJN33V",
        "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDZUJN33X",
    );
    let body_line = pem.lines().nth(1).unwrap();
    for (input, hint) in [
        ("", "no PEM private key"),
        ("not a key", "no PEM private key"),
        (v["public_key_spki_pem"].as_str().unwrap(), "public key"),
        (
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----",
            "encrypted",
        ),
    ] {
        let err = MerchantKey::from_pem(input).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert_eq!(err.code(), "BAD_PRIVATE_KEY");
        let msg = err.to_string();
        assert!(msg.contains(hint), "{msg}");
        assert!(
            !msg.contains(&body_line[..20]),
            "key material echoed: {msg}"
        );
        assert!(!format!("{err:?}").contains(&body_line[..20]));
    }
    // A key whose numbers are inconsistent is structurally valid PKCS#8: the structure check
    // lets it through, and the rsa crate (like the wasm layer's first-use self-test) refuses it.
    let key = MerchantKey::from_pem(&corrupted).unwrap();
    let err = RsaSigner::new(&key).unwrap_err();
    assert_eq!(err.code(), "BAD_PRIVATE_KEY");
    assert!(!err.to_string().contains(&body_line[..20]));
    // A truncated structure does not parse.
    let mut lines: Vec<&str> = pem.lines().collect();
    lines.remove(5);
    let err = MerchantKey::from_pem(&lines.join("\n")).unwrap_err();
    assert_eq!(err.code(), "BAD_PRIVATE_KEY");
    assert!(err.to_string().contains("does not"), "{err}");
    // Debug of a loaded key is redacted.
    let dbg = format!(
        "{:?} {:?}",
        merchant(),
        RsaSigner::new(&merchant()).unwrap()
    );
    assert!(
        dbg.contains("redacted") && !dbg.contains(&body_line[..20]),
        "{dbg}"
    );
}

#[test]
fn pem_with_crlf_and_escaped_newlines_loads() {
    let pem = common::vector()["private_key_pkcs8_pem"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(MerchantKey::from_pem(&pem.replace('\n', "\r\n")).is_ok());
    assert!(MerchantKey::from_pem(&pem.replace('\n', "\\n")).is_ok());
    assert!(MerchantKey::from_pem(&format!("  \n{pem}\n  ")).is_ok());
}

#[test]
fn key_store_selects_by_id_and_prefers_public_key() {
    let v = common::vector();
    let now = 1_900_000_000; // 2030, inside the fixture certificate's validity
    let cert = || {
        VerifyKey::from_pem(
            "5157F09EFDC096DE15EBE81A47057A72",
            &common::fixture("platform_cert.pem"),
            now,
        )
        .unwrap()
    };
    let public = |id: &str| {
        VerifyKey::from_pem(id, v["public_key_spki_pem"].as_str().unwrap(), now).unwrap()
    };
    let mut store = KeyStore::new();
    store.insert(cert());
    store.insert(public("PUB_KEY_ID_0114232134912410000000000000"));
    assert_eq!(
        store.preferred_id(),
        Some("PUB_KEY_ID_0114232134912410000000000000")
    );
    assert!(
        store.get("5157f09efdc096de15ebe81a47057a72").is_some(),
        "hex ids match ignoring case"
    );
    assert!(store.get("PUB_KEY_ID_X").is_none());
    // Ids come out sorted whatever the insertion order; an id inserted again replaces.
    store.insert(public("PUB_KEY_ID_0000000000000000000000000001"));
    store.insert(cert());
    assert_eq!(
        store.ids(),
        [
            "5157F09EFDC096DE15EBE81A47057A72",
            "PUB_KEY_ID_0000000000000000000000000001",
            "PUB_KEY_ID_0114232134912410000000000000"
        ]
    );
    assert_eq!(store.len(), 3);
    assert_eq!(
        store.preferred_id(),
        Some("PUB_KEY_ID_0000000000000000000000000001"),
        "the first public key by id"
    );
}

/// Guards: what WebCrypto imports and the rsa crate loads. The crate reads keys without the
/// rsa crate (PKCS#8 and PKCS#1 private keys, SPKI and PKCS#1 public keys, a certificate's
/// key); its JWKs equal node:crypto's export of the same key member for member, and its
/// PKCS#1 DER equals what openssl wrote for it.
#[test]
fn key_forms_match_node_and_openssl() {
    let v = common::vector();
    let jwks = common::json("keys_jwk.json");
    let jwk_of = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap();
    let pkcs1_private = pem_der(&common::fixture("merchant_pkcs1.pem"));
    let pkcs1_public = pem_der(&common::fixture("public_pkcs1.pem"));
    let from_pkcs8 = merchant();
    let from_pkcs1 = MerchantKey::from_pem(&common::fixture("merchant_pkcs1.pem")).unwrap();
    for key in [&from_pkcs8, &from_pkcs1] {
        assert_eq!(jwk_of(key.jwk()), jwks["private"]);
        assert_eq!(jwk_of(key.public_jwk()), jwks["public"]);
        assert_eq!(key.pkcs1_der(), pkcs1_private.as_slice());
        assert_eq!(key.bits(), 2048);
    }
    let now = 1_900_000_000;
    let cert = VerifyKey::from_pem(
        "5157F09EFDC096DE15EBE81A47057A72",
        &common::fixture("platform_cert.pem"),
        now,
    )
    .unwrap();
    let pkcs1_public_key =
        VerifyKey::from_pem("PUB_KEY_ID_1", &common::fixture("public_pkcs1.pem"), now).unwrap();
    let spki_public = VerifyKey::from_pem(
        "PUB_KEY_ID_2",
        v["public_key_spki_pem"].as_str().unwrap(),
        now,
    )
    .unwrap();
    for key in [&cert, &pkcs1_public_key, &spki_public] {
        assert_eq!(jwk_of(key.jwk()), jwks["public"], "{key:?}");
        assert_eq!(key.pkcs1_der(), pkcs1_public.as_slice(), "{key:?}");
        assert_eq!(key.bits(), 2048);
    }
}

#[test]
fn weak_or_damaged_verification_keys_are_refused_at_load() {
    let now = 1_900_000_000;
    let err =
        VerifyKey::from_pem("PUB_KEY_ID_1", &common::fixture("public_1024.pem"), now).unwrap_err();
    assert_eq!(err.code(), "BAD_CERT");
    assert!(err.to_string().contains("1024 bits"), "{err}");
    // A certificate cut short: the message says where.
    let cert = common::fixture("platform_cert.pem");
    let der = pem_der(&cert);
    let cut = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        Base64::encode_string(&der[..der.len() / 2])
    );
    let err = VerifyKey::from_pem("5157F09EFDC096DE15EBE81A47057A72", &cut, now).unwrap_err();
    assert_eq!(err.code(), "BAD_CERT");
    assert!(err.to_string().contains("does not parse"), "{err}");
    // Not yet valid: the fixture is valid from 2026-11-26.
    let err =
        VerifyKey::from_pem("5157F09EFDC096DE15EBE81A47057A72", &cert, 1_700_000_000).unwrap_err();
    assert_eq!(err.code(), "CERT_EXPIRED");
    assert!(
        err.to_string().contains("not valid before 2026-11-26"),
        "{err}"
    );
}
