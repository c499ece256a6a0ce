//! PHP-style forms and query strings (`MESSAGES[0][user][id]=7&halt=1`): how the client encodes
//! `batch` commands, how Bitrix24 encodes what it POSTs to an application's handlers, and how the
//! mock portal reads what it is sent.
//!
//! [`encode`] writes what PHP's `http_build_query` writes; [`decode`] reads what PHP's
//! `parse_str` (and so `$_POST`) reads, within [`Limits`]; [`lists`] turns PHP's lists (maps
//! keyed `"0"`..`"n-1"`) into JSON arrays. Nothing here recurses per nesting level, so no input
//! and no raised limit can exhaust the stack.
//!
//! Where the decoder parts from PHP, deliberately:
//!
//! - a key nested deeper than [`Limits::max_depth`] makes the whole body an error
//!   ([`FormError::TooDeep`]); PHP drops the variable with a warning. Likewise for too many pairs
//!   ([`FormError::TooManyPairs`]; PHP keeps the first `max_input_vars`) and too many bytes
//!   ([`FormError::TooLong`]; PHP empties `$_POST`). A silently shortened payload would be read as
//!   a valid one with fields missing.
//! - the pairs may open no more arrays between them than [`Limits::max_pairs`]
//!   ([`FormError::TooManyArrays`]), a limit PHP does not have: it keeps a body of `max_pairs`
//!   keys each `max_depth` deep from costing a hundred times its size.
//! - `[]` after the integer key `9223372036854775807` (PHP's largest) is an error
//!   ([`FormError::IndexOverflow`]); PHP drops that pair with a warning. A larger number, such as
//!   `18446744073709551615`, is a text key in PHP and here alike, so
//!   `a[18446744073709551615]=1&a[]=2` appends at `0`, as PHP does.
//! - a name's spaces and dots are kept (PHP turns `a.b` and `a b` into `a_b`), and a name whose
//!   `[` is never closed is taken whole (`e[f=g` is the key `e[f`, PHP's is `e_f`), so that every
//!   name [`encode`] writes reads back unchanged.
//! - a value or key that is not UTF-8 once percent-decoded is an error ([`FormError::NotUtf8`]);
//!   PHP keeps the bytes.

use std::collections::HashMap;
use std::fmt::{self, Write as _};

use serde_json::{Map, Value};

/// Encodes a JSON object as a PHP-style query string, the way PHP's `http_build_query` does:
/// nested keys in brackets, arrays keyed by position, `true`/`false` as `1`/`0`, `null` and
/// empty arrays or objects left out (PHP cannot tell them from absent), everything
/// percent-encoded but the RFC 3986 unreserved characters and the brackets (a space is `%20`).
pub fn encode(params: &Map<String, Value>) -> String {
    let mut out = String::new();
    let mut key = String::new();
    for (name, value) in params {
        key.clear();
        escape_into(name, &mut key);
        walk(&mut key, value, &mut out);
    }
    out
}

