//! PHP-style query strings (`MESSAGES[0][user][id]=7&halt=1`): how `batch` commands are
//! encoded, and how Bitrix24 encodes what it POSTs to an application's handlers.

use serde_json::{Map, Value};

/// Encodes a JSON object as a PHP-style query string, the way PHP's `http_build_query` does:
/// nested keys in brackets, `true`/`false` as `1`/`0`, `null` and empty arrays or objects left
/// out (PHP cannot tell them from absent), everything percent-encoded but the brackets.
pub fn encode(params: &Map<String, Value>) -> String {
    let mut out = String::new();
    for (k, v) in params {
        let mut key = String::new();
        escape_into(k, &mut key);
        walk(&mut key, v, &mut out);
    }
    out
}

fn walk(key: &mut String, v: &Value, out: &mut String) {
    let pair = |value: &str, out: &mut String| {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(key);
        out.push('=');
        escape_into(value, out);
    };
    match v {
        Value::Null => {}
        Value::Bool(b) => pair(if *b { "1" } else { "0" }, out),
        Value::Number(n) => pair(&n.to_string(), out),
        Value::String(s) => pair(s, out),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = key.len();
                key.push_str(&format!("[{i}]"));
                walk(key, item, out);
                key.truncate(len);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                let len = key.len();
                key.push('[');
                escape_into(k, key);
                key.push(']');
                walk(key, item, out);
                key.truncate(len);
            }
        }
    }
}

/// Percent-encodes all but the RFC 3986 unreserved characters.
fn escape_into(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
}

/// Limits that keep a hostile body from costing more than its size.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Longest body accepted, in bytes.
    pub max_bytes: usize,
    /// Deepest bracket nesting accepted (`a[b][c]` is 3).
    pub max_depth: usize,
    /// Most `key=value` pairs accepted.
    pub max_pairs: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 1 << 20,
            max_depth: 16,
            max_pairs: 10_000,
        }
    }
}

/// A PHP-style body that could not be read; says what and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for FormError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "malformed form body: {}", self.message)
    }
}

impl std::error::Error for FormError {}

/// Decodes a PHP-style query string into JSON the way PHP's `parse_str` builds `$_POST`: every
/// scalar is a string, `a[]=` appends, `a[x]=` sets a key, later pairs overwrite earlier ones.
/// Arrays come out as objects keyed `"0"`, `"1"`, ... (as PHP's ordered maps are); serde types
/// read them through [`crate::de`]'s lenient helpers.
pub fn decode(body: &str, limits: Limits) -> Result<Map<String, Value>, FormError> {
    let err = |message: String| FormError { message };
    if body.len() > limits.max_bytes {
        return Err(err(format!(
            "{} bytes, more than the limit of {}",
            body.len(),
            limits.max_bytes
        )));
    }
    let mut root = Map::new();
    for (n, pair) in body.split('&').filter(|p| !p.is_empty()).enumerate() {
        if n >= limits.max_pairs {
            return Err(err(format!(
                "more than {} key=value pairs",
                limits.max_pairs
            )));
        }
        let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = unescape(raw_key).map_err(|e| err(format!("pair {}: key: {e}", n + 1)))?;
        let value =
            unescape(raw_value).map_err(|e| err(format!("pair {} ({key}): value: {e}", n + 1)))?;
        let (name, path) = split_key(&key);
        if name.is_empty() {
            continue; // PHP ignores pairs without a name.
        }
        if path.len() > limits.max_depth {
            return Err(err(format!(
                "`{key}` is nested {} levels deep, more than {}",
                path.len(),
                limits.max_depth
            )));
        }
        insert(&mut root, name, &path, value);
    }
    Ok(root)
}

/// `a[b][]` -> ("a", ["b", ""]). A key without a closing bracket is taken whole, like PHP.
fn split_key(key: &str) -> (&str, Vec<&str>) {
    let Some(open) = key.find('[') else {
        return (key, Vec::new());
    };
    let (name, mut rest) = key.split_at(open);
    let mut path = Vec::new();
    while let Some(inner) = rest.strip_prefix('[') {
        let Some(close) = inner.find(']') else { break };
        path.push(&inner[..close]);
        rest = &inner[close + 1..];
    }
    if path.is_empty() {
        (key, path)
    } else {
        (name, path)
    }
}

fn insert(map: &mut Map<String, Value>, name: &str, path: &[&str], value: String) {
    let Some((first, rest)) = path.split_first() else {
        map.insert(name.to_owned(), Value::String(value));
        return;
    };
    let slot = map
        .entry(name.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    let Value::Object(child) = slot else { return };
    let key = if first.is_empty() {
        next_index(child)
    } else {
        (*first).to_owned()
    };
    insert(child, &key, rest, value);
}

/// The key `[]` appends under: one past the largest integer key, like PHP.
fn next_index(map: &Map<String, Value>) -> String {
    map.keys()
        .filter_map(|k| k.parse::<u64>().ok())
        .max()
        .map_or(0, |m| m + 1)
        .to_string()
}

fn unescape(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    // PHP keeps a stray `%` as it is.
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| "not UTF-8 after percent-decoding".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_keys_both_ways() {
        let v = json!({"CODE": "a b&c=d", "MESSAGES": [{"user": {"id": "7"}}], "complete": true, "n": 5, "x": null});
        let q = encode(v.as_object().unwrap());
        assert_eq!(
            q,
            "CODE=a%20b%26c%3Dd&MESSAGES[0][user][id]=7&complete=1&n=5"
        );
        let back = decode(&q, Limits::default()).unwrap();
        assert_eq!(
            Value::Object(back),
            json!({"CODE": "a b&c=d", "MESSAGES": {"0": {"user": {"id": "7"}}}, "complete": "1", "n": "5"})
        );
    }

    #[test]
    fn php_details() {
        let m = decode(
            "a[]=1&a[]=2&b[x]=y&c=%zz&d=1+2&=skip&e[f=g",
            Limits::default(),
        )
        .unwrap();
        assert_eq!(
            Value::Object(m),
            json!({"a": {"0": "1", "1": "2"}, "b": {"x": "y"}, "c": "%zz", "d": "1 2", "e[f": "g"})
        );
        let deep = "a".to_owned() + &"[x]".repeat(40) + "=1";
        assert!(
            decode(&deep, Limits::default())
                .unwrap_err()
                .message
                .contains("levels deep")
        );
        assert!(decode("a=%FF", Limits::default()).is_err());
    }
}
