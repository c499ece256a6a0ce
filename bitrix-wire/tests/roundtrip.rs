//! `encode` then `decode` gives back what PHP would for every shape the specs use: nested objects,
//! arrays, booleans, numbers, unicode, and text holding `&`, `=`, `[`, `]`, `%`, `+` and spaces;
//! `lists` then gives back the arrays. And the decoder never panics on anything.

use bitrix_wire::form::{FormError, Limits, decode, encode};
use bitrix_wire::lists;
use proptest::prelude::*;
use serde_json::{Map, Value};

/// What PHP gives back for a value: scalars as strings (`true` -> "1"), arrays as maps keyed
/// "0".., nothing for null or empty containers.
fn as_php(v: &Value) -> Option<Value> {
    match v {
        Value::Null => None,
        Value::Bool(b) => Some(Value::String(if *b { "1" } else { "0" }.into())),
        Value::Number(n) => Some(Value::String(n.to_string())),
        Value::String(s) => Some(Value::String(s.clone())),
        Value::Array(items) => {
            let m: Map<String, Value> = items
                .iter()
                .enumerate()
                .filter_map(|(i, x)| Some((i.to_string(), as_php(x)?)))
                .collect();
            (!m.is_empty()).then_some(Value::Object(m))
        }
        Value::Object(o) => {
            let m: Map<String, Value> = o
                .iter()
                .filter_map(|(k, x)| Some((k.clone(), as_php(x)?)))
                .collect();
            (!m.is_empty()).then_some(Value::Object(m))
        }
    }
}

/// `as_php` of a value without nulls and empty containers, read back by `lists`: the value itself
/// with scalars as strings.
fn as_text(v: &Value) -> Value {
    match v {
        Value::Bool(b) => Value::String(if *b { "1" } else { "0" }.into()),
        Value::Number(n) => Value::String(n.to_string()),
        Value::Array(items) => Value::Array(items.iter().map(as_text).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, x)| (k.clone(), as_text(x))).collect()),
        other => other.clone(),
    }
}

fn text() -> impl Strategy<Value = String> {
    // Unicode, and every character with a meaning in a query string.
    prop_oneof![
        "[a-zA-Z0-9 ]{0,12}",
        "[&=\\[\\]%+ #?/;]{1,6}",
        "\\PC{0,10}",
        Just("%zz%2 %20+".to_owned()),
    ]
}

fn key() -> impl Strategy<Value = String> {
    // PHP cannot carry brackets inside a key name; everything else goes.
    "[a-zA-Z_é][a-zA-Z0-9_ .&=%+é]{0,8}".prop_filter("no brackets", |k| !k.contains(['[', ']']))
}

fn value(leaf_null: bool) -> impl Strategy<Value = Value> {
    let mut leaves = vec![
        any::<bool>().prop_map(Value::Bool).boxed(),
        any::<i64>().prop_map(Value::from).boxed(),
        text().prop_map(Value::String).boxed(),
    ];
    if leaf_null {
        leaves.push(Just(Value::Null).boxed());
    }
    let leaf = proptest::strategy::Union::new(leaves);
    let min = usize::from(!leaf_null);
    leaf.prop_recursive(5, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), min..5).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, min..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn encode_then_decode_is_what_php_reads(params in prop::collection::btree_map(key(), value(true), 0..6)) {
        let params: Map<String, Value> = params.into_iter().collect();
        let query = encode(&params);
        let decoded = decode(&query, &Limits::default()).expect("our own encoding decodes");
        let expected = as_php(&Value::Object(params)).unwrap_or(Value::Object(Map::new()));
        prop_assert_eq!(Value::Object(decoded), expected, "query: {}", query);
    }

    #[test]
    fn lists_bring_the_arrays_back(params in prop::collection::btree_map(key(), value(false), 1..6)) {
        let params = Value::Object(params.into_iter().collect());
        let query = encode(params.as_object().unwrap());
        let decoded = lists(Value::Object(decode(&query, &Limits::default()).unwrap()));
        prop_assert_eq!(decoded, as_text(&params), "query: {}", query);
    }

    #[test]
    fn spaces_survive_either_spelling(s in "[a-z +]{0,20}") {
        let plus = format!("k={}", s.replace(' ', "+"));
        let pct = format!("k={}", s.replace(' ', "%20"));
        let want = s.replace('+', " ");
        prop_assert_eq!(&decode(&plus, &Limits::default()).unwrap()["k"], &want);
        prop_assert_eq!(&decode(&pct, &Limits::default()).unwrap()["k"], &want);
    }

    #[test]
    fn the_decoder_never_panics_and_keeps_its_limits(
        body in "\\PC{0,300}|[a-z\\[\\]=&%+0-9]{0,300}|(a(\\[[0-9]{0,20}\\]){0,6}=[a-z%]{0,3}&){0,40}"
    ) {
        let limits = Limits { max_bytes: 200, max_depth: 3, max_pairs: 20 };
        match decode(&body, &limits) {
            Ok(m) => {
                prop_assert!(body.len() <= 200);
                prop_assert!(m.len() <= 20);
                let _ = lists(Value::Object(m));
            }
            Err(e) => {
                let text = e.to_string();
                prop_assert!(text.starts_with("malformed form body: "));
                if let FormError::TooLong { bytes, limit } = e {
                    prop_assert!(bytes > limit);
                }
            }
        }
    }
}
