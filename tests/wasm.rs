//! The wasm layer, run by `wasm-pack test --node`: WebCrypto and `rsa`-crate signatures are
//! byte-identical, and the client's request through a stubbed `globalThis.fetch` carries
//! every header with body bytes equal to the signed bytes.
//!
//! Built with the default features, so the `rust` backend here is the `rsa` crate compiled
//! into the same module (src/wasm/extra.rs). The package's main module calls the same code in
//! the extra module instead; tests/node/extra.test.mjs covers that path.
#![cfg(all(target_arch = "wasm32", feature = "js", feature = "rust-crypto"))]

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use wechatpay_wasm::keys::{MerchantKey, VerifyKey};
use wechatpay_wasm::sign::{self, RsaSigner};
use wechatpay_wasm::Client;

const VECTOR: &str = include_str!("vectors/sha256withrsa-known-answer.json");
const KEY_ID: &str = "PUB_KEY_ID_0114232134912410000000000000";

/// `value[name]` as a string (the test fails when it is not one).
fn text(value: &JsValue, name: &str) -> String {
    Reflect::get(value, &name.into())
        .unwrap()
        .as_string()
        .unwrap_or_else(|| panic!("{name} is not a string"))
}

fn vector(field: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(VECTOR).unwrap();
    v[field].as_str().unwrap().to_owned()
}

fn options(crypto: &str, now_ms: f64) -> JsValue {
    let o = Object::new();
    let set = |k: &str, v: JsValue| {
        Reflect::set(&o, &k.into(), &v).unwrap();
    };
    set("mchid", "1900000001".into());
    set("serial", "F5765756002FDD77".into());
    set("privateKey", vector("private_key_pkcs8_pem").into());
    let certs = Object::new();
    Reflect::set(
        &certs,
        &KEY_ID.into(),
        &vector("public_key_spki_pem").into(),
    )
    .unwrap();
    set("certs", certs.into());
    set("baseURL", "https://api.example.test".into());
    set("crypto", crypto.into());
    set("timeout", 2000.into());
    let now: Function = Closure::<dyn Fn() -> f64>::new(move || now_ms)
        .into_js_value()
        .unchecked_into();
    set("now", now.into());
    o.into()
}

async fn auth(client: &Client, body: &str, nonce: &str) -> String {
    let opts = Object::new();
    Reflect::set(&opts, &"timestamp".into(), &1_624_523_846.into()).unwrap();
    Reflect::set(&opts, &"nonce".into(), &nonce.into()).unwrap();
    let p = client.authorization(
        "POST".into(),
        "/v3/papay/sign/contracts/pre-entrust-sign".into(),
        body.into(),
        opts.into(),
    );
    JsFuture::from(p).await.unwrap().as_string().unwrap()
}

#[wasm_bindgen_test]
async fn webcrypto_and_rsa_crate_signatures_are_byte_identical() {
    let web = Client::new(options("webcrypto", 0.0)).unwrap();
    let rust = Client::new(options("rust", 0.0)).unwrap();
    assert_eq!(web.crypto_backend(), "webcrypto");
    assert_eq!(rust.crypto_backend(), "rust");
    for i in 0..40 {
        let body = format!(
            "{{\"i\":{i},\"s\":\"{}\",\"中文\":\"签约\"}}",
            "x".repeat(i * 13)
        );
        let nonce = format!("N{i:031}");
        let a = auth(&web, &body, &nonce).await;
        let b = auth(&rust, &body, &nonce).await;
        assert_eq!(a, b, "message {i}");
    }
}

#[wasm_bindgen_test]
async fn known_answer_through_webcrypto() {
    // The Authorization signature equals the core's signature, which equals the vector's.
    let web = Client::new(options("webcrypto", 0.0)).unwrap();
    let h = auth(&web, "{}", "A1B2C3D4E5F6G7").await;
    let key = MerchantKey::from_pem(&vector("private_key_pkcs8_pem")).unwrap();
    let msg = sign::request_message(
        "POST",
        "/v3/papay/sign/contracts/pre-entrust-sign",
        1_624_523_846,
        "A1B2C3D4E5F6G7",
        "{}",
    );
    let want = sign::sign_base64(&RsaSigner::new(&key).unwrap(), msg.as_bytes()).unwrap();
    assert_eq!(
        h,
        sign::authorization_header(
            "1900000001",
            "A1B2C3D4E5F6G7",
            1_624_523_846,
            "F5765756002FDD77",
            &want
        )
    );
    assert_eq!(
        sign::sign_base64(&RsaSigner::new(&key).unwrap(), b"source").unwrap(),
        vector("expected_signature")
    );
}

struct Captured {
    url: String,
    headers: web_sys::Headers,
    body: String,
}

