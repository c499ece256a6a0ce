//! Checks JSON values against a spec: documented examples (at compile time) and the requests the
//! mock portal receives (at run time).

use serde_json::{Map, Value};

use crate::model::{AuthContext, Schema, Spec, Trigger, TypeName};

/// Which side of a call a value is from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A request: every constraint applies (pattern, lengths, enum values, required members).
    Request,
    /// A response: shapes and required members only, with the portal's lenient scalars.
    Response,
}

/// Checks `value` against `schema`; the error names the path and the reason.
pub fn conforms(schema: &Schema, value: &Value, mode: Mode) -> Result<(), String> {
    check_value(schema, value, mode, &mut String::new())
}

/// Why a request fails its spec, in the terms the spec's `when` triggers use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// No parameters at all.
    NoParams,
    /// A required parameter is missing or empty.
    Missing(String),
    /// A parameter has a value the method does not accept; the string says why.
    Invalid(String, String),
    /// The rule with this index is violated; the string says how.
    Rule(usize, String),
}

impl Violation {
    /// The trigger a spec's error entry would name for this violation.
    pub fn trigger(&self) -> Trigger {
        match self {
            Violation::NoParams => Trigger::NoParams(true),
            Violation::Missing(p) => Trigger::Missing(p.clone()),
            Violation::Invalid(p, _) => Trigger::Invalid(p.clone()),
            Violation::Rule(i, _) => Trigger::Rule(*i),
        }
    }
}

/// Validates request parameters against a spec, in the order the portal does: emptiness, each
/// parameter in spec order (missing, then invalid), then the rules. Unknown parameters pass,
/// as they do on the portal.
pub fn validate_request(
    spec: &Spec,
    params: &Map<String, Value>,
    context: AuthContext,
) -> Result<(), Violation> {
    let given = |k: &str| params.get(k).is_some_and(|v| !is_empty(v));
    // Only methods that document an answer to an empty request check for one.
    if !spec.params.is_empty()
        && !spec.params.keys().any(|k| given(k))
        && spec.error_for(&Trigger::NoParams(true)).is_some()
    {
        return Err(Violation::NoParams);
    }
    for (name, schema) in &spec.params {
        match params.get(name) {
            Some(v) if !is_empty(v) => {
                let mut path = name.clone();
                check_value(schema, v, Mode::Request, &mut path)
                    .map_err(|e| Violation::Invalid(name.clone(), e))?;
            }
            _ if schema.required || schema.required_in.contains(&context) => {
                return Err(Violation::Missing(name.clone()));
            }
            _ => {}
        }
    }
    for (i, rule) in spec.rules.iter().enumerate() {
        rule.check(given, |k| params.get(k))
            .map_err(|why| Violation::Rule(i, why))?;
    }
    Ok(())
}

