//! The rules themselves: every field of an object checked against its [`Field`], every
//! broken rule reported with the JSON pointer of its field.

use crate::json::{Map, Value};

use super::json_text::LONE_SURROGATE;
use super::{rule, Field, Kind, MAX_SAFE_INTEGER};
use crate::error::{joined, quoted, quoted_brief, Issue};
use crate::suggest::{distance_within, suggest};
use crate::validate::{check_notify_url, NOTIFY_URL_MAX_CHARS};

pub(super) fn check_object(map: &Map, fields: &[Field], at: &str, issues: &mut Vec<Issue>) {
    for key in map.keys() {
        if !fields.iter().any(|f| f.name == key) {
            let path = pointer(at, key);
            let hint = did_you_mean(key, fields)
                .map(|s| format!(": did you mean \"{s}\"?"))
                .unwrap_or_else(|| {
                    format!(
                        "; the known fields here are {}",
                        joined(fields.iter().map(|f| f.name), ", ")
                    )
                });
            issues.push(Issue {
                field: path,
                rule: rule::UNKNOWN,
                message: format!("{} is not a field of this request{hint}", quoted_brief(key)),
            });
        }
    }
    for field in fields {
        let path = pointer(at, field.name);
        match map.get(field.name) {
            None if field.required => issues.push(Issue {
                message: format!("{} is required", field.name),
                field: path,
                rule: rule::REQUIRED,
            }),
            None => {}
            Some(Value::Null) => issues.push(Issue {
                message: format!(
                    "{} is null; APIv3 does not accept null: {}",
                    field.name,
                    if field.required {
                        "give it a value"
                    } else {
                        "omit the field instead"
                    }
                ),
                field: path,
                rule: rule::NULL,
            }),
            Some(value) => check_value(field, value, &path, issues),
        }
    }
}

