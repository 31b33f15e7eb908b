#![cfg(not(target_arch = "wasm32"))]
//! The DER reading of keys (`keys::asn1`): key structures other than RSA, damaged files,
//! and the optional fields of a PKCS#8 key.

mod common;

use base64ct::{Base64, Encoding};
use common::pem_der;
use wechatpay_wasm::keys::{MerchantKey, VerifyKey};

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
