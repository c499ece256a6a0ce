use serde_json::json;

use super::*;

fn decoded(input: &str) -> Value {
    Value::Object(decode(input, &Limits::default()).unwrap())
}

fn refused(input: &str, limits: &Limits) -> FormError {
    decode(input, limits).unwrap_err()
}

/// Takes a value apart with a stack of its own: serde_json drops nested values recursively.
fn dismantle(value: Value) {
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.into_iter().map(|(_, v)| v)),
            _ => {}
        }
    }
}

#[test]
fn nested_keys_both_ways() {
    let v = json!({"CODE": "a b&c=d", "MESSAGES": [{"user": {"id": "7"}}], "complete": true, "n": 5, "x": null, "e": []});
    let q = encode(v.as_object().unwrap());
    assert_eq!(
        q,
        "CODE=a%20b%26c%3Dd&MESSAGES[0][user][id]=7&complete=1&n=5"
    );
    assert_eq!(
        decoded(&q),
        json!({"CODE": "a b&c=d", "MESSAGES": {"0": {"user": {"id": "7"}}}, "complete": "1", "n": "5"})
    );
    assert_eq!(
        lists(decoded(&q)),
        json!({"CODE": "a b&c=d", "MESSAGES": [{"user": {"id": "7"}}], "complete": "1", "n": "5"})
    );
}

#[test]
fn php_details() {
    assert_eq!(
        decoded("a[]=1&a[]=2&b[x]=y&c=%zz&d=1+2&=skip&[x]=skip&e[f=g&h&&i=%4&j=%"),
        json!({"a": {"0": "1", "1": "2"}, "b": {"x": "y"}, "c": "%zz", "d": "1 2", "e[f": "g", "h": "", "i": "%4", "j": "%"})
    );
    // The brackets end at the first `]` not followed by `[`, or at a `[` never closed.
    assert_eq!(
        decoded("a[b]c[d]=1&e[f][g=2&k[x[y]]=3"),
        json!({"a": {"b": "1"}, "e": {"f": "2"}, "k": {"x[y": "3"}})
    );
    // Later pairs win, a value replaces an array and an array a value.
    assert_eq!(
        decoded("a=1&a[b]=2&c[d]=3&c=4&e[5]=x&e=y&e[]=z"),
        json!({"a": {"b": "2"}, "c": "4", "e": {"0": "z"}})
    );
    // Arrays past a few keys look them up by hash: the same answers.
    let mut many: String = (0..20).map(|i| format!("a[k{i}]={i}&")).collect();
    many.push_str("a[k3]=x&a[k15]=y&a[8]=n&a[]=z&a[k8][b]=c");
    let a = &decoded(&many)["a"];
    assert_eq!(a.as_object().unwrap().len(), 22);
    assert_eq!(
        (&a["k3"], &a["k15"], &a["k0"], &a["9"], &a["k8"]),
        (
            &json!("x"),
            &json!("y"),
            &json!("0"),
            &json!("z"),
            &json!({"b": "c"})
        )
    );
    // Escaped brackets are brackets, as PHP decodes the key first.
    assert_eq!(decoded("a%5Bb%5D=1"), json!({"a": {"b": "1"}}));
}

#[test]
fn plus_and_percent_20_are_both_spaces() {
    assert_eq!(
        decoded("a+b=c+d&e%20f=g%20h&i=%2B"),
        json!({"a b": "c d", "e f": "g h", "i": "+"})
    );
}

#[test]
fn appends_after_the_highest_integer_key_of_that_array() {
    assert_eq!(
        decoded("a[1]=x&a[]=y&b[5]=z&b[]=w&b[x]=v&b[]=u"),
        json!({"a": {"1": "x", "2": "y"}, "b": {"5": "z", "6": "w", "x": "v", "7": "u"}})
    );
    // Not integers to PHP: a leading zero, a sign; negative keys do not move the next index.
    assert_eq!(
        decoded("a[05]=x&a[]=y&b[%2B3]=x&b[]=y&c[-5]=x&c[]=y"),
        json!({"a": {"05": "x", "0": "y"}, "b": {"+3": "x", "0": "y"}, "c": {"-5": "x", "0": "y"}})
    );
    // Each array counts for itself.
    assert_eq!(
        decoded("m[][x]=1&m[][x]=2&m[0][]=3"),
        json!({"m": {"0": {"x": "1", "0": "3"}, "1": {"x": "2"}}})
    );
}