fn check_value(field: &Field, value: &Value, path: &str, issues: &mut Vec<Issue>) {
    let name = field.name;
    let mut push = |rule: &'static str, message: String| {
        issues.push(Issue {
            field: path.to_owned(),
            rule,
            message,
        })
    };
    match field.kind {
        Kind::Object(sub) => match value {
            Value::Object(map) => check_object(map, sub, path, issues),
            other => push(
                rule::TYPE,
                format!("{name} must be an object, not {}", type_name(other)),
            ),
        },
        Kind::Bool => {
            if !value.is_boolean() {
                push(
                    rule::TYPE,
                    format!(
                        "{name} must be a boolean (true or false), not {}",
                        type_name(value)
                    ),
                );
            }
        }
        Kind::PositiveInt => match value {
            Value::Number(n) => match n.as_u64() {
                Some(v) if v > MAX_SAFE_INTEGER => push(
                    rule::RANGE,
                    format!("{name} must be at most {MAX_SAFE_INTEGER} (JavaScript's Number.MAX_SAFE_INTEGER): a larger number may not arrive as written"),
                ),
                Some(v) if v > 0 => {}
                Some(_) => push(
                    rule::RANGE,
                    format!("{name} must be a positive integer, not 0"),
                ),
                None => match n.as_i64() {
                    Some(negative) => push(
                        rule::RANGE,
                        format!("{name} must be a positive integer, not {negative}"),
                    ),
                    // Not `{n}`: a float's formatting would be linked for this one message
                    // (and `1e2` reads as the float 100.0 here, which is not what was sent).
                    None => push(
                        rule::TYPE,
                        format!(
                            "{name} must be an integer written in digits only (such as 12535), without a fraction or exponent"
                        ),
                    ),
                },
            },
            other => push(
                rule::TYPE,
                format!(
                    "{name} must be a positive integer (a JSON number), not {}",
                    type_name(other)
                ),
            ),
        },
        Kind::Str { .. } | Kind::Code { .. } | Kind::NotifyUrl | Kind::Enum(_) => {
            let Value::String(s) = value else {
                push(
                    rule::TYPE,
                    format!("{name} must be a string, not {}", type_name(value)),
                );
                return;
            };
            if s.chars().any(|c| c == LONE_SURROGATE) {
                push(
                    rule::UTF8,
                    format!("{name} is not whole Unicode text: it has an unpaired UTF-16 surrogate (a JavaScript string cut inside an emoji?); remove or repair that character"),
                );
            } else if s.chars().any(|c| c.len_utf8() > 3) {
                push(
                    rule::UTF8MB4,
                    format!("{name} contains a character of 4 UTF-8 bytes (such as an emoji); APIv3 accepts characters of at most 3 bytes"),
                );
            }
            let chars = crate::text::char_count(s);
            match field.kind {
                Kind::Str { min, max } => {
                    if chars < min || (max > 0 && chars > max) {
                        push(rule::LENGTH, length_message(name, chars, min, max));
                    }
                }
                Kind::Code { max, also } => {
                    if !(1..=max).contains(&chars) {
                        push(rule::LENGTH, length_message(name, chars, 1, max));
                    }
                    let allowed = |c: char| c.is_ascii_alphanumeric() || also.chars().any(|a| a == c);
                    if let Some(bad) = s.chars().find(|c| !allowed(*c)) {
                        let and = if also.is_empty() {
                            " and digits".to_owned()
                        } else {
                            format!(", digits and {}", quoted(also))
                        };
                        push(
                            rule::CHARSET,
                            format!(
                                "{name} may contain only ASCII letters{and}; found {}",
                                quoted(bad.encode_utf8(&mut [0; 4]))
                            ),
                        );
                    }
                }
                Kind::NotifyUrl => {
                    if chars > NOTIFY_URL_MAX_CHARS {
                        push(
                            rule::LENGTH,
                            length_message(name, chars, 1, NOTIFY_URL_MAX_CHARS),
                        );
                    }
                    if let Err(why) = check_notify_url(s) {
                        push(rule::URL, format!("{name} {why}"));
                    }
                }
                Kind::Enum(allowed) => {
                    if !allowed.contains(&s.as_str()) {
                        let hint = allowed
                            .iter()
                            .find(|a| a.eq_ignore_ascii_case(s) || distance_within(a, s, 2).is_some())
                            .map(|a| {
                                format!(
                                    " (did you mean {a}? the vendor's spelling is used verbatim)"
                                )
                            })
                            .unwrap_or_default();
                        push(
                            rule::ENUM,
                            format!(
                                "{name} must be one of {}; got {}{hint}",
                                joined(allowed.iter().copied(), ", "),
                                quoted_brief(s)
                            ),
                        );
                    }
                }
                Kind::Object(_) | Kind::Bool | Kind::PositiveInt => {}
            }
        }
    }
}

fn length_message(name: &str, chars: usize, min: usize, max: usize) -> String {
    if max == 0 {
        format!("{name} must be at least {min} characters; it has {chars}")
    } else if min == 0 {
        format!("{name} must be at most {max} characters; it has {chars}")
    } else {
        format!("{name} must be {min} to {max} characters; it has {chars}")
    }
}

fn pointer(at: &str, key: &str) -> String {
    // RFC 6901 escaping (by `char`, not `str::replace`: see `text::split`).
    let mut out = format!("{at}/");
    for c in key.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

pub(super) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn did_you_mean(key: &str, fields: &[Field]) -> Option<&'static str> {
    let names: Vec<&'static str> = fields.iter().map(|f| f.name).collect();
    suggest(key, &names)
}

#[cfg(test)]
mod tests {
    #[test]
    fn pointer_escapes_as_rfc_6901() {
        for (key, escaped) in [
            ("a", "a"),
            ("a/b~c", "a~1b~0c"),
            ("~/", "~0~1"),
            ("合同/~", "合同~1~0"),
        ] {
            assert_eq!(super::pointer("/x", key), format!("/x/{escaped}"));
            assert_eq!(escaped, key.replace('~', "~0").replace('/', "~1"));
        }
    }
}
