//! Request parameters: PHP-style form/query decoding (the codec shared with the client,
//! `bitrix-wire`) and lenient readers for behaviours.

use bitrix_spec::{Schema, Spec, TypeName};
use bitrix_wire::form::{self, FormError, Limits};
use indexmap::IndexMap;
use serde_json::{Map, Value};

/// What the portal's PHP takes: `max_input_nesting_level` 64, the 10 000 `max_input_vars`
/// Bitrix24 asks of its servers, and the mock's request body limit.
pub(crate) const LIMITS: Limits = Limits::php(crate::server::BODY_LIMIT);

/// Decodes `a=1&b[x]=2&c[]=3` the way PHP fills `$_REQUEST`: bracketed keys nest, `[]` appends
/// after the highest integer key, and containers whose keys are exactly `0..n` become arrays
/// (PHP lists). A body beyond [`LIMITS`] or not UTF-8 once decoded is refused.
pub(crate) fn parse_form(input: &str) -> Result<Map<String, Value>, FormError> {
    let map = form::decode(input, &LIMITS)?;
    match bitrix_wire::lists(Value::Object(map)) {
        Value::Object(map) => Ok(map),
        _ => Ok(Map::new()),
    }
}

/// PHP's `urlencode`, as `http_build_query` applies it to keys and values: letters, digits and
/// `-_.` stay, a space becomes `+`, everything else `%XX`.
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `key=value&..` from pairs whose keys are already PHP-style (`auth[domain]`), encoded as
/// `http_build_query` does.
pub(crate) fn build_form(pairs: &[(&str, String)]) -> String {
    let encoded = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)));
    encoded.collect::<Vec<_>>().join("&")
}

/// A scalar parameter as text: the portal reads numbers and strings alike.
pub(crate) fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An integer given as a JSON number or a numeric string.
pub(crate) fn int(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A flag in any of the spellings the portal accepts (`true`, `"Y"`, `"1"`, `1`, `"true"`).
pub(crate) fn flag(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_i64().is_some_and(|n| n != 0),
        Some(Value::String(s)) => matches!(s.as_str(), "Y" | "y" | "1" | "true"),
        _ => false,
    }
}

/// What the parsed parameters lose and the portal's PHP keeps: the order in which a request
/// wrote the keys of `order`, which decides which field sorts first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Written {
    /// The fields of `order`, as written; `None` when the request had no readable `order`.
    pub order: Option<Vec<String>>,
}

impl Written {
    /// From a request: its JSON or form body, else its query string.
    pub(crate) fn from_request(
        query: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Self {
        let form = content_type.is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
        let from_body = if form {
            form_keys(&String::from_utf8_lossy(body), "order")
        } else {
            json_keys(body, "order")
        };
        Written {
            order: from_body.or_else(|| query.and_then(|q| form_keys(q, "order"))),
        }
    }

    /// From the query string of a `batch` command.
    pub(crate) fn from_query(query: &str) -> Self {
        Written {
            order: form_keys(query, "order"),
        }
    }
}

/// The keys of the object `param` (any case) of a JSON body, in document order.
fn json_keys(body: &[u8], param: &str) -> Option<Vec<String>> {
    use serde::de::IgnoredAny;
    use serde_json::value::RawValue;
    let top: IndexMap<String, &RawValue> = serde_json::from_slice(body).ok()?;
    let raw = top
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(param))
        .map(|(_, v)| *v)?;
    let inner: IndexMap<String, IgnoredAny> = serde_json::from_str(raw.get()).ok()?;
    Some(inner.into_keys().collect())
}

/// The keys of `param[key]=..` pairs (`param` in any case) of a form, in order, each once.
fn form_keys(input: &str, param: &str) -> Option<Vec<String>> {
    let mut keys: Vec<String> = Vec::new();
    for pair in form::pairs(input, &LIMITS).ok()? {
        let Ok((key, _)) = pair else { continue };
        let Some((name, rest)) = key.split_once('[') else {
            continue;
        };
        let Some((inner, _)) = rest.split_once(']') else {
            continue;
        };
        if name.eq_ignore_ascii_case(param) && !keys.iter().any(|k| k == inner) {
            keys.push(inner.to_owned());
        }
    }
    (!keys.is_empty()).then_some(keys)
}

/// Brings `params` into the shape the spec names, the way the portal's PHP reads a request:
/// a name in another case reaches the documented parameter (or object member) when nothing
/// carries the documented name itself, as the portal's handlers fold keys
/// (`array_change_key_case`, case-insensitive lookups), and a JSON number or boolean where the
/// spec says string becomes the text PHP makes of it (`1` → `"1"`, `true` → `"1"`,
/// `false` → `""`; for a `Y`/`N` choice, `Y` or `N`).
pub(crate) fn as_the_portal_reads(spec: &Spec, params: &mut Map<String, Value>) {
    fold(&spec.params, params);
}

