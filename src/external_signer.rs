//! The `signer` option: a function that signs the request's message with a key kept
//! elsewhere (a KMS, an HSM) and resolves with the base64 signature. What it returns is
//! checked here before anything is sent: without the merchant's public key (the client has
//! none) that is its form (a string, base64 with padding) and its length (256 bytes, one
//! RSA-2048 signature); a signature of the right form made with the wrong key is refused by
//! WeChat Pay (`SIGN_ERROR`). Every failure is `SIGNER_FAILED`, and nothing is sent.

use base64ct::{Base64, Encoding};

use crate::error::{code, Error, Result};

/// The length of a SHA256withRSA signature with a 2048-bit key (`WECHATPAY2-SHA256-RSA2048`).
pub const SIGNATURE_LEN: usize = 256;

/// What the signer's promise settled with. Its `Debug` never shows the text the signer
/// returned: a misconfigured signer may return a secret (a private key's PEM).
#[derive(Clone, Copy)]
pub enum Output<'a> {
    /// It resolved with a string.
    Text(&'a str),
    /// It resolved with a value of this JS type.
    NotText(&'a str),
    /// It threw or rejected, with this message.
    Threw(&'a str),
}

impl core::fmt::Debug for Output<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Output::Text(t) => write!(f, "Text(<{} bytes redacted>)", t.len()),
            Output::NotText(js_type) => f.debug_tuple("NotText").field(js_type).finish(),
            Output::Threw(why) => f.debug_tuple("Threw").field(why).finish(),
        }
    }
}

fn failed(why: impl core::fmt::Display) -> Error {
    Error::config(
        code::SIGNER_FAILED,
        format!("signer: {why}; nothing was sent"),
    )
}

/// The raw signature of what the signer returned, or why it is not one.
pub fn signature(output: Output<'_>) -> Result<Vec<u8>> {
    let text = match output {
        Output::Text(t) => t,
        Output::NotText(js_type) => {
            return Err(failed(format_args!(
                "must resolve with the base64 signature, a string, not {js_type}"
            )))
        }
        Output::Threw(message) => {
            return Err(failed(format_args!(
                "threw or rejected ({})",
                crate::error::brief(message)
            )))
        }
    };
    // The text is not repeated: a signer that returns the wrong thing may return a secret.
    let raw = Base64::decode_vec(text).map_err(|_| {
        failed(format_args!(
            "resolved with a string of {} characters that is not base64 (not repeated here)",
            text.len()
        ))
    })?;
    if raw.len() != SIGNATURE_LEN {
        return Err(failed(format_args!(
            "resolved with {} bytes, not the {SIGNATURE_LEN} of an RSA-2048 signature",
            raw.len()
        )));
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_base64_rsa_2048_signature_passes() {
        let good = Base64::encode_string(&[7u8; 256]);
        assert_eq!(signature(Output::Text(&good)).unwrap(), vec![7u8; 256]);
        let cases: [(Output, &str); 6] = [
            (
                Output::NotText("undefined"),
                "must resolve with the base64 signature, a string, not undefined",
            ),
            (
                Output::Threw("KMS unavailable"),
                "threw or rejected (KMS unavailable)",
            ),
            (
                Output::Text("not base64!"),
                "a string of 11 characters that is not base64",
            ),
            (Output::Text(&good[..good.len() - 2]), "that is not base64"),
            (
                Output::Text("AAAA"),
                "resolved with 3 bytes, not the 256 of an RSA-2048 signature",
            ),
            (Output::Text(""), "resolved with 0 bytes"),
        ];
        for (output, says) in cases {
            let e = signature(output).unwrap_err();
            assert_eq!(e.code(), code::SIGNER_FAILED);
            assert_eq!(e.kind(), crate::ErrorKind::Config);
            let m = e.to_string();
            assert!(m.starts_with("signer: ") && m.contains(says), "{m}");
            assert!(m.ends_with("nothing was sent"), "{m}");
        }
        // base64url (a KMS may answer in it) is refused, not misread.
        let url = Base64::encode_string(&[0xfbu8; 256])
            .replace('+', "-")
            .replace('/', "_");
        assert!(signature(Output::Text(&url)).is_err());
        // What the signer returned is not repeated.
        let secret = "-----BEGIN PRIVATE KEY-----";
        assert!(!signature(Output::Text(secret))
            .unwrap_err()
            .to_string()
            .contains(secret));
    }

    #[test]
    fn debug_does_not_show_what_the_signer_returned() {
        let secret = "-----BEGIN PRIVATE KEY-----MIIE";
        let shown = format!("{:?}", Output::Text(secret));
        assert!(
            !shown.contains("PRIVATE") && !shown.contains("MIIE"),
            "{shown}"
        );
        assert_eq!(shown, "Text(<31 bytes redacted>)");
        assert_eq!(
            format!("{:?}", Output::NotText("number")),
            "NotText(\"number\")"
        );
    }
}
