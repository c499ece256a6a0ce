//! Request parameters: PHP-style form/query decoding and lenient readers for behaviours.

use serde_json::{Map, Value};

/// PHP's `max_input_nesting_level`: deeper keys are dropped, which also bounds the recursion here.
const MAX_NESTING: usize = 64;

/// Decodes `a=1&b[x]=2&c[]=3` the way PHP fills `$_REQUEST`: bracketed keys nest, `[]` appends
/// after the highest integer key, and containers whose keys are exactly `0..n` become arrays
/// (PHP lists).
pub(crate) fn parse_form(input: &str) -> Map<String, Value> {
    let mut root = Value::Object(Map::new());
    for pair in input.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (key, value) = (percent_decode(key), percent_decode(value));
        let (head, mut rest) = key.split_at(key.find('[').unwrap_or(key.len()));
        if head.is_empty() {
            continue;
        }
        let mut path = vec![head.to_owned()];
        while let Some(inner) = rest.strip_prefix('[') {
            let Some(end) = inner.find(']') else { break };
            path.push(inner[..end].to_owned());
            rest = &inner[end + 1..];
        }
        if path.len() <= MAX_NESTING {
            insert(&mut root, &path, Value::String(value));
        }
    }
    match lists(root) {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn insert(node: &mut Value, path: &[String], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        *node = value;
        return;
    };
    if !node.is_object() {
        *node = Value::Object(Map::new());
    }
    if let Value::Object(map) = node {
        let key = if first.is_empty() {
            // PHP appends after the highest integer key, so `a[1]=x&a[]=y` keeps `x`.
            let highest = map.keys().filter_map(|k| k.parse::<u64>().ok()).max();
            highest.map_or(0, |h| h.saturating_add(1)).to_string()
        } else {
            first.clone()
        };
        insert(map.entry(key).or_insert(Value::Null), rest, value);
    }
}

fn lists(value: Value) -> Value {
    match value {
        Value::Object(mut map) => {
            // The map sorts its keys as text ("10" before "2"), so check the set, not the order.
            let n = map.len();
            if n > 0 && (0..n).all(|i| map.contains_key(&i.to_string())) {
                let items = (0..n).map(|i| map.remove(&i.to_string()).unwrap_or(Value::Null));
                Value::Array(items.map(lists).collect())
            } else {
                Value::Object(map.into_iter().map(|(k, v)| (k, lists(v))).collect())
            }
        }
        other => other,
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

/// `application/x-www-form-urlencoded` decoding; malformed escapes are kept as written.
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn decodes_php_style_forms() {
        let map = parse_form("CODE=a%2Eb&NAME[en]=Hi+there&LIST[]=1&LIST[]=2&M[0][x]=y&bad=%zz");
        assert_eq!(
            Value::Object(map),
            json!({"CODE": "a.b", "NAME": {"en": "Hi there"}, "LIST": ["1", "2"], "M": [{"x": "y"}], "bad": "%zz"})
        );
        let deep = format!("a{}=1", "[x]".repeat(100_000));
        assert!(parse_form(&deep).is_empty());
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("a%4"), "a%4");
        assert_eq!(percent_decode("%41%42"), "AB");
    }

    #[test]
    fn long_lists_and_appends_after_the_highest_index() {
        let eleven: String = (0..11).map(|i| format!("a[{i}]={i}&")).collect();
        let list = (0..11).map(|i| json!(i.to_string())).collect::<Vec<_>>();
        assert_eq!(parse_form(&eleven)["a"], Value::Array(list));
        assert_eq!(
            Value::Object(parse_form("a[1]=x&a[]=y&b[5]=z&b[]=w")),
            json!({"a": {"1": "x", "2": "y"}, "b": {"5": "z", "6": "w"}})
        );
    }

    #[test]
    fn encodes_like_http_build_query() {
        let form = build_form(&[("auth[domain]", "a b&c=d/é".to_owned())]);
        assert_eq!(form, "auth%5Bdomain%5D=a+b%26c%3Dd%2F%C3%A9");
        let back = parse_form(&form);
        assert_eq!(
            Value::Object(back),
            json!({"auth": {"domain": "a b&c=d/é"}})
        );
    }
}
