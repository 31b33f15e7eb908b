//! The JSON value the core reads texts into: serde_json's parser (every rule of its reading:
//! numbers, escapes, nesting depth, trailing characters) behind a value whose objects are a
//! `Vec` of fields kept sorted by name, instead of `serde_json::Value`, whose `BTreeMap`
//! (insertion, node splitting, iteration, drop) cost about 2 KB of the gzipped wasm module.
//!
//! It reads as `serde_json::Value` does: a field written twice keeps its last value, fields
//! are visited in the order of their names, numbers are `serde_json::Number`s (`1.5`, `100.0`
//! and `1e2` are floats, never `as_u64`). A native test holds the two to the same answers.

use core::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
pub use serde_json::Number;

/// A JSON value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Value {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as serde_json reads it.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object.
    Object(Map),
}

/// The fields of a JSON object, sorted by name, each name once (the last value written).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Map {
    fields: Vec<(String, Value)>,
}

impl Map {
    /// An empty object.
    pub fn new() -> Self {
        Self::default()
    }

    /// An object from its fields as written, each with its place: sorted by name and place
    /// once, so that of a name written twice the last value stays, as with `insert`.
    /// Inserting each field in turn would shift the sorted `Vec` on every field written out
    /// of order: quadratic in the fields of one object (1.7 s for 50,000 fields). Sorted by
    /// `BinaryHeap`'s heapsort, O(n log n): core's `sort_unstable` (quicksort, sorting
    /// networks, a heapsort fallback) cost 1,495 B more of the gzipped wasm module, for a
    /// sort 3 to 5 times faster on objects of 100,000 fields (measured natively).
    fn from_written(written: Vec<Written>) -> Self {
        let written = std::collections::BinaryHeap::from(written).into_sorted_vec();
        let mut fields: Vec<(String, Value)> = Vec::with_capacity(written.len());
        for Written(name, _, value) in written {
            match fields.last_mut() {
                Some(last) if last.0 == name => last.1 = value,
                _ => fields.push((name, value)),
            }
        }
        Self { fields }
    }

    fn position(&self, name: &str) -> Result<usize, usize> {
        self.fields.binary_search_by(|(k, _)| k.as_str().cmp(name))
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        let at = self.position(name).ok()?;
        self.fields.get(at).map(|(_, v)| v)
    }

    /// The value of `name`, to change.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        let at = self.position(name).ok()?;
        self.fields.get_mut(at).map(|(_, v)| v)
    }

    /// Whether the object has `name`.
    pub fn contains_key(&self, name: &str) -> bool {
        self.position(name).is_ok()
    }

    /// Sets `name` (replacing its value, as a field written again does).
    pub fn insert(&mut self, name: String, value: Value) {
        match self.position(&name) {
            Ok(at) => {
                if let Some(field) = self.fields.get_mut(at) {
                    field.1 = value;
                }
            }
            Err(at) => self.fields.insert(at, (name, value)),
        }
    }

    /// How many fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether there is no field.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The fields, in the order of their names.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.fields.iter().map(|(k, v)| (k, v))
    }

    /// The names, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.fields.iter().map(|(k, _)| k)
    }

    /// The values, in the order of their names.
    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.fields.iter().map(|(_, v)| v)
    }
}

/// A field as written: its name, its place among the object's fields, its value. Ordered by
/// name, then place (places are distinct: no two fields are equal), for
/// [`Map::from_written`]'s heapsort.
struct Written(String, usize, Value);

impl Ord for Written {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.0.cmp(&other.0).then(self.1.cmp(&other.1))
    }
}

impl PartialOrd for Written {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Written {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Written {}

impl Value {
    /// The string, when it is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The object, when it is one.
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The array, when it is one.
    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The number as a `u64`, when it is a non-negative integer (not a float).
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    /// The number as an `i64`, when it is an integer in range (not a float).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// Whether it is a non-negative integer that fits a `u64` (not a float).
    pub fn is_u64(&self) -> bool {
        self.as_u64().is_some()
    }

    /// Whether it is `true` or `false`.
    pub fn is_boolean(&self) -> bool {
        matches!(self, Value::Bool(_))
    }

    /// Whether it is a string.
    pub fn is_string(&self) -> bool {
        matches!(self, Value::String(_))
    }

    /// The field `name` of an object.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.as_object()?.get(name)
    }

    /// The field `name` of an object, to change.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        match self {
            Value::Object(m) => m.get_mut(name),
            _ => None,
        }
    }

    /// The value, leaving `null` in its place.
    pub fn take(&mut self) -> Value {
        core::mem::take(self)
    }
}

/// JSON text (bytes) read with serde_json into a [`Value`].
pub fn from_slice(text: &[u8]) -> serde_json::Result<Value> {
    serde_json::from_slice(text)
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // As serde_json's `Value`: a float JSON cannot write (never produced by its parser).
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut written = Vec::new();
        while let Some(name) = access.next_key::<String>()? {
            let value = access.next_value()?;
            written.push(Written(name, written.len(), value));
        }
        Ok(Value::Object(Map::from_written(written)))
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

impl From<serde_json::Value> for Value {
    /// serde_json's value (`json!`) as ours, for the native API and tests.
    fn from(v: serde_json::Value) -> Self {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => Value::Number(n),
            serde_json::Value::String(s) => Value::String(s),
            serde_json::Value::Array(a) => Value::Array(a.into_iter().map(Value::from).collect()),
            serde_json::Value::Object(m) => Value::Object(m.into()),
        }
    }
}

