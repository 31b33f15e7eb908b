//! Checking an answer against its schema: lenient where a request is strict (WeChat Pay adds
//! fields and enum values, which pass), strict on what a caller relies on (required fields,
//! their JSON types).

use crate::json::{Map, Value};

use super::{Field, Kind};

/// Whether a 2xx answer is what its schema promises: an object whose required fields are
/// there with their JSON types, and whose optional fields are absent, `null` or of their
/// type. Unknown fields pass. `Ok` lists the top-level optional fields written as `null`,
/// which the client leaves out of what it returns (the typings say `field?: T`, not
/// `T | null`); `Err` says what is wrong, in serde's words where serde has some.
pub fn check_answer(fields: &[Field], body: &Value) -> Result<Vec<&'static str>, String> {
    let Some(map) = body.as_object() else {
        return Err("it is not a JSON object".into());
    };
    let mut nulls = Vec::new();
    check_fields(fields, map, "", &mut |f| nulls.push(f))?;
    Ok(nulls)
}

fn check_fields(
    fields: &[Field],
    map: &Map,
    at: &str,
    nulls: &mut dyn FnMut(&'static str),
) -> Result<(), String> {
    for field in fields {
        let name = field.name;
        match map.get(name) {
            None if field.required => return Err(format!("missing field `{at}{name}`")),
            None => {}
            Some(Value::Null) if !field.required && at.is_empty() => nulls(name),
            Some(Value::Null) if !field.required => {}
            Some(value) => {
                let (ok, what) = match field.kind {
                    Kind::Str { .. } | Kind::Code { .. } | Kind::NotifyUrl | Kind::Enum(_) => {
                        (value.is_string(), "a string")
                    }
                    Kind::PositiveInt => (value.is_u64(), "a non-negative integer"),
                    Kind::Bool => (value.is_boolean(), "a boolean"),
                    Kind::Object(sub) => match value {
                        Value::Object(inner) => {
                            check_fields(sub, inner, &format!("{at}{name}."), &mut |_| {})?;
                            (true, "")
                        }
                        _ => (false, "an object"),
                    },
                };
                if !ok {
                    return Err(format!("{at}{name} must be {what}"));
                }
            }
        }
    }
    Ok(())
}
