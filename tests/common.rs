#![cfg(not(target_arch = "wasm32"))]
// Shared by the native test files.
#![allow(dead_code)]

use std::path::PathBuf;

pub fn shared(path: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (shared/ must sit beside the checkout)",
            p.display()
        )
    })
}

pub fn fixture(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

pub fn vector() -> serde_json::Value {
    serde_json::from_str(&shared("vectors/sha256withrsa-known-answer.json")).unwrap()
}

pub fn json(name: &str) -> serde_json::Value {
    serde_json::from_str(&fixture(name)).unwrap()
}