fn fold(fields: &IndexMap<String, Schema>, map: &mut Map<String, Value>) {
    for name in fields.keys() {
        if map.contains_key(name) {
            continue;
        }
        let other = map
            .keys()
            .find(|k| k.eq_ignore_ascii_case(name) && !fields.contains_key(k.as_str()))
            .cloned();
        if let Some(value) = other.and_then(|k| map.remove(&k)) {
            map.insert(name.clone(), value);
        }
    }
    for (name, schema) in fields {
        if let Some(value) = map.get_mut(name) {
            coerce(schema, value);
        }
    }
}

fn coerce(schema: &Schema, value: &mut Value) {
    let yes_no = schema.ty == TypeName::Yn
        || schema
            .values
            .as_ref()
            .is_some_and(|v| v.len() == 2 && v.iter().all(|v| v == "Y" || v == "N"));
    match (schema.ty, &*value) {
        (TypeName::String | TypeName::Url | TypeName::Enum | TypeName::Yn, Value::Bool(b))
            if yes_no =>
        {
            *value = Value::String(if *b { "Y" } else { "N" }.to_owned());
        }
        (TypeName::Enum | TypeName::Yn, Value::Number(n)) if yes_no => {
            let yes = n.as_f64().is_some_and(|n| n != 0.0);
            *value = Value::String(if yes { "Y" } else { "N" }.to_owned());
        }
        (TypeName::String | TypeName::Url | TypeName::Enum | TypeName::LocalizedText, scalar) => {
            let text = match scalar {
                Value::Number(n) => n.to_string(),
                Value::Bool(true) => "1".to_owned(),
                Value::Bool(false) => String::new(),
                _ => return,
            };
            *value = Value::String(text);
        }
        (TypeName::Object, _) => {
            if let (Some(fields), Value::Object(map)) = (&schema.fields, value) {
                fold(fields, map);
            }
        }
        (TypeName::Array | TypeName::Map, _) => {
            let Some(items) = &schema.items else { return };
            match value {
                Value::Array(list) => list.iter_mut().for_each(|v| coerce(items, v)),
                Value::Object(map) => map.values_mut().for_each(|v| coerce(items, v)),
                _ => {}
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parsed(input: &str) -> Value {
        Value::Object(parse_form(input).unwrap())
    }

    #[test]
    fn decodes_php_style_forms() {
        assert_eq!(
            parsed("CODE=a%2Eb&NAME[en]=Hi+there&LIST[]=1&LIST[]=2&M[0][x]=y&bad=%zz&s=%20"),
            json!({"CODE": "a.b", "NAME": {"en": "Hi there"}, "LIST": ["1", "2"], "M": [{"x": "y"}], "bad": "%zz", "s": " "})
        );
        // PHP's nesting limit: 64 levels pass, deeper is refused (PHP drops the variable).
        assert!(parse_form(&format!("a{}=1", "[x]".repeat(64))).is_ok());
        let deep = format!("a{}=1", "[x]".repeat(100_000));
        let e = parse_form(&deep).unwrap_err();
        assert!(
            matches!(
                e,
                FormError::TooDeep {
                    depth: 100_000,
                    limit: 64,
                    ..
                }
            ),
            "{e}"
        );
        assert!(matches!(
            parse_form("a=%FF"),
            Err(FormError::NotUtf8 { .. })
        ));
    }

    #[test]
    fn long_lists_and_appends_after_the_highest_index() {
        let eleven: String = (0..11).map(|i| format!("a[{i}]={i}&")).collect();
        let list = (0..11).map(|i| json!(i.to_string())).collect::<Vec<_>>();
        assert_eq!(parsed(&eleven)["a"], Value::Array(list));
        assert_eq!(
            parsed("a[1]=x&a[]=y&b[5]=z&b[]=w"),
            json!({"a": {"1": "x", "2": "y"}, "b": {"5": "z", "6": "w"}})
        );
    }

    #[test]
    fn order_keys_keep_their_written_order() {
        let json = br#"{"entityTypeId": 2, "ORDER": {"title": "ASC", "id": "DESC", "b": "ASC"}}"#;
        let written = Written::from_request(None, Some("application/json"), json);
        assert_eq!(
            written.order,
            Some(vec!["title".into(), "id".into(), "b".into()])
        );
        let form = b"order%5Bz%5D=ASC&order[a]=DESC&filter[x]=1";
        let ct = Some("application/x-www-form-urlencoded");
        let written = Written::from_request(None, ct, form);
        assert_eq!(written.order, Some(vec!["z".into(), "a".into()]));
        let query = Written::from_request(Some("order[y]=ASC&order[c]=ASC"), None, b"");
        assert_eq!(query.order, Some(vec!["y".into(), "c".into()]));
        assert_eq!(Written::from_query("select[]=id").order, None);
        assert_eq!(Written::from_request(None, None, b"[1]").order, None);
    }

    #[test]
    fn encodes_like_http_build_query() {
        let form = build_form(&[("auth[domain]", "a b&c=d/é".to_owned())]);
        assert_eq!(form, "auth%5Bdomain%5D=a+b%26c%3Dd%2F%C3%A9");
        assert_eq!(parsed(&form), json!({"auth": {"domain": "a b&c=d/é"}}));
    }
}