impl From<serde_json::Map<String, serde_json::Value>> for Map {
    fn from(m: serde_json::Map<String, serde_json::Value>) -> Self {
        let mut map = Map::new();
        for (k, v) in m {
            map.insert(k, v.into());
        }
        map
    }
}

impl From<Value> for serde_json::Value {
    /// Ours as serde_json's value, for the native API (typed reading, serialization).
    fn from(v: Value) -> Self {
        match v {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(b),
            Value::Number(n) => serde_json::Value::Number(n),
            Value::String(s) => serde_json::Value::String(s),
            Value::Array(a) => serde_json::Value::Array(a.into_iter().map(Into::into).collect()),
            Value::Object(m) => serde_json::Value::Object(m.into()),
        }
    }
}

impl From<Map> for serde_json::Map<String, serde_json::Value> {
    fn from(m: Map) -> Self {
        m.fields.into_iter().map(|(k, v)| (k, v.into())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Read by both: the same value (fields in the same order), or both refused.
    fn same(text: &str) {
        let ours = from_slice(text.as_bytes());
        let theirs = serde_json::from_slice::<serde_json::Value>(text.as_bytes());
        match (ours, theirs) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a, Value::from(b.clone()), "{text}");
                assert_eq!(serde_json::Value::from(a.clone()), b, "{text}");
                if let (Some(m), Some(n)) = (a.as_object(), b.as_object()) {
                    assert!(m.keys().eq(n.keys()), "{text}: field order");
                    for (k, v) in n {
                        assert_eq!(m.get(k), Some(&Value::from(v.clone())), "{text} {k}");
                    }
                }
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{text}"),
            (a, b) => panic!("{text}: ours {a:?}, serde_json {b:?}"),
        }
    }

    /// A wide object written out of order, with names written again (read by sorting once:
    /// the last value of a name written twice must stay, in name order, as serde_json's).
    #[test]
    fn a_wide_object_written_out_of_order_reads_as_serde_json_does() {
        let mut fields: Vec<String> = (0..3000)
            .rev()
            .map(|i| format!("\"k{i:05}\":{i}"))
            .collect();
        fields.extend(
            (0..3000)
                .step_by(7)
                .map(|i| format!("\"k{i:05}\":\"again {i}\"")),
        );
        fields.extend((0..3000).step_by(11).map(|i| format!("\"k{i:05}\":[{i}]")));
        same(&format!("{{{}}}", fields.join(",")));
        same(r#"{"b":1,"a":1,"b":2,"a":2,"c":0,"b":3}"#);
        let once: Vec<String> = (0..100).map(|i| format!("\"a\":{i}")).collect();
        same(&format!("{{{}}}", once.join(",")));
    }

    #[test]
    fn reads_as_serde_json_value_does() {
        for text in [
            "null",
            "true",
            r#""a\"\u00e9\ud83d\ude00""#,
            "[1,[2,[3]],{}]",
            r#"{"b":1,"a":2,"c":{"z":null,"y":[true,false]}}"#,
            r#"{"a":1,"a":2}"#,
            r#"{"a":{"x":1},"b":0,"a":"last"}"#,
            r#"{"total":1.5,"n":100.0,"e":1e2,"neg":-1,"big":18446744073709551615,"over":18446744073709551616}"#,
            r#"{"min":-9223372036854775808,"zero":-0,"frac":0.1}"#,
            "",
            "{",
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            "[1,2",
            r#""\ud800""#,
            "01",
            "1.",
            "NaN",
            "{} x",
            &"[".repeat(200),
        ] {
            same(text);
        }
    }

    #[test]
    fn integers_only_as_integers() {
        for (text, u) in [
            ("1", Some(1)),
            ("1.5", None),
            ("100.0", None),
            ("1e2", None),
            ("-1", None),
        ] {
            assert_eq!(from_slice(text.as_bytes()).unwrap().as_u64(), u, "{text}");
        }
        assert_eq!(from_slice(b"-1").unwrap().as_i64(), Some(-1));
    }

    #[test]
    fn map_keeps_the_last_value_in_name_order() {
        let mut m = Map::new();
        m.insert("b".into(), Value::Bool(true));
        m.insert("a".into(), Value::Null);
        m.insert("b".into(), Value::String("x".into()));
        assert_eq!(m.len(), 2);
        assert!(m.keys().eq(["a", "b"]));
        assert_eq!(m.get("b").and_then(Value::as_str), Some("x"));
        assert!(m.contains_key("a") && !m.contains_key("c"));
        let mut v = Value::Object(m);
        assert_eq!(
            v.get_mut("b").map(Value::take),
            Some(Value::String("x".into()))
        );
        assert_eq!(v.get("b"), Some(&Value::Null));
    }
}
