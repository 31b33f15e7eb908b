#![cfg(not(target_arch = "wasm32"))]
//! The message that is signed: its format, the path and query as sent, the methods, and
//! the checked request message.

use wechatpay_wasm::sign;

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
fn methods_normalised_and_checked() {
    assert_eq!(sign::normalise_method("post").unwrap(), "POST");
    assert!(sign::normalise_method("TRACE").is_err());
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
