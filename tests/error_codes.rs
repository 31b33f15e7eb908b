//! Each error code is defined once, with its kinds, in `wechatpay_wasm::error::CODES`. This
//! test fails when anything else that names codes drifts from it: the TypeScript unions of
//! `js/index.d.ts`, the error tables of README.md and README.zh-CN.md, the JS layer's own errors, and every place in
//! `src/` that throws a code with a kind.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use wechatpay_wasm::error::CODES;
use wechatpay_wasm::ErrorKind;

const KINDS: &[ErrorKind] = &[
    ErrorKind::Validation,
    ErrorKind::Config,
    ErrorKind::Api,
    ErrorKind::Signature,
    ErrorKind::Timeout,
    ErrorKind::Network,
];

fn read(path: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn table(kind: ErrorKind) -> BTreeSet<String> {
    CODES
        .iter()
        .filter(|(_, kinds, _)| kinds.contains(&kind))
        .map(|(c, _, _)| (*c).to_owned())
        .collect()
}

fn is_code(s: &str) -> bool {
    s.len() > 2
        && s.starts_with(|c: char| c.is_ascii_uppercase())
        && !s.ends_with('_')
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// `ConfigErrorCode` for `config`.
fn union_name(kind: ErrorKind) -> String {
    let k = kind.as_str();
    format!("{}{}ErrorCode", k[..1].to_ascii_uppercase(), &k[1..])
}

/// The string literals of `export type <name> = 'A' | 'B' ...;` (comments skipped).
fn union(dts: &str, name: &str) -> BTreeSet<String> {
    let start = dts
        .find(&format!("export type {name} ="))
        .unwrap_or_else(|| panic!("js/index.d.ts declares no {name}"));
    let rest = &dts[start..];
    let end = rest.find(';').expect("the union ends with ;");
    let mut out = BTreeSet::new();
    for line in rest[..end].lines() {
        let line = line.split("/*").next().unwrap_or_default();
        for part in line.split('\'').skip(1).step_by(2) {
            out.insert(part.to_owned());
        }
    }
    out
}

#[test]
fn codes_are_defined_once_with_known_kinds() {
    let mut seen = BTreeSet::new();
    for (code, kinds, summary) in CODES {
        assert!(seen.insert(*code), "{code} is in CODES twice");
        assert!(is_code(code), "{code}");
        assert!(!kinds.is_empty() && !summary.is_empty(), "{code}");
    }
    for kind in KINDS {
        assert!(
            !table(*kind).is_empty(),
            "no code of kind {}",
            kind.as_str()
        );
    }
}

#[test]
fn typescript_unions_follow_the_table() {
    let dts = read("js/index.d.ts");
    let kinds = union(&dts, "WechatPayErrorKind");
    let ours: BTreeSet<String> = KINDS.iter().map(|k| k.as_str().to_owned()).collect();
    assert_eq!(kinds, ours, "WechatPayErrorKind");
    for kind in KINDS {
        let name = union_name(*kind);
        assert_eq!(
            union(&dts, &name),
            table(*kind),
            "{name} in js/index.d.ts and error::CODES differ"
        );
    }
}

/// Each kind's row of a README's error table (`| `kind` | when | codes | extra |`) lists
/// exactly that kind's codes.
fn error_table_follows_the_table(path: &str) {
    let readme = read(path);
    let all: BTreeSet<String> = CODES.iter().map(|(c, _, _)| (*c).to_owned()).collect();
    for kind in KINDS {
        let head = format!("| `{}` |", kind.as_str());
        let row = readme
            .lines()
            .find(|l| l.starts_with(&head))
            .unwrap_or_else(|| panic!("{path} has no error table row {head}"));
        let codes_column = row.split('|').nth(3).unwrap_or_default();
        let listed: BTreeSet<String> = codes_column
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|s| is_code(s))
            .map(str::to_owned)
            .collect();
        // The api row also names WeChat Pay's own codes, which are not ours.
        let ours: BTreeSet<String> = if *kind == ErrorKind::Api {
            listed.intersection(&all).cloned().collect()
        } else {
            listed
        };
        assert_eq!(
            ours,
            table(*kind),
            "{path}'s {} row and error::CODES differ",
            kind.as_str()
        );
    }
}

#[test]
fn the_readme_error_table_follows_the_table() {
    error_table_follows_the_table("README.md");
}

/// The Chinese README's table is its own text, so it drifts on its own (it once lacked
/// `SIGNER_FAILED`).
#[test]
fn the_chinese_readme_error_table_follows_the_table() {
    error_table_follows_the_table("README.zh-CN.md");
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// `(kind, CODE)` of every `<ctor>(code::CODE` (whitespace between allowed) in `text`.
fn thrown(text: &str, ctor: &str, kind: &str, out: &mut Vec<(String, String)>) {
    for (at, _) in text.match_indices(ctor) {
        let rest = text[at + ctor.len()..].trim_start();
        if let Some(rest) = rest.strip_prefix("code::") {
            let code: String = rest
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            out.push((kind.to_owned(), code));
        }
    }
}

#[test]
fn every_code_is_thrown_with_a_kind_of_the_table() {
    let mut files = Vec::new();
    rust_files(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut pairs = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        thrown(&text, "Error::config(", "config", &mut pairs);
        thrown(&text, "JsErr::config(", "config", &mut pairs);
        thrown(&text, "Error::signature(", "signature", &mut pairs);
        for kind in KINDS {
            thrown(
                &text,
                &format!("JsErr::new(\"{}\",", kind.as_str()),
                kind.as_str(),
                &mut pairs,
            );
        }
        let code_field = "code: code::";
        for (at, _) in text.match_indices(code_field) {
            // Error::Api { code: code::X, .. } and Error::Signature { code: code::X, .. }.
            let before = &text[..at];
            let variant = ["Error::Api", "Error::Signature", "Error::Config"]
                .into_iter()
                .filter_map(|v| before.rfind(v).map(|i| (i, v)))
                .max();
            if let Some((_, v)) = variant {
                let kind = v.trim_start_matches("Error::").to_ascii_lowercase();
                let code: String = text[at + code_field.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                    .collect();
                pairs.push((kind, code));
            }
        }
    }
    let js = read("js/index.js");
    for (at, _) in js.match_indices("new WechatPayError('") {
        let mut parts = js[at..].split('\'');
        let (kind, code) = (parts.nth(1).unwrap(), parts.nth(1).unwrap());
        pairs.push((kind.to_owned(), code.to_owned()));
    }
    assert!(
        pairs.len() > 40,
        "the scan found only {} throws: has the code's shape changed?",
        pairs.len()
    );
    for (kind, code) in pairs {
        let listed = CODES
            .iter()
            .find(|(c, _, _)| *c == code)
            .unwrap_or_else(|| panic!("{code} is thrown but not in error::CODES"));
        assert!(
            listed.1.iter().any(|k| k.as_str() == kind),
            "{code} is thrown with kind {kind}, which error::CODES does not give it"
        );
    }
}
