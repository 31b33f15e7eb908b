#![cfg(not(target_arch = "wasm32"))]
//! Request signing against the known-answer vector (wechatpay-go's test) and the wire formats.

mod common;

use base64ct::{Base64, Encoding};
use wechatpay_wasm::keys::{KeyStore, MerchantKey, VerifyKey};
use wechatpay_wasm::sign::{self, RsaSigner};
use wechatpay_wasm::{Error, ErrorKind};

fn merchant() -> MerchantKey {
    MerchantKey::from_pem(common::vector()["private_key_pkcs8_pem"].as_str().unwrap()).unwrap()
}

/// Guards: SHA256withRSA PKCS#1 v1.5 + standard padded base64, byte for byte as wechatpay-go.
#[test]
fn known_answer_vector_pkcs8() {
    let v = common::vector();
    let signer = RsaSigner::new(&merchant()).unwrap();
    let sig = sign::sign_base64(&signer, v["message"].as_str().unwrap().as_bytes()).unwrap();
    assert_eq!(sig, v["expected_signature"].as_str().unwrap());
}

/// Guards: a PKCS#1 PEM (made by openssl from the same key) loads and signs identically.
#[test]
fn known_answer_vector_pkcs1() {
    let v = common::vector();
    let key = MerchantKey::from_pem(&common::fixture("merchant_pkcs1.pem")).unwrap();
    let sig = sign::sign_base64(&RsaSigner::new(&key).unwrap(), b"source").unwrap();
    assert_eq!(sig, v["expected_signature"].as_str().unwrap());
    // And what WebCrypto and the rsa crate are given equals what the PKCS#8 original gives.
    assert_eq!(key.pkcs1_der(), merchant().pkcs1_der());
    assert_eq!(key.jwk(), merchant().jwk());
}

#[test]
fn known_answer_verifies_with_public_key() {
    let v = common::vector();
    let key = VerifyKey::from_pem(
        "PUB_KEY_ID_01",
        v["public_key_spki_pem"].as_str().unwrap(),
        0,
    )
    .unwrap();
    let sig = Base64::decode_vec(v["expected_signature"].as_str().unwrap()).unwrap();
    assert!(sign::rsa_verify(&key, b"source", &sig));
    assert!(!sign::rsa_verify(&key, b"sourcE", &sig));
}

#[test]
fn message_format_table() {
    let cases = [
        (
            (
                "POST",
                "/v3/papay/sign/contracts/pre-entrust-sign",
                1624523846,
                "A1B2C3",
                "{\"a\":1}",
            ),
            "POST\n/v3/papay/sign/contracts/pre-entrust-sign\n1624523846\nA1B2C3\n{\"a\":1}\n",
        ),
        (
            (
                "GET",
                "/v3/papay/sign/contracts/plan-id/12535/out-contract-code/abc",
                1,
                "N",
                "",
            ),
            "GET\n/v3/papay/sign/contracts/plan-id/12535/out-contract-code/abc\n1\nN\n\n",
        ),
        (
            (
                "GET",
                "/v3/certificates?algorithm_type=RSA&x=%E4%B8%AD",
                1624523846,
                "N2",
                "",
            ),
            "GET\n/v3/certificates?algorithm_type=RSA&x=%E4%B8%AD\n1624523846\nN2\n\n",
        ),
    ];
    for ((m, p, t, n, b), want) in cases {
        assert_eq!(sign::request_message(m, p, t, n, b), want);
    }
    assert!(sign::request_message("GET", "/v3/x", 1, "n", "").ends_with("\n\n"));
}

#[test]
fn path_and_query_kept_as_sent() {
    assert_eq!(
        sign::path_and_query("https://api.mch.weixin.qq.com/v3/a?b=1&c=%20").unwrap(),
        "/v3/a?b=1&c=%20"
    );
    assert_eq!(sign::path_and_query("/v3/a?b=c").unwrap(), "/v3/a?b=c");
    assert_eq!(
        sign::path_and_query("http://127.0.0.1:8080/v3/x").unwrap(),
        "/v3/x"
    );
    assert_eq!(sign::path_and_query("https://host").unwrap(), "/");
    assert!(sign::path_and_query("v3/no-slash").is_err());
    assert!(sign::path_and_query("ftp://host/x").is_err());
}

