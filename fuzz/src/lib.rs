//! A structure-aware fuzzer of wechatpay-wasm that runs on stable Rust: seeded mutations of
//! valid request bodies, keys, certificates, notifications and signed answers, each input
//! run under `catch_unwind` and held to time and memory in proportion to its size, with
//! coverage guidance when built with `-Cinstrument-coverage` (see README.md).

pub mod alloc;
pub mod cover;
pub mod mutate;
pub mod rng;
pub mod runner;
pub mod targets;
