//! [`KeyStore`]: WeChat Pay's verification keys by id, and which one a request names.

use super::{KeySource, VerifyKey};

/// WeChat Pay verification keys by id (public keys and certificates side by side, as during
/// a migration). Kept sorted by id in a `Vec` (a handful of keys; a `BTreeMap` cost 1 KB of
/// the gzipped wasm module).
#[derive(Debug, Clone, Default)]
pub struct KeyStore {
    keys: Vec<VerifyKey>,
}

impl KeyStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a key, replacing one with the same id.
    pub fn insert(&mut self, key: VerifyKey) {
        match self.keys.binary_search_by(|k| k.id.as_str().cmp(&key.id)) {
            Ok(at) => self.keys[at] = key,
            Err(at) => self.keys.insert(at, key),
        }
    }

    /// Finds a key by id: exact match first, then ignoring case (certificate serials are hex).
    pub fn get(&self, id: &str) -> Option<&VerifyKey> {
        self.keys
            .iter()
            .find(|k| k.id == id)
            .or_else(|| self.keys.iter().find(|k| k.id.eq_ignore_ascii_case(id)))
    }

    /// The known ids, sorted.
    pub fn ids(&self) -> Vec<&str> {
        self.keys.iter().map(|k| k.id.as_str()).collect()
    }

    /// The id to send as `Wechatpay-Serial` on requests: the first WeChat Pay public key (by
    /// id), else the first certificate.
    pub fn preferred_id(&self) -> Option<&str> {
        self.keys
            .iter()
            .find(|k| k.source == KeySource::PublicKey)
            .or_else(|| self.keys.first())
            .map(|k| k.id.as_str())
    }

    /// The keys, sorted by id.
    pub fn iter(&self) -> impl Iterator<Item = &VerifyKey> {
        self.keys.iter()
    }

    /// Keeps the keys `keep` accepts.
    pub fn retain(&mut self, keep: impl FnMut(&VerifyKey) -> bool) {
        self.keys.retain(keep);
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}
