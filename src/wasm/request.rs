//! Any APIv3 request, behind the seed's three call styles (`client.v3.papay...post()`,
//! `client.chain('v3/...')`, `client['v3/...']`, built in `js/index.js` on top of
//! `client.request`). The answer is a standard `Response` whose signature was verified.

use js_sys::{Object, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use web_sys::{Headers, ResponseInit};

use super::client::Client;
use super::errors::{message_of, JsErr};
use super::options::{arg_string, entries_of, get, is_array, js_type, pair};
use super::{body_text, js_result, promise_of_future};
use crate::api;
use crate::error::{code, quoted_brief};
use crate::sign;
use crate::validate;

fn bad(message: impl Into<String>) -> JsErr {
    JsErr::config(code::BAD_ARGUMENT, message)
}

/// A string as is; a number as JavaScript writes it (`String(n)`: `1e+21`, not Rust's
/// `1000000000000000000000`; and without Rust's float formatting, 14 KB of wasm); a
/// boolean when `bools`.
fn scalar_text(value: &JsValue, bools: bool) -> Option<String> {
    if let Some(s) = value.as_string() {
        return Some(s);
    }
    if value.as_f64().is_some() {
        return value
            .unchecked_ref::<js_sys::Number>()
            .to_string_with_radix(10)
            .ok()
            .map(String::from);
    }
    value
        .as_bool()
        .filter(|_| bools)
        .map(|b| if b { "true" } else { "false" }.to_owned())
}

/// Fills `{name}` and `$name$` segments from `params`.
fn fill_params(path: &str, params: &JsValue) -> Result<String, JsErr> {
    let mut out = String::new();
    for (i, segment) in crate::text::split(path, b'/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        let name = segment
            .strip_prefix('{')
            .and_then(|s| s.strip_suffix('}'))
            .or_else(|| segment.strip_prefix('$').and_then(|s| s.strip_suffix('$')))
            .filter(|n| !n.is_empty());
        match name {
            None => out.push_str(segment),
            Some(name) => {
                let value = get(params, name).ok_or_else(|| {
                    bad(format!("params.{name}: the path has a '{segment}' segment; give its value in options.params"))
                })?;
                let text = scalar_text(&value, false).ok_or_else(|| {
                    bad(format!(
                        "params.{name}: must be a string or number, not {}",
                        js_type(&value)
                    ))
                })?;
                out.push_str(&String::from(js_sys::encode_uri_component(&text)));
            }
        }
    }
    Ok(out)
}

/// `?k=v&...` from a plain object, each part percent-encoded.
fn query_string(query: &JsValue) -> Result<String, JsErr> {
    let Some(obj) = query.dyn_ref::<Object>() else {
        return Err(bad(format!(
            "query: must be an object, not {}",
            js_type(query)
        )));
    };
    // "?k=v&k=v", or "" when there is nothing to send.
    let mut out = String::new();
    for entry in entries_of(obj, "query", code::BAD_ARGUMENT)?.iter() {
        let (key, value) = pair(entry);
        if value.is_undefined() {
            continue;
        }
        let text = scalar_text(&value, true)
            .ok_or_else(|| bad(format!("query.{key}: must be a string, number or boolean")))?;
        out.push(if out.is_empty() { '?' } else { '&' });
        out.push_str(&String::from(js_sys::encode_uri_component(&key)));
        out.push('=');
        out.push_str(&String::from(js_sys::encode_uri_component(&text)));
    }
    Ok(out)
}

/// The options of `request()`.
const OPTIONS: &[&str] = &["json", "query", "headers", "params"];

/// `options` is an object of known options only: a misspelt or foreign one (`body`, `data`,
/// `qs`) would otherwise be dropped, and a POST signed and sent without its body.
fn check_options(options: &JsValue) -> Result<(), JsErr> {
    if !options.is_object() || is_array(options) {
        return Err(bad(format!(
            "options: must be an object {{ json, query, headers, params }}, not {}",
            js_type(options)
        )));
    }
    for entry in entries_of(options, "options", code::BAD_ARGUMENT)?.iter() {
        let (key, value) = pair(entry);
        if value.is_undefined() || OPTIONS.contains(&key.as_str()) {
            continue;
        }
        let hint = match (key.as_str(), validate::suggest(&key, OPTIONS)) {
            ("body" | "data", _) => "; a JSON body goes in json".to_owned(),
            (_, Some(meant)) => format!("; did you mean {meant}?"),
            _ => String::new(),
        };
        return Err(bad(format!(
            "options: {} is not an option of request(); the options are json, query, headers and params{hint}",
            quoted_brief(&key)
        )));
    }
    Ok(())
}

#[wasm_bindgen]
impl Client {
    /// Any APIv3 request: `request('POST', '/v3/...', { json, query, headers, params })`.
    /// Resolves with a standard `Response` (body still readable) once its signature verified;
    /// rejects with an `api` error on non-2xx. A pre-entrust-sign body is validated first.
    #[wasm_bindgen(unchecked_return_type = "Promise<Response>")]
    pub fn request(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] method: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RequestOptions | void")] options: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        promise_of_future(async move {
            js_result(
                async {
                    let method = arg_string(&method, "method")?;
                    let path = arg_string(&path, "path")?;
                    let method = sign::normalise_method(&method).map_err(JsErr::from)?;
                    let opts = if options.is_undefined() || options.is_null() {
                        JsValue::from(Object::new())
                    } else {
                        options
                    };
                    check_options(&opts)?;
                    let params = get(&opts, "params").unwrap_or_else(|| Object::new().into());
                    let trimmed = path.trim();
                    let with_slash = if trimmed.starts_with('/') {
                        trimmed.to_owned()
                    } else {
                        format!("/{trimmed}")
                    };
                    let mut url = fill_params(&with_slash, &params)?;
                    if let Some(q) = get(&opts, "query") {
                        url.push_str(&query_string(&q)?);
                    }
                    let url = inner.sent_url(&url)?;
                    let body = match get(&opts, "json") {
                        None => None,
                        Some(json) => Some(body_text(&json)?),
                    };
                    // On the URL as it will be sent: `/v3/x/../papay/...` and a fragment
                    // reach the same endpoint, and are validated as the typed call would:
                    // its body, or its path parameters.
                    if let Some(op) = inner.operation_at(&method, &url) {
                        match op.request {
                            Some(fields) => {
                                let text = body.as_deref().unwrap_or("");
                                validate::checked(fields, text).map_err(JsErr::from)?;
                            }
                            None => op.check_path(&url.pathname())?,
                        }
                    }
                    let extra = Headers::new().map_err(|_| bad("Headers is not available"))?;
                    if let Some(h) = get(&opts, "headers") {
                        let obj = h
                            .dyn_ref::<Object>()
                            .ok_or_else(|| bad("headers: must be an object"))?;
                        for entry in entries_of(obj, "headers", code::BAD_ARGUMENT)?.iter() {
                            let (k, v) = pair(entry);
                            let v = v
                                .as_string()
                                .ok_or_else(|| bad(format!("headers.{k}: must be a string")))?;
                            api::check_extra_header(&k)?;
                            extra
                                .set(&k, &v)
                                .map_err(|_| bad(format!("headers.{k}: not a valid header")))?;
                        }
                    }
                    let answer = inner
                        .call(&method, &url, body.as_deref(), Some(&extra))
                        .await?;
                    let init = ResponseInit::new();
                    init.set_status(answer.status);
                    init.set_headers(&answer.headers);
                    let bytes = Uint8Array::from(answer.body.as_slice());
                    let no_body = matches!(answer.status, 204 | 205 | 304);
                    let resp = if no_body {
                        web_sys::Response::new_with_opt_str_and_init(None, &init)
                    } else {
                        web_sys::Response::new_with_opt_buffer_source_and_init(Some(&bytes), &init)
                    }
                    .map_err(|e| {
                        JsErr::network(format!(
                            "cannot build the Response: {}",
                            message_of(&e).unwrap_or_default()
                        ))
                    })?;
                    Ok(resp.into())
                }
                .await,
            )
        })
    }
}
