//! PEM-aware mutations: the label and the DER inside are mutated apart ([`super::der`]),
//! and the text around them (line breaks, labels, padding, a second block) is varied the
//! ways keys arrive pasted from files and environment variables.

use base64ct::{Base64, Encoding as _};

use crate::rng::Rng;

/// The labels of the key and certificate files (and near misses).
pub const LABELS: &[&str] = &[
    "PRIVATE KEY",
    "RSA PRIVATE KEY",
    "PUBLIC KEY",
    "RSA PUBLIC KEY",
    "CERTIFICATE",
    "ENCRYPTED PRIVATE KEY",
    "EC PRIVATE KEY",
    "private key",
    "CERTIFICATE REQUEST",
    "X509 CRL",
    "",
];

/// The first PEM block of `text`: its label and decoded DER.
pub fn split(text: &str) -> Option<(String, Vec<u8>)> {
    let start = text.find("-----BEGIN ")?;
    let rest = &text[start + 11..];
    let label_end = rest.find("-----")?;
    let label = &rest[..label_end];
    let body_start = &rest[label_end + 5..];
    let end = body_start.find("-----END ")?;
    let b64: String = body_start[..end]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let der = Base64::decode_vec(&b64).ok()?;
    Some((label.to_owned(), der))
}

/// Writes a PEM block of `der` under `label`, varied at random.
pub fn wrap(rng: &mut Rng, label: &str, der: &[u8]) -> String {
    let mut b64 = Base64::encode_string(der);
    match rng.below(16) {
        0 => b64 = b64.trim_end_matches('=').to_owned(),
        1 => b64.push('='),
        2 => b64 = b64.replace('+', "-").replace('/', "_"),
        3 if !b64.is_empty() => {
            let at = rng.below(b64.len());
            b64.insert(at, *rng.pick(&[' ', '*', '.', '\t', '\u{a0}', 'é']));
        }
        _ => {}
    }
    let width = match rng.below(6) {
        0 => 76,
        1 => rng.range(1, 200),
        2 => usize::MAX,
        _ => 64,
    };
    let eol = match rng.below(10) {
        0 => "\r\n",
        1 => "\\n",
        2 => "\r",
        _ => "\n",
    };
    let end_label = if rng.one_in(20) {
        *rng.pick(LABELS)
    } else {
        label
    };
    let mut out = String::new();
    if rng.one_in(10) {
        out.push_str(rng.pick::<&str>(&["  ", "Bag Attributes\n", "\u{feff}", "\n\n", "x"]));
    }
    out.push_str(&format!("-----BEGIN {label}-----{eol}"));
    if rng.one_in(30) {
        out.push_str(&format!("Proc-Type: 4,ENCRYPTED{eol}{eol}"));
    }
    let chars: Vec<char> = b64.chars().collect();
    for line in chars.chunks(width.min(chars.len().max(1))) {
        if rng.one_in(50) {
            out.push_str("   ");
        }
        out.extend(line);
        out.push_str(eol);
    }
    if !rng.one_in(30) {
        out.push_str(&format!("-----END {end_label}-----"));
    }
    if !rng.one_in(4) {
        out.push_str(eol);
    }
    out
}

/// A mutated PEM text from the PEM `text`: its DER mutated (or not), its label kept (or
/// changed), written back with [`wrap`]; sometimes two blocks. `None` when `text` holds no
/// PEM block.
pub fn mutate_pem(rng: &mut Rng, text: &str, other: &str) -> Option<String> {
    let (mut label, der) = split(text)?;
    let der = if rng.one_in(5) {
        der
    } else {
        super::der::mutate_der(rng, &der).unwrap_or(der)
    };
    if rng.one_in(10) {
        label = (*rng.pick(LABELS)).to_owned();
    }
    let mut out = wrap(rng, &label, &der);
    if rng.one_in(15) {
        // A chain or a key beside its certificate: which block is read?
        let second = split(other)
            .map(|(l, d)| wrap(rng, &l, &d))
            .unwrap_or_default();
        out = if rng.one_in(2) {
            out + &second
        } else {
            second + &out
        };
    }
    Some(out)
}
