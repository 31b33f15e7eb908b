//! The generic validator: a schema is a table of [`Field`]s, and [`check`] reports every
//! broken rule of a JSON value at once, each with the JSON pointer of its field. Request
//! bodies, path and query parameters ([`crate::api`]) and answers ([`check_answer`]) are
//! described with it.

mod answer;
mod json_text;
mod rules;

use crate::json::Value;

use crate::error::Issue;

pub use answer::check_answer;
pub use json_text::check_text;

/// Rule names, as reported in [`Issue::rule`].
pub mod rule {
    /// A required field is absent.
    pub const REQUIRED: &str = "required";
    /// Wrong JSON type.
    pub const TYPE: &str = "type";
    /// Not one of the allowed values.
    pub const ENUM: &str = "enum";
    /// Too short or too long (characters).
    pub const LENGTH: &str = "length";
    /// Characters outside the allowed set.
    pub const CHARSET: &str = "charset";
    /// Not an acceptable URL.
    pub const URL: &str = "url";
    /// `null` is not allowed by APIv3.
    pub const NULL: &str = "null";
    /// A character of 4 UTF-8 bytes (emoji...).
    pub const UTF8MB4: &str = "utf8mb4";
    /// Not Unicode text: an unpaired UTF-16 surrogate (a JavaScript string cut inside an
    /// emoji), which `JSON.stringify` writes as an escape such as `\ud83d`.
    pub const UTF8: &str = "utf8";
    /// A field the endpoint does not know.
    pub const UNKNOWN: &str = "unknown";
    /// A number out of range.
    pub const RANGE: &str = "range";
    /// The body is not JSON at all, or JSON that readers read differently (a field written
    /// twice in one object).
    pub const JSON: &str = "json";
}

/// What a field holds, and so which rules it is checked against.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// A string of `min..=max` characters (`max == 0`: no upper bound).
    Str {
        /// Fewest characters.
        min: usize,
        /// Most characters; 0 for no bound.
        max: usize,
    },
    /// 1..=`max` characters: ASCII letters and digits, and the characters of `also`
    /// (`out_contract_code`: none; `out_trade_no`: `_-*`).
    Code {
        /// Most characters.
        max: usize,
        /// Characters allowed besides letters and digits.
        also: &'static str,
    },
    /// `https://` (or http to loopback) without query, at most 256 characters.
    NotifyUrl,
    /// One of the vendor's spellings.
    Enum(&'static [&'static str]),
    /// An integer from 1 to 2^53 - 1, written in digits.
    PositiveInt,
    /// `true` or `false`.
    Bool,
    /// An object with these fields (and no others).
    Object(&'static [Field]),
}

/// One field of an object: its name, whether it must be there, what it holds.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// The JSON name.
    pub name: &'static str,
    /// Whether it must be present (a present field is never `null`).
    pub required: bool,
    /// What it holds.
    pub kind: Kind,
}

/// A required field.
pub const fn req(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        required: true,
        kind,
    }
}

/// An optional field.
pub const fn opt(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        required: false,
        kind,
    }
}

/// Any string.
pub const ANY_STR: Kind = Kind::Str { min: 0, max: 0 };

/// The largest integer a JavaScript number holds exactly (2^53 - 1): `plan_id` above it may
/// already have been rounded by the caller's `JSON.stringify`.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Checks a JSON value against an object schema; every broken rule, `[]` when it passes.
pub fn check(fields: &[Field], body: &Value) -> Vec<Issue> {
    let mut issues = Vec::new();
    match body {
        Value::Object(map) => rules::check_object(map, fields, "", &mut issues),
        other => issues.push(Issue {
            field: String::new(),
            rule: rule::TYPE,
            message: format!(
                "the body must be a JSON object, not {}",
                rules::type_name(other)
            ),
        }),
    }
    issues
}