#[test]
fn appends_are_linear() {
    // 100 000 appends scanning their array each would take minutes; keeping the next index
    // per array makes it milliseconds (no timing asserted here, see the crate's README).
    let limits = Limits {
        max_bytes: 8 << 20,
        max_pairs: 200_000,
        ..Limits::default()
    };
    for n in [10_000, 100_000] {
        let body = "a[]=1&".repeat(n);
        let map = decode(&body, &limits).unwrap();
        assert_eq!(map["a"].as_object().unwrap().len(), n);
        assert_eq!(map["a"][(n - 1).to_string()], "1");
        let list = lists(Value::Object(map));
        assert_eq!(list["a"].as_array().unwrap().len(), n);
    }
}

#[test]
fn the_largest_indices_neither_panic_nor_wrap() {
    // Beyond i64::MAX a key is text to PHP, so `[]` starts at 0, as in PHP.
    assert_eq!(
        decoded("a[18446744073709551615]=1&a[]=2"),
        json!({"a": {"18446744073709551615": "1", "0": "2"}})
    );
    assert_eq!(
        decoded("a[9223372036854775806]=1&a[]=2"),
        json!({"a": {"9223372036854775806": "1", "9223372036854775807": "2"}})
    );
    // After i64::MAX there is no next index: PHP drops the pair, we refuse the body.
    for body in [
        "a[9223372036854775807]=1&a[]=2",
        "a[9223372036854775806]=1&a[]=2&a[]=3",
        "a[9223372036854775807]=1&a[][x]=2",
    ] {
        let e = refused(body, &Limits::default());
        assert!(
            matches!(&e, FormError::IndexOverflow { key } if key.starts_with("a[")),
            "{e:?}"
        );
        assert!(e.to_string().contains("`a[]"), "{e}");
    }
}

#[test]
fn keys_deeper_than_the_limit_are_refused() {
    let deep = "a".to_owned() + &"[x]".repeat(40) + "=1";
    let e = refused(&deep, &Limits::default());
    assert!(
        matches!(&e, FormError::TooDeep { depth: 40, limit: 16, key } if key.starts_with("a[x][x]")),
        "{e:?}"
    );
    let text = e.to_string();
    assert!(
        text.contains("40 levels deep") && text.contains("a[x][x]"),
        "{text}"
    );
    let at_limit = "a".to_owned() + &"[x]".repeat(16) + "=1";
    assert!(decode(&at_limit, &Limits::default()).is_ok());
    // PHP's level: 64 brackets pass, 65 do not.
    let php = Limits::php(1 << 20);
    assert!(decode(&format!("a{}=1", "[]".repeat(64)), &php).is_ok());
    assert!(matches!(
        refused(&format!("a{}=1", "[]".repeat(65)), &php),
        FormError::TooDeep { depth: 65, .. }
    ));
}

#[test]
fn a_raised_depth_limit_does_not_overflow_the_stack() {
    const DEPTH: usize = 100_000;
    let limits = Limits {
        max_bytes: 1 << 20,
        max_depth: DEPTH,
        max_pairs: 3 * DEPTH, // the pairs, and the arrays they open
    };
    let body = format!("a{}=leaf&b=1", "[0]".repeat(DEPTH));
    let map = decode(&body, &limits).unwrap();
    // Every level `{"0": ..}` is a list of one: `lists` goes all the way down without recursing.
    let mut value = lists(Value::Object(map));
    assert_eq!(value["b"], "1");
    let mut node = value["a"].take();
    let mut levels = 0;
    while let Value::Array(mut items) = node {
        assert_eq!(items.len(), 1);
        node = items.pop().unwrap();
        levels += 1;
    }
    assert_eq!((levels, node), (DEPTH, json!("leaf")));
    // Too deep by one, and an error after a deep key: nothing recursive is dropped.
    let deeper = format!("a{}=1", "[]".repeat(DEPTH + 1));
    assert!(matches!(
        refused(&deeper, &limits),
        FormError::TooDeep { .. }
    ));
    let then_bad = format!("a{}=1&b=%FF", "[]".repeat(DEPTH));
    assert!(matches!(
        refused(&then_bad, &limits),
        FormError::NotUtf8 {
            pair: 2,
            in_value: true,
            ..
        }
    ));
    // Appending deep, one pair after another.
    let twice = format!("a{0}=1&a{0}=2", "[]".repeat(DEPTH));
    dismantle(Value::Object(decode(&twice, &limits).unwrap()));
}

