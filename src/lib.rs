#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod api;
pub mod certs;
pub mod config;
pub mod consts;
pub mod error;
pub mod events;
pub mod external_signer;
pub mod failover;
pub mod json;
pub mod keys;
pub mod model;
pub mod notify;
#[cfg(feature = "qr")]
pub mod qr;
#[cfg(feature = "rust-crypto")]
pub mod rust_crypto;
pub mod schema;
pub mod sign;
mod suggest;
mod text;
pub mod validate;
pub mod verify;

/// The exports of the extra module `wechatpay_wasm_extra_bg.wasm` (RSA and AES-GCM in Rust,
/// QR codes): built with `rust-crypto` and `qr` and without `js`. A binding, so it lives
/// with the others in `src/wasm/`.
#[cfg(all(
    target_arch = "wasm32",
    not(feature = "js"),
    feature = "rust-crypto",
    feature = "qr"
))]
#[path = "wasm/extra_exports.rs"]
pub mod extra_wasm;
#[cfg(all(target_arch = "wasm32", feature = "js"))]
pub mod wasm;

pub use api::{ApiError, Operation};
pub use error::{Error, ErrorKind, Issue, Result};
pub use keys::{KeyStore, MerchantKey, VerifyKey};
pub use model::{PreEntrustSignRequest, PreEntrustSignResponse};
pub use sign::Signer;
#[cfg(feature = "rust-crypto")]
pub use sign::{RsaSigner, RsaVerifier};
pub use validate::{validate, validate_json, validate_request, validate_text, ValidatedBody};

#[cfg(all(target_arch = "wasm32", feature = "js"))]
pub use wasm::Client;
