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

#[cfg(all(target_arch = "wasm32", feature = "js"))]
pub mod wasm;
/// The exports of the fallback module `rust_crypto_bg.wasm` (RSA and AES-GCM in Rust).
#[cfg(all(target_arch = "wasm32", feature = "rust-crypto"))]
pub mod rust_crypto_wasm;

pub use error::{Error, ErrorKind, Issue, Result};
pub use keys::{KeyStore, MerchantKey, VerifyKey};
pub use model::{PreEntrustSignRequest, PreEntrustSignResponse};
#[cfg(feature = "rust-crypto")]
pub use sign::{RsaSigner, RsaVerifier};
pub use sign::Signer;
pub use validate::{validate, validate_json, validate_request, ValidatedBody};

#[cfg(all(target_arch = "wasm32", feature = "js"))]
pub use wasm::Client;