#[test]
fn the_pair_limit_also_bounds_the_arrays_opened() {
    // Within 1 MiB and 10 000 pairs, 16 new arrays a pair would be 160 000 maps (~100 MB).
    let limits = Limits::default();
    let hostile: String = (0..limits.max_pairs)
        .map(|i| format!("k{i}{}=&", "[]".repeat(limits.max_depth)))
        .collect();
    assert!(hostile.len() < limits.max_bytes);
    let e = refused(&hostile, &limits);
    assert!(
        matches!(&e, FormError::TooManyArrays { limit: 10_000, key } if key.starts_with("k625[]")),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .contains("more arrays than the limit of 10000"),
        "{e}"
    );
    // Exactly as many arrays as the limit is fine; reused arrays do not count again.
    let small = Limits {
        max_pairs: 3,
        ..limits
    };
    assert!(decode("a[b][c]=1&d[]=2", &small).is_ok());
    assert!(decode("a[b][c]=1&a[b][d]=2&a[e]=3", &small).is_ok());
    assert!(matches!(
        refused("a[b][c]=1&d[e][f]=2", &small),
        FormError::TooManyArrays { limit: 3, .. }
    ));
    // An array replaced by a value and opened again counts twice: it cost twice.
    assert!(decode("a[b]=1&a[c][d][e]=3", &small).is_ok());
    assert!(matches!(
        refused("a[b]=1&a=2&a[c][d][e]=3", &small),
        FormError::TooManyArrays { .. }
    ));
}

#[test]
fn byte_pair_and_encoding_limits() {
    let small = Limits {
        max_bytes: 20,
        max_depth: 2,
        max_pairs: 2,
    };
    assert_eq!(
        refused("a=1234567890123456789", &small),
        FormError::TooLong {
            bytes: 21,
            limit: 20
        }
    );
    assert_eq!(
        refused("a=1&&b=2&c=3", &small),
        FormError::TooManyPairs { limit: 2 }
    );
    assert!(decode("a=1&&b=2&", &small).is_ok());
    let e = refused("a=%FF", &Limits::default());
    assert_eq!(
        e,
        FormError::NotUtf8 {
            pair: 1,
            key: "a".into(),
            in_value: true
        }
    );
    assert!(e.to_string().contains("(`a`): the value"), "{e}");
    let e = refused("ok=1&k%C3=1", &Limits::default());
    assert_eq!(
        e,
        FormError::NotUtf8 {
            pair: 2,
            key: "k%C3".into(),
            in_value: false
        }
    );
    // Keys in errors are cut short and escaped; values never appear.
    let long = format!("{}\n{}", "k".repeat(300), "[x]".repeat(20));
    let e = refused(&format!("{long}=secret"), &Limits::default());
    let text = e.to_string();
    assert!(
        text.len() < 300 && text.contains("...") && !text.contains("secret"),
        "{text}"
    );
    assert!(!text.contains('\n'));
}

#[test]
fn pairs_keep_their_order() {
    let all: Vec<_> = pairs("cmd[b]=x%3Fy&cmd[a]=2+3&flag", &Limits::default())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        all,
        [
            ("cmd[b]".to_owned(), "x?y".to_owned()),
            ("cmd[a]".to_owned(), "2 3".to_owned()),
            ("flag".to_owned(), String::new())
        ]
    );
    let mut it = pairs("a=%FF&b=1", &Limits::default()).unwrap();
    assert!(matches!(it.next(), Some(Err(FormError::NotUtf8 { .. }))));
    assert!(it.next().is_none(), "ends after an error");
}

#[test]
fn lists_are_exactly_zero_to_n() {
    let eleven: String = (0..11).map(|i| format!("a[{i}]={i}&")).collect();
    let list = (0..11).map(|i| json!(i.to_string())).collect::<Vec<_>>();
    assert_eq!(lists(decoded(&eleven))["a"], Value::Array(list));
    assert_eq!(
        lists(json!({
            "gap": {"0": "a", "2": "b"},
            "lead": {"0": "a", "01": "b"},
            "nested": {"0": {"1": "x", "0": "y"}},
            "empty": {},
            "array": [{"0": "z"}],
            "n": 1,
        })),
        json!({
            "gap": {"0": "a", "2": "b"},
            "lead": {"0": "a", "01": "b"},
            "nested": [["y", "x"]],
            "empty": {},
            "array": [["z"]],
            "n": 1,
        })
    );
    assert_eq!(lists(json!("x")), json!("x"));
}

#[test]
fn encodes_deep_values_without_recursing() {
    let mut v = json!("x");
    for i in 0..10_000 {
        // Not `json!`, which would copy `v` recursively.
        v = if i % 2 == 0 {
            Value::Array(vec![v])
        } else {
            Value::Object(Map::from_iter([("k".to_owned(), v)]))
        };
    }
    let map = Map::from_iter([("a".to_owned(), v)]);
    let q = encode(&map);
    dismantle(Value::Object(map));
    assert_eq!(q, format!("a{}=x", "[k][0]".repeat(5_000)));
}