/// Replaces `globalThis.fetch` with a stub that records the request and answers with a
/// body signed by the WeChat Pay key (here the vector key), at `ts`.
fn stub_fetch(answer: &'static str, ts: i64, calls: Rc<RefCell<Vec<Captured>>>) {
    let key = MerchantKey::from_pem(&vector("private_key_pkcs8_pem")).unwrap();
    let signer = RsaSigner::new(&key).unwrap();
    let f = Closure::<dyn FnMut(JsValue, JsValue) -> Promise>::new(
        move |url: JsValue, init: JsValue| {
            let headers: web_sys::Headers = Reflect::get(&init, &"headers".into())
                .unwrap()
                .unchecked_into();
            let body = Reflect::get(&init, &"body".into())
                .unwrap()
                .as_string()
                .unwrap_or_default();
            calls.borrow_mut().push(Captured {
                url: url.as_string().unwrap(),
                headers,
                body,
            });
            let nonce = "RESPONSENONCE0123456789abcdefghi";
            let msg = format!("{ts}\n{nonce}\n{answer}\n");
            let sig = sign::sign_base64(&signer, msg.as_bytes()).unwrap();
            let h = web_sys::Headers::new().unwrap();
            h.set("Wechatpay-Timestamp", &ts.to_string()).unwrap();
            h.set("Wechatpay-Nonce", nonce).unwrap();
            h.set("Wechatpay-Signature", &sig).unwrap();
            h.set("Wechatpay-Serial", KEY_ID).unwrap();
            h.set("Request-ID", "stub-request-1").unwrap();
            let init = web_sys::ResponseInit::new();
            init.set_status(200);
            init.set_headers(&h);
            let resp = web_sys::Response::new_with_opt_str_and_init(Some(answer), &init).unwrap();
            Promise::resolve(&JsValue::from(resp))
        },
    );
    Reflect::set(&js_sys::global(), &"fetch".into(), f.as_ref()).unwrap();
    f.forget();
}