#[test]
fn authorization_format_and_field_order() {
    let signer = RsaSigner::new(&merchant()).unwrap();
    let msg = sign::request_message("POST", "/v3/x", 1624523846, "A1B2C3D4E5F6G7", "{}");
    let sig = sign::sign_base64(&signer, msg.as_bytes()).unwrap();
    let h = sign::authorization_header(
        "1900000001",
        "A1B2C3D4E5F6G7",
        1624523846,
        "F5765756002FDD77",
        &sig,
    );
    let want = format!("WECHATPAY2-SHA256-RSA2048 mchid=\"1900000001\",nonce_str=\"A1B2C3D4E5F6G7\",timestamp=\"1624523846\",serial_no=\"F5765756002FDD77\",signature=\"{sig}\"");
    assert_eq!(h, want);
    assert!(!h.contains(", "), "no spaces between pairs");
    // The signature inside verifies over the message with the public key.
    let v = common::vector();
    let key = VerifyKey::from_pem("k", v["public_key_spki_pem"].as_str().unwrap(), 0).unwrap();
    assert!(sign::rsa_verify(
        &key,
        msg.as_bytes(),
        &Base64::decode_vec(&sig).unwrap()
    ));
}

#[test]
fn nonce_is_32_alphanumerics_and_uniform_bytes_are_used() {
    let bytes: Vec<u8> = (0..=255u8).cycle().take(64).collect();
    let n = sign::nonce_from_bytes(&bytes).unwrap();
    assert_eq!(n.len(), 32);
    assert!(n.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert_eq!(&n[..10], "0123456789");
    // Bytes >= 248 are skipped (no modulo bias).
    assert_eq!(sign::nonce_from_bytes(&[255; 64]), None);
    assert!(sign::check_nonce("A1B2C3D4E5F6G7").is_ok());
    assert!(sign::check_nonce("bad\"quote").is_err());
    assert!(sign::check_nonce("").is_err());
    for outside in ["a-b", "a_b", "a.b", "ä", &"a".repeat(65)] {
        let e = sign::check_nonce(outside).unwrap_err();
        assert!(e.to_string().contains("[0-9A-Za-z]"), "{outside}: {e}");
    }
    assert!(sign::check_nonce(&"a".repeat(64)).is_ok());
}

#[test]
fn methods_normalised_and_checked() {
    assert_eq!(sign::normalise_method("post").unwrap(), "POST");
    assert!(sign::normalise_method("TRACE").is_err());
}

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

/// The DER of a PEM, decoded here independently of the crate (base64 of the body lines).
fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    Base64::decode_vec(body.trim()).unwrap()
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

/// Guards the DER reading of `keys::asn1`, with files made by openssl (README beside them):
/// keys that are not two-prime rsaEncryption keys are refused at load, a certificate's
/// GeneralizedTime is read to the second, and no cut or flipped byte of any accepted file
/// panics.
#[test]
fn key_structures_other_than_rsa_are_refused_and_damage_never_panics() {
    for (file, hint) in [
        ("ec_private.pem", "does not parse as an RSA private key"),
        (
            "rsa_pss_private.pem",
            "does not parse as an RSA private key",
        ),
        ("rsa_3prime.pem", "does not parse as an RSA private key"),
    ] {
        let err = MerchantKey::from_pem(&common::fixture(file)).unwrap_err();
        assert_eq!(err.code(), "BAD_PRIVATE_KEY", "{file}");
        assert!(err.to_string().contains(hint), "{file}: {err}");
    }
    let err =
        VerifyKey::from_pem("PUB_KEY_ID_1", &common::fixture("ec_public.pem"), 0).unwrap_err();
    assert_eq!(err.code(), "BAD_CERT");
    assert!(err.to_string().contains("RSA SPKI"), "{err}");

    // notBefore is a UTCTime (2026-11-27 06:00:20), notAfter a GeneralizedTime (2052-11-30
    // 06:00:20): the unix seconds are `date -d` of what `openssl x509 -dates` prints.
    let cert = common::fixture("cert_2052.pem");
    assert!(VerifyKey::from_pem("0A0B0C", &cert, 2_616_559_220).is_ok());
    let err = VerifyKey::from_pem("0A0B0C", &cert, 2_616_559_221).unwrap_err();
    assert_eq!(err.code(), "CERT_EXPIRED");
    assert!(
        err.to_string()
            .contains("2052-11-30T06:00:20Z (unix 2616559220)"),
        "{err}"
    );
    let err = VerifyKey::from_pem("0A0B0C", &cert, 1_795_759_219).unwrap_err();
    assert!(
        err.to_string()
            .contains("not valid before 2026-11-27T06:00:20Z"),
        "{err}"
    );
    assert!(VerifyKey::from_pem("0A0B0C", &cert, 1_795_759_220).is_ok());

    // Every prefix, and every byte flipped, of each accepted structure: an error or a key,
    // never a panic; a prefix is never accepted, nor is anything after the structure.
    let pem_of = |label: &str, der: &[u8]| {
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
            Base64::encode_string(der)
        )
    };
    let v = common::vector();
    let cases = [
        (
            "PRIVATE KEY",
            pem_der(v["private_key_pkcs8_pem"].as_str().unwrap()),
        ),
        (
            "RSA PRIVATE KEY",
            pem_der(&common::fixture("merchant_pkcs1.pem")),
        ),
        (
            "PUBLIC KEY",
            pem_der(v["public_key_spki_pem"].as_str().unwrap()),
        ),
        (
            "RSA PUBLIC KEY",
            pem_der(&common::fixture("public_pkcs1.pem")),
        ),
        (
            "CERTIFICATE",
            pem_der(&common::fixture("platform_cert.pem")),
        ),
    ];
    let load = |label: &str, der: &[u8]| {
        let pem = pem_of(label, der);
        if label.ends_with("PRIVATE KEY") {
            MerchantKey::from_pem(&pem).is_ok()
        } else {
            VerifyKey::from_pem("5157F09EFDC096DE15EBE81A47057A72", &pem, 1_900_000_000).is_ok()
        }
    };
    let cert = &cases[4].1;
    let err =
        VerifyKey::from_pem("0A", &pem_of("CERTIFICATE", &cert[..cert.len() - 9]), 0).unwrap_err();
    assert!(
        err.to_string()
            .contains("the X.509 certificate does not parse (the data ends too early)"),
        "{err}"
    );
    for (label, der) in &cases {
        assert!(load(label, der), "{label} loads whole");
        for cut in 1..der.len() {
            assert!(
                !load(label, &der[..cut]),
                "{label} cut at {cut} was accepted"
            );
        }
        let mut longer = der.clone();
        longer.push(0);
        assert!(
            !load(label, &longer),
            "{label} with a byte after it was accepted"
        );
        for at in 0..der.len() {
            let mut flipped = der.clone();
            flipped[at] ^= 0x81;
            load(label, &flipped);
        }
    }
}

