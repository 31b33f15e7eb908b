//! WeChat Pay's answers: the 2xx rule, and the API error of any other status (as
//! wechatpay-go's `core.APIError`: status, code, message, detail, plus the request id).

use core::fmt;

use crate::json::Value;

use crate::error::{code, Error, ErrorKind};

/// Whether an answer's status is a success: 2xx. Anything else is an [`ApiError`], before
/// its signature is looked at (WeChat Pay signs error answers too, but their content is
/// reported either way and never trusted as a result).
pub fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

/// A non-2xx answer of WeChat Pay.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// WeChat Pay's `code` (`PARAM_ERROR`, `SIGN_ERROR`...), or `HTTP_<status>` when the body
    /// has none.
    pub code: String,
    /// WeChat Pay's `message`, or the start of the body (200 characters) when it has none.
    pub message: String,
    /// WeChat Pay's `detail`, whole, when the body has one.
    pub detail: Option<Value>,
    /// The `Request-ID` header, for support tickets.
    pub request_id: Option<String>,
}

impl ApiError {
    /// Reads a non-2xx answer: its `{code, message, detail}` when it is that JSON, else what
    /// can be said of it.
    pub fn from_answer(status: u16, body: &[u8], request_id: Option<String>) -> Self {
        let mut parsed: Option<Value> = serde_json::from_slice(body).ok();
        let field = |k: &str| {
            parsed
                .as_ref()
                .and_then(|v| v.get(k))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let code = field("code").unwrap_or_else(|| format!("HTTP_{status}"));
        let message = field("message").unwrap_or_else(|| {
            let text = crate::text::lossy(body);
            let short: String = text.chars().take(200).collect();
            if short.is_empty() {
                "(empty body)".into()
            } else {
                short
            }
        });
        // Taken, not cloned: a deep clone of a JSON value costs the wasm module its own code.
        let detail = parsed
            .as_mut()
            .and_then(|v| v.get_mut("detail"))
            .map(Value::take);
        Self {
            status,
            code,
            message,
            detail,
            request_id,
        }
    }

    /// Always [`ErrorKind::Api`].
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::Api
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "WeChat Pay answered HTTP {} {}: {}",
            self.status, self.code, self.message
        )
    }
}

impl std::error::Error for ApiError {}

/// A verified 2xx answer that is not the JSON its operation promises (`BAD_RESPONSE`).
pub fn bad_response(why: &str) -> Error {
    Error::Api {
        code: code::BAD_RESPONSE,
        message: format!("WeChat Pay's answer verified but is not the expected JSON ({why})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_2xx_answers() {
        assert!(is_success(200) && is_success(204) && is_success(299));
        assert!(!is_success(199) && !is_success(300) && !is_success(404));

        let body =
            br#"{"code":"PARAM_ERROR","message":"plan_id invalid","detail":{"field":"plan_id"}}"#;
        let e = ApiError::from_answer(400, body, Some("rid-1".into()));
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("PARAM_ERROR", "plan_id invalid")
        );
        assert_eq!(
            e.detail,
            Some(serde_json::json!({"field": "plan_id"}).into())
        );
        assert_eq!(e.request_id.as_deref(), Some("rid-1"));
        assert_eq!(
            e.to_string(),
            "WeChat Pay answered HTTP 400 PARAM_ERROR: plan_id invalid"
        );
        assert_eq!(e.kind(), ErrorKind::Api);

        let e = ApiError::from_answer(502, b"<html>Bad gateway</html>", None);
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("HTTP_502", "<html>Bad gateway</html>")
        );
        assert_eq!(e.detail, None);
        let e = ApiError::from_answer(500, b"", None);
        assert_eq!(e.message, "(empty body)");
        // A code that is not a string is not WeChat Pay's code.
        let e = ApiError::from_answer(400, br#"{"code":7,"message":"m"}"#, None);
        assert_eq!(e.code, "HTTP_400");
        let long = "x".repeat(500);
        assert_eq!(
            ApiError::from_answer(500, long.as_bytes(), None)
                .message
                .len(),
            200
        );
        assert_eq!(bad_response("why").code(), code::BAD_RESPONSE);
    }
}
