//! The fuzz targets: each turns a parent input into a mutated one (structure-aware) and runs
//! one input through the code under test, returning `Err` when an oracle fails (a panic is
//! caught by the runner).

pub mod keys;
pub mod notify;
pub mod params;
pub mod validate;
pub mod verify;

use crate::rng::Rng;

/// Makes a new input from a parent and another corpus entry.
pub type Generate = Box<dyn Fn(&mut Rng, &[u8], &[u8]) -> Vec<u8>>;
/// Runs one input; `Err` names a broken property.
pub type Run = Box<dyn Fn(&[u8]) -> Result<(), String>>;

/// A fuzz target.
pub struct Target {
    /// Its name: the folder of its seeds (`corpus/`) and of its regressions.
    pub name: String,
    /// Its share of a run's count or time.
    pub weight: u32,
    /// The mutator.
    pub generate: Generate,
    /// The code under test.
    pub run: Run,
}

/// Every target: one per operation's validator, then the key readers, the notification
/// envelope and answer verification.
pub fn all() -> Vec<Target> {
    let mut out: Vec<Target> = validate::OPERATIONS.iter().map(validate::target).collect();
    out.push(keys::target());
    out.push(notify::target());
    out.push(verify::target());
    out
}

/// The test fixtures the targets use (copies in `corpus/`, see `corpus/README.md`).
pub mod fixtures {
    /// The test merchant key (PKCS#1); its public half is `PUBLIC_SPKI`.
    pub const PRIVATE_PKCS1: &str = include_str!("../../corpus/keys/merchant_pkcs1.pem");
    /// The test public key, SPKI.
    pub const PUBLIC_SPKI: &str = include_str!("../../corpus/keys/public_spki.pem");
    /// A platform certificate over the test key.
    pub const CERT: &str = include_str!("../../corpus/keys/platform_cert.pem");
    /// Its serial.
    pub const CERT_SERIAL: &str = "5157F09EFDC096DE15EBE81A47057A72";
    /// A certificate over the test key with a GeneralizedTime notAfter.
    pub const CERT_2052: &str = include_str!("../../corpus/keys/cert_2052.pem");
    /// Its serial.
    pub const CERT_2052_SERIAL: &str = "0A0B0C";
    /// The id of the test public key in the signed answers.
    pub const PUBLIC_KEY_ID: &str = "PUB_KEY_ID_0114232134912410000000000000";
    /// The APIv3 key of the sealed notification.
    pub const APIV3_KEY: &str = "wechatpay-wasm-test-apiv3-key-32";
    /// The time of the signed answers (Wechatpay-Timestamp).
    pub const NOW: i64 = 1_795_658_401;
    /// The signed response (headers and body, in the verify target's format).
    pub const SIGNED_RESPONSE: &str = include_str!("../../corpus/verify/response.txt");
}

/// Lines of `text` that look like base64 key material (20 characters or more): an error
/// or `Debug` output must contain none of them.
pub fn secret_lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| {
            l.len() >= 20
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        })
        .collect()
}

/// FNV-1a: a stable hash of an input (file names, choices that must replay the same).
pub fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
