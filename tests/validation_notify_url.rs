#![cfg(not(target_arch = "wasm32"))]
//! `contract_notify_url`: its host read as the URL standard reads it, and a long scheme
//! quoted short.

mod common;

use common::with;
use serde_json::json;
use wechatpay_wasm::validate;

/// Issue 17: `http://evil.example\@127.0.0.1/notify` passed as loopback, although the URL
/// standard (WHATWG, what `new URL` and `fetch` follow) reads `\` as `/` in http(s) URLs, so
/// its host is evil.example. Each URL here with the host Node's `new URL()` gives it (checked
/// by tests/node/notify-url.test.mjs over the same URLs) and whether plain http passes.
#[test]
fn notify_url_host_as_the_url_standard_reads_it() {
    use wechatpay_wasm::validate::check_notify_url;
    let table = [
        // (url, host per the URL standard, accepted)
        (
            "http://evil.example\\@127.0.0.1/notify",
            "evil.example",
            false,
        ),
        ("http://evil.example\\@127.0.0.1", "evil.example", false),
        ("http://127.0.0.1\\@evil.example/", "127.0.0.1", true),
        ("http://evil.example\\\\@localhost/n", "evil.example", false),
        ("http://user:pw@127.0.0.1/n", "127.0.0.1", true),
        ("http://127.0.0.1@evil.example/n", "evil.example", false),
        ("http://127.0.0.1:80@evil.example/n", "evil.example", false),
        ("http://a@b@127.0.0.1/n", "127.0.0.1", true),
        (
            "http://localhost@evil.example:8080/n",
            "evil.example",
            false,
        ),
        ("http://evil.example@[::1]:8080/n", "[::1]", true),
        ("http://[::1]@evil.example/n", "evil.example", false),
        ("http://LOCALHOST:3000\\n", "localhost", true),
        ("http://127.0.0.1:8080/a\\@evil.example", "127.0.0.1", true),
        ("http://\\evil.example/n", "evil.example", false),
        ("http:///127.0.0.1/n", "127.0.0.1", false),
        ("http://127.1/n", "127.0.0.1", false),
        ("http://127.0.0.010/n", "127.0.0.8", false),
        ("http://0127.0.0.1/n", "87.0.0.1", false),
        ("http://127.0.0.%31/n", "127.0.0.1", false),
        ("http://2130706433/n", "127.0.0.1", false),
        // A sign in a part: the URL standard reads 127.0.0.+1 as a domain name (and refuses
        // 127.+0.0.1); `parse::<u8>` took "+1".
        ("http://127.0.0.+1/n", "127.0.0.+1", false),
        ("http://127.+0.0.1/n", "(not a URL)", false),
        ("http://127.0.-0.1/n", "(not a URL)", false),
        ("https://evil.example\\@127.0.0.1/n", "evil.example", true),
    ];
    for (url, host, accepted) in table {
        let got = check_notify_url(url);
        assert_eq!(got.is_ok(), accepted, "{url} (host {host}): {got:?}");
    }
}

/// Found by the fuzzer (fuzz/regressions/validate-pre-entrust-sign/oracle-2c423a9284bf83f9):
/// the scheme of a `contract_notify_url` was quoted in full in its message (4,000 bytes for a
/// 4,000-character scheme). Failed before the fix.
#[test]
fn a_long_notify_url_scheme_is_quoted_short() {
    let url = format!("{}://a.example/notify", "http:p".repeat(700));
    let issues = validate(&with("/contract_notify_url", Some(json!(url))));
    let message = &issues
        .iter()
        .find(|i| i.rule == "url")
        .expect("a url issue")
        .message;
    assert!(message.contains("must use https://"), "{message}");
    assert!(message.len() < 300, "{} bytes: {message}", message.len());
}
