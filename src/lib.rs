#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod consts;
pub mod error;
pub mod keys;
pub mod model;
pub mod notify;
#[cfg(feature = "qr")]
pub mod qr;
pub mod sign;
pub mod validate;
pub mod verify;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, ErrorKind, Issue, Result};
pub use keys::{KeyStore, MerchantKey, VerifyKey};
pub use model::{PreEntrustSignRequest, PreEntrustSignResponse};
pub use sign::{RsaSigner, Signer};
pub use validate::{validate, validate_json, validate_request, ValidatedBody};

#[cfg(target_arch = "wasm32")]
pub use wasm::Client;
