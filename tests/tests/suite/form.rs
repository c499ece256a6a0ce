//! The PHP-style query encoding of batch commands round-trips through a PHP-style decoder for
//! every shape the specs use: nested objects, arrays, localized maps, booleans, unicode, and
//! values holding `&`, `=`, `[`, `]`, `%`, `+` and spaces. And the decoder never panics.

use bitrix_api::form::{Limits, decode, encode};
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

fn text() -> impl Strategy<Value = String> {
    // Unicode, and every character with a meaning in a query string.
    prop_oneof![
        "[a-zA-Z0-9 ]{0,12}",
        "[&=\\[\\]%+ #?/]{1,6}",
        "\\PC{0,10}",
        Just("%zz%2".to_owned()),
    ]
}

fn key() -> impl Strategy<Value = String> {
    // PHP cannot carry brackets inside a key name; everything else goes.
    "[a-zA-Z_][a-zA-Z0-9_ .&=%+é]{0,8}".prop_filter("no brackets", |k| !k.contains(['[', ']']))
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        text().prop_map(Value::String),
        Just(Value::Null),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn encode_then_php_decode_round_trips(params in prop::collection::btree_map(key(), value(), 0..6)) {
        let params: Map<String, Value> = params.into_iter().collect();
        let query = encode(&params);
        let decoded = decode(&query, Limits::default()).expect("our own encoding decodes");
        let expected = as_php(&Value::Object(params)).unwrap_or(Value::Object(Map::new()));
        prop_assert_eq!(Value::Object(decoded), expected, "query: {}", query);
    }

    #[test]
    fn the_decoder_never_panics_and_respects_its_limits(body in "\\PC{0,300}|[a-z\\[\\]=&%0-9]{0,300}") {
        let limits = Limits { max_bytes: 200, max_depth: 3, max_pairs: 20 };
        if let Ok(m) = decode(&body, limits) {
            prop_assert!(body.len() <= 200);
            prop_assert!(m.len() <= 20);
        }
    }
}