/// What the portal treats as "not given": null, "", [] and {}.
pub fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn check_value(s: &Schema, v: &Value, mode: Mode, path: &mut String) -> Result<(), String> {
    let fail = |path: &str, what: &str| {
        let at = if path.is_empty() {
            String::new()
        } else {
            format!("`{path}`: ")
        };
        Err(format!("{at}{what}, found {}", describe(v)))
    };
    if v.is_null()
        && (mode == Mode::Response && (s.nullable || !s.required) || s.ty == TypeName::Any)
    {
        return Ok(());
    }
    match s.ty {
        TypeName::Any => {}
        TypeName::String | TypeName::Url | TypeName::Enum => {
            // The generated types read numbers as strings, but never as enum values.
            let number_ok = mode == Mode::Response && v.is_number() && s.ty != TypeName::Enum;
            let Some(text) = v
                .as_str()
                .map(str::to_owned)
                .or_else(|| number_ok.then(|| v.to_string()))
            else {
                return fail(path, "expected a string");
            };
            if mode == Mode::Request {
                check_text(s, &text, path)?;
            }
        }
        TypeName::LocalizedText => match v {
            Value::String(text) if mode == Mode::Request => check_text(s, text, path)?,
            Value::String(_) => {}
            Value::Object(m) if m.values().all(Value::is_string) => {}
            _ => return fail(path, "expected a string or a {language: text} map"),
        },
        TypeName::Integer | TypeName::Id => {
            let ok = v.as_i64().is_some()
                || v.as_u64().is_some()
                || v.as_str().is_some_and(|t| t.trim().parse::<i64>().is_ok());
            if !ok {
                return fail(path, "expected an integer");
            }
            if mode == Mode::Request {
                check_bounds(s, v, path)?;
                check_allowed(s, v, path)?;
            }
        }
        TypeName::Number => {
            if !(v.is_number() || v.as_str().is_some_and(|t| t.trim().parse::<f64>().is_ok())) {
                return fail(path, "expected a number");
            }
            if mode == Mode::Request {
                check_bounds(s, v, path)?;
            }
        }
        TypeName::Boolean | TypeName::Yn => {
            let ok = match v {
                Value::Bool(_) => true,
                Value::String(t) => matches!(t.as_str(), "Y" | "N" | "1" | "0" | "true" | "false"),
                Value::Number(n) => matches!(n.as_u64(), Some(0 | 1)),
                _ => false,
            };
            if !ok {
                return fail(
                    path,
                    if s.ty == TypeName::Yn {
                        "expected \"Y\" or \"N\""
                    } else {
                        "expected a boolean"
                    },
                );
            }
        }
        TypeName::Object => {
            let Some(m) = v.as_object() else {
                return fail(path, "expected an object");
            };
            for (name, field) in s.fields.iter().flatten() {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(name);
                match m.get(name) {
                    Some(fv) if !(mode == Mode::Request && is_empty(fv)) => {
                        check_value(field, fv, mode, path)?
                    }
                    _ if field.required => return Err(format!("`{path}` is required but missing")),
                    _ => {}
                }
                path.truncate(len);
            }
            if mode == Mode::Request {
                let given = |k: &str| m.get(k).is_some_and(|v| !is_empty(v));
                for rule in &s.rules {
                    rule.check(given, |k| m.get(k)).map_err(|why| {
                        if path.is_empty() {
                            why
                        } else {
                            format!("`{path}`: {why}")
                        }
                    })?;
                }
            }
        }
        TypeName::Array => {
            // As the decoder reads it: in a response, an object keyed by numbers is the list of
            // its values in numeric order (PHP's list whose keys are not 0..n in order).
            let keyed: Vec<Value>;
            let items = match v {
                Value::Array(items) => items,
                Value::Object(o)
                    if mode == Mode::Response && o.keys().all(|k| k.parse::<u64>().is_ok()) =>
                {
                    let mut by_key: Vec<(u64, &Value)> = o
                        .iter()
                        .filter_map(|(k, v)| Some((k.parse().ok()?, v)))
                        .collect();
                    by_key.sort_by_key(|(k, _)| *k);
                    keyed = by_key.into_iter().map(|(_, v)| v.clone()).collect();
                    &keyed
                }
                _ => return fail(path, "expected an array"),
            };
            if mode == Mode::Request {
                if let Some(min) = s.min_items.filter(|&m| items.len() < m) {
                    return Err(format!(
                        "`{path}` needs at least {min} item(s), found {}",
                        items.len()
                    ));
                }
                if let Some(max) = s.max_items.filter(|&m| items.len() > m) {
                    return Err(format!(
                        "`{path}` takes at most {max} item(s), found {}",
                        items.len()
                    ));
                }
            }
            if let Some(item) = &s.items {
                for (i, iv) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    check_value(item, iv, mode, path)?;
                    path.truncate(len);
                }
            }
        }
        TypeName::OneOf => {
            let variants = s.variants.iter().flatten();
            let mut why = Vec::new();
            for (name, variant) in variants {
                let mut at = path.clone();
                match check_value(variant, v, mode, &mut at) {
                    Ok(()) => return Ok(()),
                    Err(e) => why.push(format!("as `{name}`: {e}")),
                }
            }
            return Err(format!(
                "{}fits none of the variants ({})",
                if path.is_empty() {
                    String::new()
                } else {
                    format!("`{path}` ")
                },
                why.join("; ")
            ));
        }
        // The names and directions are the list method's to judge: its behaviour answers them in
        // its own words (crm.item.list's `INVALID_ARG_VALUE`), as the portal does.
        TypeName::Filter | TypeName::Order => match v {
            Value::Object(_) => {}
            Value::Array(a) if a.is_empty() => {}
            _ => return fail(path, "expected an object of field names"),
        },
        TypeName::Map => {
            let entries: Vec<(String, &Value)> = match v {
                Value::Object(o) => o.iter().map(|(k, v)| (k.clone(), v)).collect(),
                Value::Array(a) if a.is_empty() => Vec::new(),
                _ => return fail(path, "expected an object"),
            };
            if let Some(item) = &s.items {
                for (k, iv) in entries {
                    let len = path.len();
                    path.push_str(&format!("[{k}]"));
                    check_value(item, iv, mode, path)?;
                    path.truncate(len);
                }
            }
        }
    }
    Ok(())
}

/// The `values` of an `integer` or `id`, given as a number or a numeric string.
fn check_allowed(s: &Schema, v: &Value, path: &str) -> Result<(), String> {
    let (Some(values), Some(n)) = (
        &s.values,
        v.as_i64()
            .or_else(|| v.as_str().and_then(|t| t.trim().parse().ok())),
    ) else {
        return Ok(());
    };
    if values.iter().any(|x| x.trim().parse::<i64>() == Ok(n)) {
        return Ok(());
    }
    Err(format!(
        "`{path}` must be one of {}, found {n}",
        values.join(", ")
    ))
}

