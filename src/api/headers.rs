//! Which headers a request carries: the client's own, which a caller cannot replace, and the
//! caller's extra ones.

use crate::consts::header;
use crate::error::{code, Error, Result};

/// Headers the client owns (lower case); `options.headers` cannot replace them.
pub const RESERVED_HEADERS: &[&str] = &[
    "authorization",
    "wechatpay-serial",
    "content-type",
    "accept",
];

/// A caller's extra header `name`: refused when it is one of [`RESERVED_HEADERS`].
pub fn check_extra_header(name: &str) -> Result<()> {
    if RESERVED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
        return Err(Error::config(
            code::BAD_ARGUMENT,
            format!("headers.{name}: set by the client itself; it cannot be replaced"),
        ));
    }
    Ok(())
}

/// The client's headers of a request, in the order they are set (after the caller's extra
/// ones, so that they win): `Accept` and `User-Agent` always (WeChat Pay refuses a request
/// without them; Workers send no User-Agent by default); `Content-Type` with a body;
/// `Wechatpay-Serial`, the key the client verifies answers with, when it has one; then the
/// `Authorization`.
pub fn request_headers<'a>(
    user_agent: &'a str,
    has_body: bool,
    serial: Option<&'a str>,
    authorization: &'a str,
) -> impl Iterator<Item = (&'static str, &'a str)> {
    [
        Some((header::ACCEPT, header::APPLICATION_JSON)),
        Some((header::USER_AGENT, user_agent)),
        has_body.then_some((header::CONTENT_TYPE, header::APPLICATION_JSON)),
        serial.map(|s| (header::SERIAL, s)),
        Some((header::AUTHORIZATION, authorization)),
    ]
    .into_iter()
    .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        let names = |body, serial| -> Vec<&str> {
            request_headers("ua", body, serial, "auth")
                .map(|(k, _)| k)
                .collect()
        };
        assert_eq!(
            names(true, Some("PUB_KEY_ID_1")),
            [
                "Accept",
                "User-Agent",
                "Content-Type",
                "Wechatpay-Serial",
                "Authorization"
            ]
        );
        assert_eq!(
            names(false, None),
            ["Accept", "User-Agent", "Authorization"]
        );
        for name in [
            "Authorization",
            "wechatpay-serial",
            "CONTENT-TYPE",
            "Accept",
        ] {
            assert_eq!(
                check_extra_header(name).unwrap_err().code(),
                code::BAD_ARGUMENT
            );
        }
        assert!(check_extra_header("Accept-Language").is_ok());
        assert!(check_extra_header("X-Trace").is_ok());
    }
}
