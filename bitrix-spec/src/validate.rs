//! Checks JSON values against a spec: documented examples (at compile time) and the requests the
//! mock portal receives (at run time).

use serde_json::{Map, Value};

use crate::model::{AuthContext, ErrorSpec, Schema, Spec, Trigger, TypeName};

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
    /// A parameter has a value the method does not accept.
    Invalid {
        /// The parameter.
        param: String,
        /// Where its value fails: the parameter itself (`MESSAGES`), or a member or an item
        /// inside it (`MESSAGES[0].user`).
        at: String,
        /// Why, naming the path.
        why: String,
    },
    /// The rule with this index is violated; the string says how.
    Rule(usize, String),
}

impl Violation {
    /// The trigger a spec's error entry would name for this violation.
    pub fn trigger(&self) -> Trigger {
        match self {
            Violation::NoParams => Trigger::NoParams(true),
            Violation::Missing(p) => Trigger::Missing(p.clone()),
            Violation::Invalid { param, .. } => Trigger::Invalid(param.clone()),
            Violation::Rule(i, _) => Trigger::Rule(*i),
        }
    }

    /// The spec's error entry that answers this violation. For an invalid value it is the most
    /// specific `invalid:` path that covers where the value fails (`MESSAGES[].*` before
    /// `MESSAGES` for a message without its `user`); among equals, the first.
    pub fn documented<'a>(&self, spec: &'a Spec) -> Option<&'a ErrorSpec> {
        let Violation::Invalid { at, .. } = self else {
            return spec.error_for(&self.trigger());
        };
        let covering = spec.errors.iter().filter_map(|e| match &e.when {
            Some(Trigger::Invalid(pattern)) => path_covers(pattern, at).map(|n| (n, e)),
            _ => None,
        });
        covering.rev().max_by_key(|(n, _)| *n).map(|(_, e)| e)
    }
}

/// One step of a path: a member name (`*` for any in a pattern), or an item's index or key
/// (empty for any in a pattern).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Step<'a> {
    Member(&'a str),
    Item(&'a str),
}

/// The steps of `MESSAGES[0].message` or of a pattern such as `MESSAGES[].*`; `None` when it is
/// not such a path.
pub(crate) fn steps(path: &str) -> Option<Vec<Step<'_>>> {
    let mut out = Vec::new();
    let mut rest = path;
    let name_end = |r: &str| r.find(['.', '[']).unwrap_or(r.len());
    let end = name_end(rest);
    if end == 0 {
        return None;
    }
    out.push(Step::Member(&rest[..end]));
    rest = &rest[end..];
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            let close = r.find(']')?;
            out.push(Step::Item(&r[..close]));
            rest = &r[close + 1..];
        } else {
            let r = rest.strip_prefix('.')?;
            let end = name_end(r);
            if end == 0 {
                return None;
            }
            out.push(Step::Member(&r[..end]));
            rest = &r[end..];
        }
    }
    Some(out)
}

/// How specific `pattern` is where it covers the path `at`: its steps, then those of them that
/// are no wildcard; `None` when it does not cover it.
fn path_covers(pattern: &str, at: &str) -> Option<(usize, usize)> {
    let (p, a) = (steps(pattern)?, steps(at)?);
    if p.len() > a.len() {
        return None;
    }
    let fits = p.iter().zip(&a).enumerate().all(|(i, pair)| match pair {
        (Step::Member("*"), Step::Member(_)) => i > 0,
        (Step::Member(x), Step::Member(y)) => x == y,
        (Step::Item(""), Step::Item(_)) => true,
        (Step::Item(x), Step::Item(y)) => x == y,
        _ => false,
    });
    let exact = p
        .iter()
        .filter(|s| !matches!(s, Step::Member("*") | Step::Item("")))
        .count();
    fits.then_some((p.len(), exact))
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
        check_param(name, schema, params.get(name), context)?;
    }
    for (i, rule) in spec.rules.iter().enumerate() {
        rule.check(given, |k| params.get(k))
            .map_err(|why| Violation::Rule(i, why))?;
    }
    Ok(())
}