/// `minimum` and `maximum` of a number, given as a number or a numeric string.
fn check_bounds(s: &Schema, v: &Value, path: &str) -> Result<(), String> {
    let Some(n) = v
        .as_f64()
        .or_else(|| v.as_str().and_then(|t| t.trim().parse().ok()))
    else {
        return Ok(());
    };
    if let Some(lo) = s.minimum.filter(|&lo| n < lo) {
        return Err(format!("`{path}` must be at least {lo}, found {n}"));
    }
    if let Some(hi) = s.maximum.filter(|&hi| n > hi) {
        return Err(format!("`{path}` must be at most {hi}, found {n}"));
    }
    Ok(())
}

fn check_text(s: &Schema, text: &str, path: &str) -> Result<(), String> {
    let len = text.chars().count();
    if let Some(min) = s.min_length.filter(|&m| len < m) {
        return Err(format!(
            "`{path}` must be at least {min} characters long, found {len}"
        ));
    }
    if let Some(max) = s.max_length.filter(|&m| len > m) {
        return Err(format!(
            "`{path}` must be at most {max} characters long, found {len}"
        ));
    }
    if let Some(values) = &s.values {
        if !values.iter().any(|x| x == text) {
            return Err(format!(
                "`{path}` must be one of {}, found {text:?}",
                values.join(", ")
            ));
        }
    }
    if let Some(p) = &s.pattern {
        let re = regex::Regex::new(p).map_err(|e| format!("`{path}`: bad pattern in spec: {e}"))?;
        if !re.is_match(text) {
            return Err(format!("`{path}` must match {p}, found {text:?}"));
        }
    }
    if s.ty == TypeName::Url && !(text.starts_with("https://") || text.starts_with("http://")) {
        return Err(format!("`{path}` must be an http(s) URL, found {text:?}"));
    }
    Ok(())
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const SPEC: &str = r#"
method: demo.task.add
scope: demo
summary: Add a task.
access: any user
contexts: [webhook]
idempotent: false
docs: https://example.com/demo.task.add
params:
  fields:
    type: object
    required: true
    fields:
      TITLE: { type: string }
      DEADLINE: { type: string }
      REMIND: { type: yn }
      MODE: { type: string }
      URL: { type: url }
    rules:
      - at_least_one_of: [TITLE, DEADLINE]
      - all_or_none: [DEADLINE, REMIND]
      - if_given: MODE
        equals: link
        then_required: [URL]
  A: { type: string }
  B: { type: string }
  LIMIT: { type: integer, minimum: 1, maximum: 50 }
rules:
  - at_most_one_of: [A, B]
result: { type: integer, required: true }
errors:
  - { code: ERROR_BOTH, status: 400, description: "Give A or B, not both", when: { rule: 0 } }
"#;

    fn check(params: Value) -> Result<(), Violation> {
        let spec = crate::load("demo.task.add.yaml", SPEC).expect("the spec loads");
        let Value::Object(params) = params else {
            unreachable!("the tests pass objects")
        };
        validate_request(&spec, &params, AuthContext::Webhook)
    }

    #[test]
    fn rules_inside_an_object_and_at_the_top_are_enforced_on_receipt() {
        assert_eq!(check(json!({"fields": {"TITLE": "t"}, "A": "x"})), Ok(()));
        assert_eq!(
            check(json!({"fields": {"MODE": "text", "TITLE": "t"}})),
            Ok(())
        );
        assert_eq!(
            check(json!({"fields": {"DEADLINE": "2026-12-31"}})),
            Err(Violation::Invalid(
                "fields".into(),
                "`fields`: give all of DEADLINE, REMIND or none; missing: REMIND".into()
            ))
        );
        assert_eq!(
            check(json!({"fields": {"TITLE": "t", "MODE": "link"}})),
            Err(Violation::Invalid(
                "fields".into(),
                "`fields`: URL required when MODE is \"link\"".into()
            ))
        );
        assert_eq!(
            check(json!({"fields": {"REMIND": "Y"}})),
            Err(Violation::Invalid(
                "fields".into(),
                "`fields`: give at least one of TITLE, DEADLINE".into()
            ))
        );
        assert_eq!(
            check(json!({"fields": {"TITLE": "t"}, "LIMIT": "50"})),
            Ok(())
        );
        assert_eq!(
            check(json!({"fields": {"TITLE": "t"}, "LIMIT": 51})),
            Err(Violation::Invalid(
                "LIMIT".into(),
                "`LIMIT` must be at most 50, found 51".into()
            ))
        );
        let both = check(json!({"fields": {"TITLE": "t"}, "A": "x", "B": "y"}));
        assert_eq!(
            both,
            Err(Violation::Rule(
                0,
                "give at most one of A, B; given: A, B".into()
            ))
        );
    }
}
