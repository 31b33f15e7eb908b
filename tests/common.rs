#![cfg(not(target_arch = "wasm32"))]
// Shared by the native test files.
#![allow(dead_code)]

use std::path::PathBuf;

/// A file of this repository's `tests/` folder (fixtures, vectors), read as text.
fn read_tests_file(path: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

pub fn fixture(name: &str) -> String {
    read_tests_file(&format!("fixtures/{name}"))
}

/// The known-answer vector (tests/vectors/README.md names its source).
pub fn vector() -> serde_json::Value {
    serde_json::from_str(&read_tests_file("vectors/sha256withrsa-known-answer.json")).unwrap()
}

pub fn json(name: &str) -> serde_json::Value {
    serde_json::from_str(&fixture(name)).unwrap()
}