/// Checks one parameter (`None`: not sent) as [`validate_request`] does.
pub fn check_param(
    name: &str,
    schema: &Schema,
    value: Option<&Value>,
    context: AuthContext,
) -> Result<(), Violation> {
    match value {
        Some(v) if !is_empty(v) => {
            // On failure the path is left where the value fails.
            let mut at = name.to_owned();
            check_value(schema, v, Mode::Request, &mut at).map_err(|why| Violation::Invalid {
                param: name.to_owned(),
                at,
                why,
            })
        }
        _ if schema.required || schema.required_in.contains(&context) => {
            Err(Violation::Missing(name.to_owned()))
        }
        _ => Ok(()),
    }
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
    // As the decoder reads it: a string holding the value as JSON text is that value; any other
    // string (a `one_of`'s `"N"`) is judged as it is.
    if let (true, Value::String(text)) = (s.json_string, v) {
        if let Ok(inner) = serde_json::from_str::<Value>(text) {
            if !inner.is_string() {
                return check_shape(s, &inner, mode, path);
            }
        }
    }
    check_shape(s, v, mode, path)
}

fn check_shape(s: &Schema, v: &Value, mode: Mode, path: &mut String) -> Result<(), String> {
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
        // Replies carry a file as an id or an object of URLs; requests give one of its forms.
        TypeName::File if mode == Mode::Response => {}
        TypeName::File => {
            let pair = |v: &Value| {
                v.as_array()
                    .is_some_and(|a| (1..=2).contains(&a.len()) && a.iter().all(Value::is_string))
            };
            let ok = match v {
                Value::Number(n) => n.as_u64().is_some(),
                // An id, or the content alone in base64.
                Value::String(t) => !t.is_empty(),
                Value::Array(_) => pair(v),
                Value::Object(o) => o.get("fileData").is_some_and(pair),
                _ => false,
            };
            if !ok {
                return fail(
                    path,
                    "expected a file: `[name, base64]`, `{fileData: [name, base64]}`, a base64 text or a file id",
                );
            }
        }
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
            // Members of a family (`ufCrm…`), as the decoder checks them.
            for (name, fv) in m {
                let listed = s.fields.as_ref().is_some_and(|f| f.contains_key(name));
                let Some(member) = s.dynamic_member(name).filter(|_| !listed) else {
                    continue;
                };
                if mode == Mode::Request && is_empty(fv) {
                    continue;
                }
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(name);
                check_value(member, fv, mode, path)?;
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
            Value::Object(m) => {
                // A typed field's value, as the client checks it.
                let typed = s
                    .fields
                    .iter()
                    .flatten()
                    .filter(|_| s.ty == TypeName::Filter);
                for (key, value) in m.iter().filter(|_| mode == Mode::Request) {
                    let (_, field) = bitrix_wire::query::split_filter_key(key);
                    let Some((name, kind)) = typed.clone().find_map(|(k, f)| {
                        let kind = bitrix_wire::query::ValueKind::of_type(f.ty.as_str())?;
                        k.eq_ignore_ascii_case(field).then_some((k, kind))
                    }) else {
                        continue;
                    };
                    if !kind.fits(value) {
                        return Err(format!(
                            "`{path}`: `{key}` compares `{name}` with {value}; the field takes {} (or a list of them)",
                            kind.describe()
                        ));
                    }
                }
            }
            Value::Array(a) if a.is_empty() => {}
            _ => return fail(path, "expected an object of field names"),
        },
        TypeName::Map => {
            let entries: Vec<(String, &Value)> = match v {
                Value::Object(o) => o.iter().map(|(k, v)| (k.clone(), v)).collect(),
                Value::Array(a) if a.is_empty() => Vec::new(),
                _ => return fail(path, "expected an object"),
            };
            if mode == Mode::Request {
                check_entries(s, &entries, path)?;
            }
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

/// The entry count and the key pattern of a `map`.
fn check_entries(s: &Schema, entries: &[(String, &Value)], path: &str) -> Result<(), String> {
    let n = entries.len();
    if let Some(min) = s.min_items.filter(|&m| n < m) {
        return Err(format!("`{path}` needs at least {min} entries, found {n}"));
    }
    if let Some(max) = s.max_items.filter(|&m| n > m) {
        return Err(format!("`{path}` takes at most {max} entries, found {n}"));
    }
    if let Some(p) = &s.pattern {
        let re = regex::Regex::new(p).map_err(|e| e.to_string())?;
        if let Some((k, _)) = entries.iter().find(|(k, _)| !re.is_match(k)) {
            return Err(format!("`{path}`: the key {k:?} must match {p}"));
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

    fn invalid(param: &str, why: &str) -> Violation {
        Violation::Invalid {
            param: param.into(),
            at: param.into(),
            why: why.into(),
        }
    }

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
            Err(invalid(
                "fields",
                "`fields`: give all of DEADLINE, REMIND or none; missing: REMIND"
            ))
        );
        assert_eq!(
            check(json!({"fields": {"TITLE": "t", "MODE": "link"}})),
            Err(invalid(
                "fields",
                "`fields`: URL required when MODE is \"link\""
            ))
        );
        assert_eq!(
            check(json!({"fields": {"REMIND": "Y"}})),
            Err(invalid(
                "fields",
                "`fields`: give at least one of TITLE, DEADLINE"
            ))
        );
        assert_eq!(
            check(json!({"fields": {"TITLE": "t"}, "LIMIT": "50"})),
            Ok(())
        );
        assert_eq!(
            check(json!({"fields": {"TITLE": "t"}, "LIMIT": 51})),
            Err(invalid("LIMIT", "`LIMIT` must be at most 50, found 51"))
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

    #[test]
    fn a_json_string_member_is_read_as_the_value_it_encodes() {
        const SPEC: &str = r#"
method: demo.message.send
scope: demo
summary: Send.
access: any user
contexts: [webhook]
idempotent: false
docs: https://example.com/demo.message.send
params:
  ATTACH:
    type: one_of
    json_string: true
    variants:
      full: { type: object, fields: { BLOCKS: { type: array, required: true, items: { type: any } } } }
      blocks: { type: array, items: { type: object, fields: { MESSAGE: { type: string } } } }
      remove: { type: enum, values: ["N"] }
result: { type: boolean, required: true }
"#;
        let spec = crate::load("demo.message.send.yaml", SPEC).expect("the spec loads");
        let check = |v: Value| {
            let mut params = Map::new();
            params.insert("ATTACH".into(), v);
            validate_request(&spec, &params, AuthContext::Webhook)
        };
        let full = json!({"BLOCKS": [{"MESSAGE": "Hi"}]});
        assert_eq!(check(full.clone()), Ok(()));
        assert_eq!(check(json!(full.to_string())), Ok(()));
        assert_eq!(check(json!(r#"[{"MESSAGE": "Hi"}]"#)), Ok(()));
        // A string that is no JSON text is judged as it is: the `"N"` variant.
        assert_eq!(check(json!("N")), Ok(()));
        // Text and value fail alike, with the same reasons.
        let text = check(json!(r#"{"ID": 1}"#)).unwrap_err();
        let value = check(json!({"ID": 1})).unwrap_err();
        assert_eq!(text, value);
        assert!(
            format!("{text:?}").contains("`ATTACH.BLOCKS` is required"),
            "{text:?}"
        );
        assert!(check(json!("[1, 2]")).is_err());
        assert!(check(json!("{not json")).is_err());
    }

    #[test]
    fn members_of_a_family_are_checked_by_its_schema() {
        const SPEC: &str = r#"
method: demo.item.update
scope: demo
summary: Update.
access: any user
contexts: [webhook]
idempotent: true
docs: https://example.com/demo.item.update
params:
  fields:
    type: object
    fields: { title: { type: string } }
    dynamic:
      parentId: { type: id }
      ufCrm: { type: any }
result:
  type: object
  required: true
  fields: { id: { type: id, required: true } }
  dynamic: { parentId: { type: id } }
"#;
        let spec = crate::load("demo.item.update.yaml", SPEC).expect("the spec loads");
        let check = |fields: Value| {
            let mut params = Map::new();
            params.insert("fields".into(), fields);
            validate_request(&spec, &params, AuthContext::Webhook)
        };
        assert_eq!(
            check(json!({"parentId1032": "7", "ufCrm5Color": [1, "a"]})),
            Ok(())
        );
        let Err(Violation::Invalid { at, why, .. }) = check(json!({"parentId1032": "x"})) else {
            panic!("a family member of the wrong kind")
        };
        assert_eq!(at, "fields.parentId1032");
        assert!(why.contains("expected an integer"), "{why}");
        // The prefix alone names no member of the family.
        assert_eq!(check(json!({"parentId": "x"})), Ok(()));
        // Replies: `null` is nothing, a wrong kind fails where the decoder would.
        let result = |v: Value| conforms(&spec.result, &v, Mode::Response);
        assert!(result(json!({"id": 1, "parentId2": null})).is_ok());
        assert!(result(json!({"id": 1, "parentId2": "x"})).is_err());
    }

    #[test]
    fn the_most_specific_invalid_path_answers() {
        const SPEC: &str = r#"
method: demo.message.send
scope: demo
summary: s
access: any user
contexts: [webhook]
idempotent: false
docs: https://example.com
params:
  MESSAGES:
    type: array
    required: true
    items:
      type: object
      fields:
        user: { type: object, required: true, fields: { id: { type: string, required: true } } }
        chat: { type: string, required: true }
result: { type: boolean, required: true }
errors:
  - { code: ERROR_ARGUMENT, status: 400, description: "not an array", when: { invalid: MESSAGES } }
  - { code: ERROR_ARGUMENT, status: 400, description: "an item is not an array", when: { invalid: "MESSAGES[]" } }
  - { code: ERROR_ARGUMENT, status: 400, description: "a message lacks user or chat", when: { invalid: "MESSAGES[].*" } }
  - { code: ERROR_USER, status: 400, description: "bad user", when: { invalid: "MESSAGES[].user" } }
"#;
        let spec = crate::load("demo.message.send.yaml", SPEC).expect("the spec loads");
        let answer = |params: Value| {
            let Value::Object(params) = params else {
                unreachable!("objects only")
            };
            let v = validate_request(&spec, &params, AuthContext::Webhook).expect_err("invalid");
            v.documented(&spec).map(|e| e.description.clone())
        };
        let chat = json!({"chat": "c"});
        assert_eq!(
            answer(json!({"MESSAGES": "x"})).as_deref(),
            Some("not an array")
        );
        assert_eq!(
            answer(json!({"MESSAGES": [5]})).as_deref(),
            Some("an item is not an array")
        );
        assert_eq!(
            answer(json!({"MESSAGES": [{"user": {"id": "1"}}]})).as_deref(),
            Some("a message lacks user or chat")
        );
        assert_eq!(
            answer(json!({"MESSAGES": [chat]})).as_deref(),
            Some("bad user")
        );
        assert_eq!(
            answer(json!({"MESSAGES": [{"chat": "c", "user": {}}]})).as_deref(),
            Some("bad user")
        );
        assert_eq!(
            path_covers("MESSAGES[].*", "MESSAGES[3].chat"),
            Some((3, 1))
        );
        assert_eq!(path_covers("MESSAGES[].*", "MESSAGES[3]"), None);
        assert_eq!(path_covers("*", "MESSAGES"), None);
        assert_eq!(
            steps("a[b.c].d"),
            Some(vec![
                Step::Member("a"),
                Step::Item("b.c"),
                Step::Member("d")
            ])
        );
        assert_eq!(steps("a..b"), None);
    }
}