/// A DER element: `tag`, then the length (short or long form), then `content`.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    match content.len() {
        n if n < 0x80 => out.push(n as u8),
        n if n < 0x100 => out.extend([0x81, n as u8]),
        n => out.extend([0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(content);
    out
}

/// Guards: the optional fields after a PKCS#8 key (RFC 5958: `[0]` attributes, `[1]` public
/// key) are accepted in order, once each, and nothing else is.
#[test]
fn pkcs8_optional_fields_in_order_only() {
    let der = pem_der(common::vector()["private_key_pkcs8_pem"].as_str().unwrap());
    let content = &der[4..]; // 30 82 len len: the key is over 255 bytes
    assert_eq!(tlv(0x30, content), der);
    let load = |extra: &[u8]| {
        let der = tlv(0x30, &[content, extra].concat());
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            Base64::encode_string(&der)
        );
        MerchantKey::from_pem(&pem).is_ok()
    };
    let attributes = tlv(0xA0, &[]);
    let public_key = tlv(0x81, &[0]);
    assert!(load(&attributes));
    assert!(load(&public_key));
    assert!(load(&[attributes.clone(), public_key.clone()].concat()));
    assert!(
        !load(&[public_key, attributes.clone()].concat()),
        "out of order"
    );
    assert!(!load(&[attributes.clone(), attributes].concat()), "twice");
    assert!(!load(&tlv(0x82, &[])), "[2]");
    assert!(!load(&tlv(0x04, &[])), "not context-specific");
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

/// Guards: rsa 0.10 blinds the private-key operation only with its `getrandom` feature (with
/// `default-features = false` and without it, it signs through a dummy RNG, unblinded). The
/// output is the same either way, so no signature test can see it: the manifest is checked.
#[test]
fn rsa_crate_signs_blinded() {
    let toml = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).unwrap();
    let rsa = toml.lines().find(|l| l.starts_with("rsa = ")).unwrap();
    assert!(rsa.contains("\"getrandom\""), "{rsa}");
}

#[test]
fn checked_request_message_normalises_and_checks_what_callers_pass() {
    use wechatpay_wasm::sign::checked_request_message;
    assert_eq!(
        checked_request_message(
            "post",
            "https://api.mch.weixin.qq.com/v3/a?b=1",
            1,
            "N",
            "{}"
        )
        .unwrap(),
        "POST\n/v3/a?b=1\n1\nN\n{}\n"
    );
    assert_eq!(
        checked_request_message("GET", "/v3/a", 1, "N", "").unwrap(),
        "GET\n/v3/a\n1\nN\n\n"
    );
    for (method, url, nonce, what) in [
        ("FETCH", "/v3/a", "N", "method"),
        ("GET", "v3/a", "N", "url"),
        ("GET", "/v3/a", "bad nonce", "nonce"),
    ] {
        let e = checked_request_message(method, url, 1, nonce, "").unwrap_err();
        assert_eq!(e.code(), "BAD_ARGUMENT", "{what}");
    }
}