fn seed_body() -> JsValue {
    js_sys::JSON::parse(r#"{"sign_scene":"SIGN_SCENE_QRCODE","appid":"wxd678efh567hg6787","plan_id":12535,"out_contract_code":"wxwtdk20200910100000","contract_display_account":"微信代扣用户A","contract_notify_url":"https://yourapp.com/notify","out_user_code":"用户A","device_info":{"device_type":"DEVICE_TYPE_UNKNOW","device_os":"os","device_id":"id","device_running_as_root":false,"device_ip":"1.2.3.4","weixin_installed":true,"weixin_version":"8","days_since_first_login":"DAYS_SINCE_FIRST_LOGIN_UNKNOW"}}"#).unwrap()
}

#[wasm_bindgen_test]
async fn client_sends_signed_bytes_and_all_headers_through_global_fetch() {
    let now_s = 1_800_000_000i64;
    let calls = Rc::new(RefCell::new(Vec::new()));
    stub_fetch(
        r#"{"pre_entrustweb_id":"5778aadY9nltAsZzXixCkFIGYnV2V","redirect_url":"https://x.test/s"}"#,
        now_s,
        calls.clone(),
    );
    for crypto in ["webcrypto", "rust"] {
        calls.borrow_mut().clear();
        let client = Client::new(options(crypto, now_s as f64 * 1000.0)).unwrap();
        let res = JsFuture::from(client.pre_entrust_sign(seed_body()))
            .await
            .unwrap();
        assert_eq!(
            text(&res, "pre_entrustweb_id"),
            "5778aadY9nltAsZzXixCkFIGYnV2V"
        );
        let calls = calls.borrow();
        assert_eq!(calls.len(), 1);
        let c = &calls[0];
        assert_eq!(
            c.url,
            "https://api.example.test/v3/papay/sign/contracts/pre-entrust-sign"
        );
        let get = |n: &str| c.headers.get(n).unwrap();
        assert_eq!(get("Accept").as_deref(), Some("application/json"));
        assert_eq!(get("Content-Type").as_deref(), Some("application/json"));
        assert_eq!(get("Wechatpay-Serial").as_deref(), Some(KEY_ID));
        assert!(get("User-Agent").unwrap().starts_with("wechatpay-wasm/"));
        let auth = get("Authorization").unwrap();
        // Parse the header and check its signature over the exact body bytes sent.
        let field = |k: &str| {
            let start = auth.find(&format!("{k}=\"")).unwrap() + k.len() + 2;
            auth[start..].split('"').next().unwrap().to_owned()
        };
        assert!(auth.starts_with("WECHATPAY2-SHA256-RSA2048 mchid=\"1900000001\",nonce_str=\""));
        assert_eq!(field("timestamp"), now_s.to_string());
        assert_eq!(field("nonce_str").len(), 32);
        let msg = sign::request_message(
            "POST",
            "/v3/papay/sign/contracts/pre-entrust-sign",
            now_s,
            &field("nonce_str"),
            &c.body,
        );
        let pk = VerifyKey::from_pem(KEY_ID, &vector("public_key_spki_pem"), 0).unwrap();
        let sig =
            <base64ct::Base64 as base64ct::Encoding>::decode_vec(&field("signature")).unwrap();
        assert!(
            sign::rsa_verify(&pk, msg.as_bytes(), &sig),
            "{crypto}: body sent = body signed"
        );
    }
}

#[wasm_bindgen_test]
async fn validation_failure_sends_nothing_and_rejects_with_issues() {
    let calls = Rc::new(RefCell::new(Vec::new()));
    stub_fetch("{}", 0, calls.clone());
    let client = Client::new(options("auto", 0.0)).unwrap();
    let body = seed_body();
    Reflect::set(&body, &"out_contract_code".into(), &"bad code".into()).unwrap();
    let err = JsFuture::from(client.pre_entrust_sign(body))
        .await
        .unwrap_err();
    assert_eq!(text(&err, "kind"), "validation");
    let issues = js_sys::Array::from(&Reflect::get(&err, &"issues".into()).unwrap());
    assert_eq!(
        Reflect::get(&issues.get(0), &"field".into())
            .unwrap()
            .as_string()
            .unwrap(),
        "/out_contract_code"
    );
    assert!(calls.borrow().is_empty());
}

#[wasm_bindgen_test]
async fn stale_answer_is_rejected() {
    let calls = Rc::new(RefCell::new(Vec::new()));
    stub_fetch(r#"{"pre_entrustweb_id":"x"}"#, 1_800_000_000, calls.clone());
    let client = Client::new(options("auto", (1_800_000_000.0 + 301.0) * 1000.0)).unwrap();
    let err = JsFuture::from(client.pre_entrust_sign(seed_body()))
        .await
        .unwrap_err();
    assert_eq!(text(&err, "code"), "TIMESTAMP_SKEW");
    assert_eq!(text(&err, "requestId"), "stub-request-1");
}

#[wasm_bindgen_test]
fn bad_options_throw_config_errors() {
    let o = options("auto", 0.0);
    Reflect::set(
        &o,
        &"privateKey".into(),
        &"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----".into(),
    )
    .unwrap();
    let err = Client::new(o).err().unwrap();
    assert_eq!(text(&err, "kind"), "config");
    assert_eq!(text(&err, "code"), "BAD_PRIVATE_KEY");
    for (k, v, code) in [
        ("mchid", "19x", "BAD_MCHID"),
        ("serial", "", "BAD_SERIAL"),
        ("baseURL", "ftp://x", "BAD_BASE_URL"),
        ("apiv3Key", "short", "BAD_APIV3_KEY"),
        ("privatekey", "x", "BAD_OPTION"),
    ] {
        let o = options("auto", 0.0);
        Reflect::set(&o, &k.into(), &v.into()).unwrap();
        let err = Client::new(o).err().unwrap();
        assert_eq!(text(&err, "code"), code, "{k}");
    }
}

const ANSWERS: &str = include_str!("fixtures/signed_answers.json");

/// The wasm side of notification verification and decryption, on a notification signed and
/// encrypted by node:crypto (tests/fixtures/generate.mjs), through both RSA backends.
#[wasm_bindgen_test]
async fn notification_verified_and_decrypted_in_both_backends() {
    let f: serde_json::Value = serde_json::from_str(ANSWERS).unwrap();
    let n = &f["notification"];
    let ts: f64 = n["timestamp"].as_str().unwrap().parse().unwrap();
    for crypto in ["webcrypto", "rust"] {
        let o = options(crypto, ts * 1000.0);
        Reflect::set(
            &o,
            &"apiv3Key".into(),
            &f["apiv3_key"].as_str().unwrap().into(),
        )
        .unwrap();
        let client = Client::new(o).unwrap();
        let headers = Object::new();
        for (k, v) in [
            ("Wechatpay-Timestamp", "timestamp"),
            ("wechatpay-nonce", "nonce"),
            ("WECHATPAY-SIGNATURE", "signature"),
            ("Wechatpay-Serial", "serial"),
        ] {
            Reflect::set(&headers, &k.into(), &n[v].as_str().unwrap().into()).unwrap();
        }
        let input = Object::new();
        Reflect::set(&input, &"headers".into(), &headers).unwrap();
        Reflect::set(&input, &"body".into(), &n["body"].as_str().unwrap().into()).unwrap();
        let ev = JsFuture::from(client.parse_notification(input.clone().into()))
            .await
            .unwrap();
        let resource = Reflect::get(&ev, &"resource".into()).unwrap();
        assert_eq!(
            text(&resource, "contract_id"),
            "CT2026112600001",
            "{crypto}"
        );
        assert_eq!(
            Reflect::get(&resource, &"plan_id".into())
                .unwrap()
                .as_f64()
                .unwrap(),
            12535.0
        );
        // One byte changed in the body: rejected.
        let tampered = n["body"].as_str().unwrap().replacen("EV-", "EW-", 1);
        Reflect::set(&input, &"body".into(), &tampered.into()).unwrap();
        let err = JsFuture::from(client.parse_notification(input.into()))
            .await
            .unwrap_err();
        assert_eq!(text(&err, "code"), "BAD_SIGNATURE", "{crypto}");
    }
}