/// Writes the pairs of `value` under `key`, depth first, with a stack of its own rather than
/// the call stack.
fn walk(key: &mut String, value: &Value, out: &mut String) {
    enum Children<'a> {
        Array(std::iter::Enumerate<std::slice::Iter<'a, Value>>),
        Object(serde_json::map::Iter<'a>),
    }
    // Each open container with the length of its key, to which its children's suffixes are added.
    let mut open: Vec<(Children<'_>, usize)> = Vec::new();
    let mut next = Some(value);
    loop {
        match next.take() {
            Some(Value::Null) | None => {}
            Some(Value::Bool(b)) => pair(key, if *b { "1" } else { "0" }, out),
            Some(Value::Number(n)) => pair(key, &n.to_string(), out),
            Some(Value::String(s)) => pair(key, s, out),
            Some(Value::Array(items)) => {
                open.push((Children::Array(items.iter().enumerate()), key.len()))
            }
            Some(Value::Object(map)) => open.push((Children::Object(map.iter()), key.len())),
        }
        let Some((children, len)) = open.last_mut() else {
            return;
        };
        key.truncate(*len);
        match children {
            Children::Array(items) => {
                if let Some((i, item)) = items.next() {
                    let _ = write!(key, "[{i}]");
                    next = Some(item);
                }
            }
            Children::Object(entries) => {
                if let Some((k, item)) = entries.next() {
                    key.push('[');
                    escape_into(k, key);
                    key.push(']');
                    next = Some(item);
                }
            }
        }
        if next.is_none() {
            open.pop();
        }
    }
}

fn pair(key: &str, value: &str, out: &mut String) {
    if !out.is_empty() {
        out.push('&');
    }
    out.push_str(key);
    out.push('=');
    escape_into(value, out);
}

/// Percent-encodes all but the RFC 3986 unreserved characters.
fn escape_into(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

/// Limits that keep a hostile body from costing much more than its size.
///
/// The defaults (1 MiB, 16 levels, 10 000 pairs) are more than any Bitrix24 payload needs. A
/// `max_depth` raised far beyond them costs the decoder nothing, but a [`serde_json::Value`]
/// nested thousands of levels deep is dropped, compared, cloned and printed recursively by
/// serde_json and can overflow the stack there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest body accepted, in bytes.
    pub max_bytes: usize,
    /// Deepest bracket nesting accepted: `a` is 0, `a[b][c]` is 2.
    pub max_depth: usize,
    /// Most `key=value` pairs accepted (empty ones, as in `a=1&&b=2`, do not count), and most
    /// arrays (`a[..]`) the pairs may open between them. A real payload opens fewer arrays than
    /// it has pairs; a hostile one could open `max_depth` per pair, each costing a
    /// [`serde_json::Map`] of some 600 bytes.
    pub max_pairs: usize,
}

impl Limits {
    /// PHP's own defaults for `$_POST`, but for bytes: `max_input_nesting_level` 64 and the
    /// `max_input_vars` of 10 000 that Bitrix24 asks of its servers, within `max_bytes`.
    pub const fn php(max_bytes: usize) -> Self {
        Limits {
            max_bytes,
            max_depth: 64,
            max_pairs: 10_000,
        }
    }
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

/// Why a PHP-style body was refused. Keys are quoted as sent, shortened to their first
/// [`FormError::KEY_CHARS`] characters; values are never quoted (they may be secrets).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FormError {
    /// The body is longer than [`Limits::max_bytes`].
    TooLong {
        /// Its length in bytes.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// The body has more than [`Limits::max_pairs`] pairs.
    TooManyPairs {
        /// The limit.
        limit: usize,
    },
    /// A key is nested deeper than [`Limits::max_depth`].
    TooDeep {
        /// The key, percent-decoded.
        key: String,
        /// Its bracket levels.
        depth: usize,
        /// The limit.
        limit: usize,
    },
    /// The pairs open more arrays between them than [`Limits::max_pairs`].
    TooManyArrays {
        /// The key that would open one more, percent-decoded.
        key: String,
        /// The limit.
        limit: usize,
    },
    /// `[]` would append after the largest integer key PHP has (`i64::MAX`).
    IndexOverflow {
        /// The key, percent-decoded.
        key: String,
    },
    /// A key or value is not UTF-8 once percent-decoded.
    NotUtf8 {
        /// Which pair, counting from 1.
        pair: usize,
        /// The key: as sent (percent-encoded) when the key is at fault, else decoded.
        key: String,
        /// Whether the value (not the key) is at fault.
        in_value: bool,
    },
}

impl FormError {
    /// How many characters of a key an error keeps.
    pub const KEY_CHARS: usize = 100;
}

/// The first [`FormError::KEY_CHARS`] characters of `key`, marked when cut.
fn shorten(key: &str) -> String {
    match key.char_indices().nth(FormError::KEY_CHARS) {
        Some((at, _)) => format!("{}...", &key[..at]),
        None => key.to_owned(),
    }
}

impl fmt::Display for FormError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("malformed form body: ")?;
        match self {
            FormError::TooLong { bytes, limit } => {
                write!(f, "{bytes} bytes, more than the limit of {limit}")
            }
            FormError::TooManyPairs { limit } => {
                write!(f, "more than the limit of {limit} key=value pairs")
            }
            FormError::TooDeep { key, depth, limit } => write!(
                f,
                "`{}` is nested {depth} levels deep, more than the limit of {limit}",
                key.escape_debug()
            ),
            FormError::TooManyArrays { key, limit } => write!(
                f,
                "`{}` opens more arrays than the limit of {limit} for the whole body",
                key.escape_debug()
            ),
            FormError::IndexOverflow { key } => write!(
                f,
                "`{}` appends after the largest integer key there is ({})",
                key.escape_debug(),
                i64::MAX
            ),
            FormError::NotUtf8 {
                pair,
                key,
                in_value,
            } => write!(
                f,
                "pair {pair} (`{}`): the {} is not UTF-8 after percent-decoding",
                key.escape_debug(),
                if *in_value { "value" } else { "key" }
            ),
        }
    }
}

impl std::error::Error for FormError {}

/// The `key=value` pairs of a body, percent-decoded (`+` is a space), in order, within the byte
/// and pair limits: what [`decode`] builds its object from, for readers that need the order PHP's
/// arrays keep and a sorted [`Map`] loses.
///
/// Empty pairs (`a=1&&b=2`) are skipped, a pair without `=` has the value `""`, and a `%` not
/// followed by two hex digits is kept as it is, all as in PHP. The iterator ends after the first
/// error.
pub fn pairs<'a>(input: &'a str, limits: &Limits) -> Result<Pairs<'a>, FormError> {
    if input.len() > limits.max_bytes {
        return Err(FormError::TooLong {
            bytes: input.len(),
            limit: limits.max_bytes,
        });
    }
    Ok(Pairs {
        rest: Some(input.split('&')),
        seen: 0,
        max_pairs: limits.max_pairs,
    })
}

