#![cfg(not(target_arch = "wasm32"))]
//! The client options' rules (`wechatpay_wasm::config`): each names its option and its code,
//! never echoes a value that may be a secret, and refuses near-misses of option names.
//! (Moved out of `src/config.rs`, which they use only through its public items.)

use wechatpay_wasm::config::*;
use wechatpay_wasm::consts::{DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS};
use wechatpay_wasm::error::code;
use wechatpay_wasm::Result;

fn code_of<T>(r: Result<T>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

#[test]
fn each_option_rule_names_its_option_and_code() {
    assert_eq!(
        mchid(Some("1900000001")).ok().as_deref(),
        Some("1900000001")
    );
    for bad in ["", "19000a", &"1".repeat(33)] {
        let e = mchid(Some(bad)).unwrap_err();
        assert_eq!(e.code(), code::BAD_MCHID);
        assert!(e.to_string().starts_with("mchid: must be"), "{e}");
    }
    assert!(mchid(None).unwrap_err().to_string().contains("is required"));
    // A secret pasted into mchid is not repeated.
    let secret = "0123456789abcdefghijklmnopqrstuv";
    assert!(!mchid(Some(secret))
        .unwrap_err()
        .to_string()
        .contains(secret));

    assert_eq!(
        serial(Some(" f5765756002fdd77 ")).ok().as_deref(),
        Some("F5765756002FDD77")
    );
    assert_eq!(code_of(serial(Some("xyz"))), code::BAD_SERIAL);
    assert_eq!(code_of(serial(Some(&"A".repeat(65)))), code::BAD_SERIAL);
    assert_eq!(code_of(private_key(None)), code::BAD_PRIVATE_KEY);
    assert_eq!(code_of(apiv3_key(Some("short"))), code::BAD_APIV3_KEY);
    assert!(matches!(apiv3_key(None), Ok(None)));

    assert_eq!(base_url(None).ok().as_deref(), Some(DEFAULT_BASE_URL));
    assert_eq!(
        base_url(Some("http://127.0.0.1:8080//")).ok().as_deref(),
        Some("http://127.0.0.1:8080")
    );
    for bad in [
        "ftp://x",
        "https://",
        "https:///p",
        "https://h/?q",
        "https://h/#f",
        "not a url",
    ] {
        assert_eq!(code_of(base_url(Some(bad))), code::BAD_BASE_URL, "{bad}");
    }
    // Something that does not look like a URL is described, not quoted.
    let e = base_url(Some("secretvalue")).unwrap_err().to_string();
    assert!(!e.contains("secretvalue"), "{e}");

    assert_eq!(timeout_ms(None).ok(), Some(DEFAULT_TIMEOUT_MS));
    assert_eq!(timeout_ms(Some(1.0)).ok(), Some(1));
    for bad in [0.0, -5.0, f64::NAN, f64::INFINITY, 3e9] {
        assert_eq!(code_of(timeout_ms(Some(bad))), code::BAD_TIMEOUT, "{bad}");
    }
    assert!(matches!(user_agent(Some("shop/1.0")), Ok(Some(_))));
    for bad in ["", "  ", "a\nb"] {
        assert_eq!(code_of(user_agent(Some(bad))), code::BAD_OPTION);
    }
    assert!(default_user_agent("Node.js/22").starts_with("wechatpay-wasm/"));
    assert_eq!(crypto_mode(None).ok(), Some(CryptoMode::Auto));
    assert_eq!(crypto_mode(Some("rust")).ok(), Some(CryptoMode::Rust));
    assert_eq!(code_of(crypto_mode(Some("openssl"))), code::BAD_OPTION);
}

#[test]
fn production_options_follow_their_rules() {
    // Exactly one of privateKey and signer.
    assert!(matches!(key_or_signer(None, Some("function")), Ok(None)));
    let both = key_or_signer(Some("pem"), Some("function")).unwrap_err();
    assert_eq!(both.code(), code::BAD_OPTION);
    assert!(
        both.to_string().starts_with("privateKey, signer: give one"),
        "{both}"
    );
    let neither = key_or_signer(None, None).unwrap_err();
    assert_eq!(neither.code(), code::BAD_PRIVATE_KEY);
    assert!(
        neither.to_string().contains("or a signer function"),
        "{neither}"
    );
    let e = key_or_signer(None, Some("string")).unwrap_err();
    assert_eq!(e.code(), code::BAD_OPTION);
    assert!(
        e.to_string().starts_with("signer: must be a function"),
        "{e}"
    );
    assert!(e.to_string().ends_with("not string"), "{e}");
    assert_eq!(
        code_of(key_or_signer(Some("not a pem"), None)),
        code::BAD_PRIVATE_KEY
    );

    assert_eq!(transport(None).ok(), Some(false));
    assert_eq!(transport(Some("function")).ok(), Some(true));
    let e = transport(Some("object")).unwrap_err();
    assert_eq!(e.code(), code::BAD_OPTION);
    assert!(
        e.to_string().starts_with("fetch: must be a function"),
        "{e}"
    );

    assert_eq!(failover(None).ok(), Some(false));
    assert_eq!(failover(Some(Some(true))).ok(), Some(true));
    assert_eq!(code_of(failover(Some(None))), code::BAD_OPTION);

    assert_eq!(
        backup_base_url(None).ok().as_deref(),
        Some("https://api2.mch.weixin.qq.com")
    );
    assert_eq!(
        backup_base_url(Some("http://127.0.0.1:9/")).ok().as_deref(),
        Some("http://127.0.0.1:9")
    );
    let e = backup_base_url(Some("ftp://x")).unwrap_err();
    assert_eq!(e.code(), code::BAD_BASE_URL);
    assert!(e.to_string().starts_with("backupBaseURL: must be"), "{e}");
    assert!(!backup_base_url(Some("secretvalue"))
        .unwrap_err()
        .to_string()
        .contains("secretvalue"));
}

#[test]
fn near_misses_of_option_names_are_refused_and_others_pass() {
    assert!(unknown_option("privateKey").is_ok());
    assert!(unknown_option("notify_url").is_ok());
    let e = unknown_option("privatekey").unwrap_err();
    assert_eq!(
        e.to_string(),
        "privatekey: unknown option; did you mean privateKey?"
    );
    assert_eq!(code_of(unknown_option("timeoutMs")), code::BAD_OPTION);
}

#[test]
fn certs_need_one_usable_key() {
    assert_eq!(code_of(verify_keys(&[], 0)), code::BAD_CERT);
    let not_string = [("PUB_KEY_ID_1".to_owned(), None)];
    let e = verify_keys(&not_string, 0).unwrap_err();
    assert_eq!(
        e.to_string(),
        "certs[\"PUB_KEY_ID_1\"]: must be a PEM string"
    );
    let garbage = [("PUB_KEY_ID_1".to_owned(), Some("not a pem".to_owned()))];
    assert_eq!(code_of(verify_keys(&garbage, 0)), code::BAD_CERT);
}
