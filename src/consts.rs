//! Wire formats and fixed values of WeChat Pay APIv3, each named once.
//!
//! Sources: `shared/spec/wechatpay-apiv3.md`; wechatpay-go `core/consts/const.go`.

/// The Authorization scheme: SHA256withRSA, PKCS#1 v1.5, 2048-bit merchant key.
pub const AUTH_SCHEME: &str = "WECHATPAY2-SHA256-RSA2048";

/// Production host.
pub const DEFAULT_BASE_URL: &str = "https://api.mch.weixin.qq.com";

/// The backup host, for `failover` (`shared/spec/api.md`, "Running it in production").
pub const DEFAULT_BACKUP_BASE_URL: &str = "https://api2.mch.weixin.qq.com";

/// The endpoint this crate types.
pub const PRE_ENTRUST_SIGN_PATH: &str = "/v3/papay/sign/contracts/pre-entrust-sign";

/// Default request timeout, milliseconds.
pub const DEFAULT_TIMEOUT_MS: u32 = 10_000;

/// A response or notification timestamp further than this from local time is rejected
/// (PHP and axios reject `> 300`; we follow them).
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

/// Length of the nonce this crate generates (all official SDKs use 32).
pub const NONCE_LEN: usize = 32;

/// The nonce alphabet of the official SDKs.
pub const NONCE_ALPHABET: &[u8; 62] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The prefix WeChat Pay puts on deliberately wrong probe signatures.
pub const PROBE_SIGNATURE_PREFIX: &str = "WECHATPAY/SIGNTEST/";

/// Prefix of WeChat Pay public-key ids.
pub const PUBLIC_KEY_ID_PREFIX: &str = "PUB_KEY_ID_";

/// Notification resource algorithm.
pub const NOTIFICATION_ALGORITHM: &str = "AEAD_AES_256_GCM";

/// APIv3 key length in bytes (AES-256).
pub const APIV3_KEY_LEN: usize = 32;

/// Largest notification body accepted, in bytes: WeChat Pay's are about 1 KB; a larger body
/// is refused before it is copied into wasm memory or its signature checked, and
/// `notify::Envelope::parse` (the core) refuses it before parsing.
pub const MAX_NOTIFICATION_BYTES: usize = 64 * 1024;

/// AES-GCM nonce length in bytes, as WeChat Pay sends it.
pub const AES_GCM_NONCE_LEN: usize = 12;

/// AES-GCM tag length in bytes, appended to the ciphertext.
pub const AES_GCM_TAG_LEN: usize = 16;

/// Header names (HTTP header names are case-insensitive; these are the canonical spellings).
pub mod header {
    /// Request signature header.
    pub const AUTHORIZATION: &str = "Authorization";
    /// Required by the API.
    pub const ACCEPT: &str = "Accept";
    /// Required by the API (Workers send none by default).
    pub const USER_AGENT: &str = "User-Agent";
    /// Body type.
    pub const CONTENT_TYPE: &str = "Content-Type";
    /// JSON media type.
    pub const APPLICATION_JSON: &str = "application/json";
    /// Response/notification timestamp.
    pub const TIMESTAMP: &str = "Wechatpay-Timestamp";
    /// Response/notification nonce.
    pub const NONCE: &str = "Wechatpay-Nonce";
    /// Response/notification signature.
    pub const SIGNATURE: &str = "Wechatpay-Signature";
    /// Verification key id (request: the key we can verify with; response: the key used).
    pub const SERIAL: &str = "Wechatpay-Serial";
    /// Notification signature type.
    pub const SIGNATURE_TYPE: &str = "Wechatpay-Signature-Type";
    /// Support ticket id.
    pub const REQUEST_ID: &str = "Request-ID";
}