/// The iterator of [`pairs`]: `(key, value)`, both percent-decoded.
#[derive(Debug, Clone)]
pub struct Pairs<'a> {
    rest: Option<std::str::Split<'a, char>>,
    seen: usize,
    max_pairs: usize,
}

impl Iterator for Pairs<'_> {
    type Item = Result<(String, String), FormError>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.rest.as_mut()?;
        let item = loop {
            let raw = rest.next()?;
            if raw.is_empty() {
                continue;
            }
            if self.seen == self.max_pairs {
                break Err(FormError::TooManyPairs {
                    limit: self.max_pairs,
                });
            }
            self.seen += 1;
            let (raw_key, raw_value) = raw.split_once('=').unwrap_or((raw, ""));
            let Some(key) = unescape(raw_key) else {
                break Err(FormError::NotUtf8 {
                    pair: self.seen,
                    key: shorten(raw_key),
                    in_value: false,
                });
            };
            break match unescape(raw_value) {
                Some(value) => Ok((key, value)),
                None => Err(FormError::NotUtf8 {
                    pair: self.seen,
                    key: shorten(&key),
                    in_value: true,
                }),
            };
        };
        if item.is_err() {
            self.rest = None;
        }
        Some(item)
    }
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte, a stray `%` is
/// kept; `None` when the bytes are not UTF-8.
fn unescape(s: &str) -> Option<String> {
    if !s.contains(['%', '+']) {
        return Some(s.to_owned());
    }
    fn hex(b: Option<&u8>) -> Option<u8> {
        match *b? {
            b @ b'0'..=b'9' => Some(b - b'0'),
            b @ b'a'..=b'f' => Some(b - b'a' + 10),
            b @ b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Decodes a PHP-style body into JSON the way PHP's `parse_str` builds `$_POST`: every scalar is
/// a string, `a[x]=` sets a key, `a[]=` appends after the highest integer key seen in that
/// array, a key's brackets end at the first `]` not followed by `[`, later pairs overwrite
/// earlier ones (a value where an array was replaces it, and the other way round). Arrays come
/// out as objects keyed `"0"`, `"1"`, ... (PHP's arrays are ordered maps); [`lists`] turns those
/// that are lists into JSON arrays.
///
/// The cost is linear in the size of the body: each pair is one walk down its key, with one
/// lookup per level (a short scan, or a hash lookup in arrays of more than a few keys) and the
/// next `[]` index kept per array. The module documentation lists where this parts from PHP.
pub fn decode(input: &str, limits: &Limits) -> Result<Map<String, Value>, FormError> {
    let mut tree = Tree::new(limits);
    for pair in pairs(input, limits)? {
        let (key, value) = pair?;
        tree.insert(&key, value)?;
    }
    Ok(tree.into_map())
}

/// A PHP array being filled: its entries in first-set order, and the key `[]` uses next.
#[derive(Default)]
struct Node {
    entries: Vec<(String, Slot)>,
    /// Key -> position in `entries`, kept once there are more than [`Node::SCAN`] of them.
    index: HashMap<String, usize>,
    /// One past the highest integer key so far, as PHP's `nNextFreeElement`; `i64::MAX + 1` at
    /// most.
    next: u64,
}

impl Node {
    /// Up to this many entries a key is looked up by scanning them.
    const SCAN: usize = 8;

    fn find(&self, name: &str) -> Option<usize> {
        if self.entries.len() > Self::SCAN {
            self.index.get(name).copied()
        } else {
            self.entries.iter().position(|(k, _)| k == name)
        }
    }

    /// Adds `name` (not there yet) as an empty text; its position.
    fn add(&mut self, name: String) -> usize {
        if let Some(index) = php_index(&name) {
            self.next = self.next.max(index + 1);
        }
        let at = self.entries.len();
        if at == Self::SCAN {
            let keys = self.entries.iter().enumerate();
            self.index = keys.map(|(i, (k, _))| (k.clone(), i)).collect();
        }
        if at >= Self::SCAN {
            self.index.insert(name.clone(), at);
        }
        self.entries.push((name, Slot::Text(String::new())));
        at
    }
}

enum Slot {
    Text(String),
    Node(usize),
}

/// The arrays of a body, flat: node 0 is the root, and a node's children always come after it.
/// Nothing here is nested, so building and dropping it never recurses.
struct Tree {
    nodes: Vec<Node>,
    max_depth: usize,
    /// How many arrays (the root aside) the body may open: [`Limits::max_pairs`].
    max_arrays: usize,
}

/// A key's next level: a name, or `[]`.
enum Step<'a> {
    Name(&'a str),
    Append,
}

impl Tree {
    fn new(limits: &Limits) -> Self {
        Tree {
            nodes: vec![Node::default()],
            max_depth: limits.max_depth,
            max_arrays: limits.max_pairs,
        }
    }

    fn insert(&mut self, key: &str, value: String) -> Result<(), FormError> {
        let (name, mut levels) = split_key(key);
        if name.is_empty() {
            return Ok(()); // PHP ignores a pair without a name.
        }
        let mut node = 0;
        let mut step = Step::Name(name);
        let mut depth = 0;
        while let Some(level) = levels.next() {
            depth += 1;
            if depth > self.max_depth {
                return Err(FormError::TooDeep {
                    key: shorten(key),
                    depth: depth + levels.count(),
                    limit: self.max_depth,
                });
            }
            node = self.array_at(node, step, key)?;
            step = if level.is_empty() {
                Step::Append
            } else {
                Step::Name(level)
            };
        }
        let entry = self.entry(node, step, key)?;
        self.nodes[node].entries[entry].1 = Slot::Text(value);
        Ok(())
    }

    /// The array at `step` in `node`, made (or put in the place of a text) if need be.
    fn array_at(&mut self, node: usize, step: Step<'_>, key: &str) -> Result<usize, FormError> {
        let entry = self.entry(node, step, key)?;
        if let Slot::Node(child) = self.nodes[node].entries[entry].1 {
            return Ok(child);
        }
        let child = self.nodes.len();
        if child > self.max_arrays {
            return Err(FormError::TooManyArrays {
                key: shorten(key),
                limit: self.max_arrays,
            });
        }
        self.nodes.push(Node::default());
        self.nodes[node].entries[entry].1 = Slot::Node(child);
        Ok(child)
    }

    /// The position of the entry `step` names in `node`, added (as an empty text) if new.
    fn entry(&mut self, node: usize, step: Step<'_>, key: &str) -> Result<usize, FormError> {
        let target = &mut self.nodes[node];
        let name = match step {
            Step::Name(name) => match target.find(name) {
                Some(at) => return Ok(at),
                None => name.to_owned(),
            },
            // One past the highest integer key is never taken.
            Step::Append => match i64::try_from(target.next) {
                Ok(next) => next.to_string(),
                Err(_) => return Err(FormError::IndexOverflow { key: shorten(key) }),
            },
        };
        Ok(target.add(name))
    }

    /// The root as JSON, built from the last node to the first so that every child is ready
    /// before its parent: no recursion.
    fn into_map(self) -> Map<String, Value> {
        let nodes = self.nodes;
        let mut built: Vec<Option<Map<String, Value>>> = Vec::new();
        built.resize_with(nodes.len(), || None);
        for (i, node) in nodes.into_iter().enumerate().rev() {
            let map = node
                .entries
                .into_iter()
                .map(|(k, slot)| {
                    let v = match slot {
                        Slot::Text(s) => Value::String(s),
                        Slot::Node(child) => Value::Object(
                            built
                                .get_mut(child)
                                .and_then(Option::take)
                                .unwrap_or_default(),
                        ),
                    };
                    (k, v)
                })
                .collect();
            built[i] = Some(map);
        }
        built.first_mut().and_then(Option::take).unwrap_or_default()
    }
}

/// `a[b][]` -> `("a", ["b", ""])`. The levels end at the first `]` not followed by `[`, or at a
/// `[` never closed; a name whose first `[` is never closed is the whole key.
fn split_key(key: &str) -> (&str, Levels<'_>) {
    let whole = (key, Levels { rest: "" });
    let Some(open) = key.find('[') else {
        return whole;
    };
    if !key[open..].contains(']') {
        return whole;
    }
    (&key[..open], Levels { rest: &key[open..] })
}

/// The bracketed levels of a key, lazily.
struct Levels<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Levels<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let inner = self.rest.strip_prefix('[')?;
        let Some(close) = inner.find(']') else {
            self.rest = "";
            return None;
        };
        self.rest = &inner[close + 1..];
        Some(&inner[..close])
    }
}

/// The integer a key is to PHP: a decimal without sign or leading zero, `0..=i64::MAX`.
/// (Negative keys are integers to PHP too, but never move where `[]` appends.)
fn php_index(key: &str) -> Option<u64> {
    let canonical = key == "0"
        || (!key.is_empty() && !key.starts_with('0') && key.bytes().all(|b| b.is_ascii_digit()));
    if !canonical {
        return None;
    }
    key.parse::<i64>().ok().and_then(|n| u64::try_from(n).ok())
}

/// PHP's lists back into JSON arrays: every object whose keys are exactly `"0"`..`"n-1"` (in any
/// order, `n > 0`) becomes an array in index order, at any depth; `{}` stays an object. Works
/// bottom-up with a stack of its own, so any depth is fine.
pub fn lists(value: Value) -> Value {
    enum Frame {
        Object {
            todo: serde_json::map::IntoIter,
            done: Vec<(String, Value)>,
            key: String,
        },
        Array {
            todo: std::vec::IntoIter<Value>,
            done: Vec<Value>,
        },
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut current = value;
    loop {
        // Down: open containers until a value that is finished as it is.
        let mut finished = match current {
            Value::Object(map) => {
                let mut todo = map.into_iter();
                match todo.next() {
                    Some((key, first)) => {
                        let done = Vec::with_capacity(todo.len() + 1);
                        stack.push(Frame::Object { todo, done, key });
                        current = first;
                        continue;
                    }
                    None => Value::Object(Map::new()),
                }
            }
            Value::Array(items) => {
                let mut todo = items.into_iter();
                match todo.next() {
                    Some(first) => {
                        let done = Vec::with_capacity(todo.len() + 1);
                        stack.push(Frame::Array { todo, done });
                        current = first;
                        continue;
                    }
                    None => Value::Array(Vec::new()),
                }
            }
            scalar => scalar,
        };
        // Up: hand the finished value to its container; close containers that are complete.
        loop {
            let Some(top) = stack.last_mut() else {
                return finished;
            };
            let more = match top {
                Frame::Object { todo, done, key } => {
                    done.push((std::mem::take(key), finished));
                    todo.next().map(|(k, v)| {
                        *key = k;
                        v
                    })
                }
                Frame::Array { todo, done } => {
                    done.push(finished);
                    todo.next()
                }
            };
            if let Some(next) = more {
                current = next;
                break;
            }
            finished = match stack.pop() {
                Some(Frame::Object { done, .. }) => list_or_object(done),
                Some(Frame::Array { done, .. }) => Value::Array(done),
                None => return Value::Null, // unreachable: `top` was there
            };
        }
    }
}

/// An array when the keys are exactly `"0"`..`"n-1"`, else the object.
fn list_or_object(entries: Vec<(String, Value)>) -> Value {
    let n = entries.len();
    let index = |k: &str| {
        let canonical = k == "0" || !k.starts_with('0');
        k.parse::<usize>()
            .ok()
            .filter(|&i| canonical && i < n && k.bytes().all(|b| b.is_ascii_digit()))
    };
    // Keys are distinct, so n of them each below n are exactly 0..n.
    if n > 0 && entries.iter().all(|(k, _)| index(k).is_some()) {
        let mut items = vec![Value::Null; n];
        for (k, v) in entries {
            if let Some(i) = index(&k) {
                items[i] = v;
            }
        }
        Value::Array(items)
    } else {
        Value::Object(entries.into_iter().collect())
    }
}

#[cfg(test)]
mod tests;
