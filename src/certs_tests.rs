//! The decisions of [`super`], with injected time.

use super::*;

const PEM: &str = include_str!("../tests/fixtures/platform_cert.pem");
const SERIAL: &str = "5157F09EFDC096DE15EBE81A47057A72";
/// 2027-01-01T00:00:00Z: inside the fixture's validity (2026-11-26 .. 2036-11-23).
const NOW: i64 = 1_798_761_600;
/// The fixture's notAfter, 2036-11-23T23:06:41Z.
fn not_after() -> i64 {
    VerifyKey::parse_pem(SERIAL, PEM)
        .unwrap()
        .validity_secs()
        .unwrap()
        .1
}

fn held() -> KeyStore {
    let mut keys = KeyStore::new();
    keys.insert(VerifyKey::parse_pem(SERIAL, PEM).unwrap());
    keys
}

fn entry(serial: &str) -> String {
    format!(
        r#"{{"serial_no":"{serial}","effective_time":"2026-11-27T07:06:41+08:00","expire_time":"2036-11-24T07:06:41+08:00","encrypt_certificate":{{"algorithm":"AEAD_AES_256_GCM","nonce":"0123456789ab","associated_data":"certificate","ciphertext":"AAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}}}"#
    )
}

fn answer(serials: &[&str]) -> Vec<u8> {
    let data: Vec<String> = serials.iter().map(|s| entry(s)).collect();
    format!(r#"{{"data":[{}]}}"#, data.join(",")).into_bytes()
}

#[test]
fn an_unknown_serial_downloads_once_and_a_failure_waits_a_minute() {
    let mut r = Rotation::new(true, NOW);
    let keys = held();
    assert_eq!(r.step(Some(SERIAL), &keys, NOW), Ok(Step::Ready));
    assert_eq!(
        r.step(Some("00AA"), &keys, NOW),
        Ok(Step::Download { needed: true })
    );
    r.started();
    // Concurrent callers wait for the one in flight.
    assert_eq!(r.step(Some("00AA"), &keys, NOW), Ok(Step::Wait));
    assert_eq!(r.forced(NOW), Ok(Step::Wait));
    r.finished(false, NOW + 1);
    let e = r.step(Some("00AA"), &keys, NOW + 60).unwrap_err();
    assert_eq!(e.code(), code::UNKNOWN_SERIAL);
    assert!(e.to_string().contains("tried in 1 s"), "{e}");
    assert_eq!(r.forced(NOW + 30).unwrap_err().code(), code::BAD_CERT_LIST);
    assert_eq!(
        r.step(Some("00AA"), &keys, NOW + 61),
        Ok(Step::Download { needed: true })
    );
    r.started();
    r.finished(true, NOW + 62);
    assert_eq!(r.forced(NOW + 63), Ok(Step::Download { needed: true }));
}

#[test]
fn a_public_key_id_never_downloads() {
    let r = Rotation::new(true, NOW);
    let e = r
        .step(
            Some("PUB_KEY_ID_0114232134912410000000000000"),
            &KeyStore::new(),
            NOW,
        )
        .unwrap_err();
    assert_eq!(e.code(), code::PUBLIC_KEY_MERCHANT);
    assert!(e.to_string().contains("pass the public key"), "{e}");
    assert!(e.to_string().contains("PUB_KEY_ID_0114"), "{e}");
    // A client with a public key of its own: an unknown one is reported as unknown, and a
    // download that finds no certificate too.
    let mut own = KeyStore::new();
    let pem = include_str!("../tests/fixtures/public_pkcs1.pem");
    own.insert(VerifyKey::parse_pem("PUB_KEY_ID_1", pem).unwrap());
    assert_eq!(r.step(Some("PUB_KEY_ID_2"), &own, NOW), Ok(Step::Ready));
    assert_eq!(
        r.step(Some("00AA"), &own, NOW),
        Ok(Step::Download { needed: true })
    );
    assert!(!download_fails_call(code::PUBLIC_KEY_MERCHANT, &own));
    assert!(download_fails_call(code::BAD_CERT_LIST, &own));
    assert!(download_fails_call(
        code::PUBLIC_KEY_MERCHANT,
        &KeyStore::new()
    ));
}

#[test]
fn without_the_apiv3_key_nothing_is_downloaded() {
    let r = Rotation::new(false, NOW);
    assert_eq!(r.step(Some("00AA"), &held(), NOW), Ok(Step::Ready));
    assert_eq!(r.forced(NOW).unwrap_err().code(), code::BAD_APIV3_KEY);
}

#[test]
fn held_certificates_are_refreshed_every_6_hours_and_hourly_near_expiry() {
    let keys = held();
    let r = Rotation::new(true, NOW);
    assert_eq!(
        r.step(Some(SERIAL), &keys, NOW + REFRESH_SECS - 1),
        Ok(Step::Ready)
    );
    assert_eq!(
        r.step(Some(SERIAL), &keys, NOW + REFRESH_SECS),
        Ok(Step::Download { needed: false })
    );
    // Ten days before the newest certificate expires: hourly.
    let near = not_after() - EXPIRY_MARGIN_SECS;
    let r = Rotation::new(true, near);
    assert_eq!(r.step(Some(SERIAL), &keys, near + 3599), Ok(Step::Ready));
    assert_eq!(
        r.step(Some(SERIAL), &keys, near + 3600),
        Ok(Step::Download { needed: false })
    );
    // A merchant holding only public keys has nothing to refresh.
    assert_eq!(
        r.step(None, &KeyStore::new(), near + REFRESH_SECS),
        Ok(Step::Ready)
    );
}

#[test]
fn a_404_or_an_empty_list_is_a_public_key_merchant() {
    for (status, body) in [(404, &b"{}"[..]), (200, br#"{"data":[]}"#)] {
        let e = parse_answer(status, body).unwrap_err();
        assert_eq!(e.code(), code::PUBLIC_KEY_MERCHANT);
    }
    for body in [
        &b"nope"[..],
        br#"{"data":{}}"#,
        br#"{"data":[{"serial_no":1}]}"#,
    ] {
        assert_eq!(
            parse_answer(200, body).unwrap_err().code(),
            code::BAD_CERT_LIST
        );
    }
    let listed = parse_answer(200, &answer(&[SERIAL, "0A0B0C"])).unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[1].serial_no, "0A0B0C");
    assert_eq!(listed[0].sealed.aad, b"certificate");
}

#[test]
fn each_certificate_must_decrypt_and_carry_its_serial() {
    let listed = parse_answer(200, &answer(&[SERIAL])).unwrap();
    let ok = accept(&listed, &[Some(PEM.as_bytes().to_vec())], NOW).unwrap();
    assert_eq!(ok.ids(), vec![SERIAL]);
    let e = accept(&listed, &[None], NOW).unwrap_err();
    assert_eq!(e.code(), code::BAD_CERT_LIST);
    assert!(e.to_string().contains("does not decrypt"), "{e}");
    let other = parse_answer(200, &answer(&["0A0B0C"])).unwrap();
    let e = accept(&other, &[Some(PEM.as_bytes().to_vec())], NOW).unwrap_err();
    assert_eq!(e.code(), code::BAD_CERT_LIST);
    assert!(e.to_string().contains("not the serial_no"), "{e}");
    let e = accept(&listed, &[Some(PEM.as_bytes().to_vec())], not_after() + 1).unwrap_err();
    assert!(e.to_string().contains("expired"), "{e}");
}

#[test]
fn the_answer_must_be_signed_by_a_listed_certificate() {
    let e = answer_refused(Error::signature(code::UNKNOWN_SERIAL, "x"));
    assert_eq!(e.code(), code::BAD_CERT_LIST);
    assert!(e
        .to_string()
        .contains("not signed by one of the certificates it lists"));
    let e = answer_refused(crate::verify::mismatch(SERIAL));
    assert_eq!(e.code(), code::BAD_CERT_LIST);
    assert!(e.to_string().contains("signature mismatch"), "{e}");
}

#[test]
fn install_drops_expired_certificates_and_keeps_public_keys() {
    let mut keys = KeyStore::new();
    install(&mut keys, held(), NOW);
    assert_eq!(keys.ids(), vec![SERIAL]);
    install(&mut keys, KeyStore::new(), not_after() + 1);
    assert!(keys.is_empty());
    assert_eq!(
        super::held(&held()),
        vec![(SERIAL, 1_795_734_401, not_after())]
    );
}

#[test]
fn the_cache_holds_the_encrypted_list_and_is_checked_when_read() {
    let value = cache_value(&answer(&[SERIAL]), NOW).unwrap();
    assert!(
        value.contains("ciphertext") && !value.contains("BEGIN"),
        "{value}"
    );
    let (at, listed) = from_cache(&value, NOW + 10).unwrap();
    assert_eq!((at, listed[0].serial_no.as_str()), (NOW, SERIAL));
    // Stale, from the future, not ours, not JSON, too long: refused (and downloaded again).
    assert!(from_cache(&value, NOW + REFRESH_SECS).is_err());
    assert!(from_cache(&value, NOW - 3600).is_err());
    assert!(from_cache(&value.replace(r#""v":1"#, r#""v":2"#), NOW).is_err());
    assert!(from_cache("{", NOW).is_err());
    assert!(from_cache(&" ".repeat(70_000), NOW).is_err());
    assert_eq!(
        cache_key("1900000109"),
        "wechatpay-wasm/certificates/1900000109"
    );
}

#[test]
fn with_the_apiv3_key_certs_may_be_empty() {
    assert_eq!(
        starting_keys(&[], NOW, false).unwrap_err().code(),
        code::BAD_CERT
    );
    assert!(starting_keys(&[], NOW, true).unwrap().is_empty());
    let old = [(SERIAL.to_owned(), Some(PEM.to_owned()))];
    let late = not_after() + 1;
    assert_eq!(
        starting_keys(&old, late, true).unwrap_err().code(),
        code::CERT_EXPIRED
    );
    let bad = [(SERIAL.to_owned(), Some("nope".to_owned()))];
    assert_eq!(
        starting_keys(&bad, NOW, true).unwrap_err().code(),
        code::BAD_CERT
    );
}

#[test]
fn a_cache_entry_serves_when_it_holds_the_key_or_is_newer() {
    let r = Rotation::new(true, NOW);
    assert!(r.takes_cached(NOW - 10, &held(), Some(SERIAL)));
    assert!(!r.takes_cached(NOW + 10, &held(), Some("00AA")));
    assert!(!r.takes_cached(NOW - 10, &held(), None));
    assert!(r.takes_cached(NOW + 10, &held(), None));
}
