//! The parameters of a request, held as data.
//!
//! A generated request is a newtype over [`Params`]: its constructor and setters are typed, and
//! everything else (serialization, `Debug` with secrets hidden, validation against the spec's
//! rules, the paging hooks) is written here once for every method.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

use crate::types::{LocalizedText, Secret};

/// One parameter value.
#[derive(Clone)]
pub enum Param {
    /// Any JSON value.
    Value(Value),
    /// A fixed spelling (an enum value, `Y`/`N`).
    Str(&'static str),
    /// A credential: sent as is, never printed.
    Secret(Secret),
    /// A nested request object.
    Obj(Params),
    /// An array.
    List(Vec<Param>),
    /// An object with keys chosen by the caller.
    Map(Vec<(String, Param)>),
    /// A file: sent as its wire form, printed by name and size.
    File(crate::FileData),
}

impl Param {
    /// A value through its `Serialize` impl (shared types); one that cannot be written is sent
    /// as `null`, which validation then reports as missing where it matters.
    pub fn ser<T: Serialize + ?Sized>(value: &T) -> Param {
        Param::Value(serde_json::to_value(value).unwrap_or(Value::Null))
    }

    /// The value as JSON, for comparing it with a rule's value; credentials are not compared.
    pub(crate) fn json(&self) -> Option<Value> {
        match self {
            Param::Value(v) => Some(v.clone()),
            Param::Str(s) => Some(Value::String((*s).to_owned())),
            Param::Secret(_) => None,
            Param::File(f) => Some(f.wire()),
            other => serde_json::to_value(other).ok(),
        }
    }

    /// Whether the portal counts it as given: not null, `""`, `[]` or `{}`.
    pub(crate) fn given(&self) -> bool {
        match self {
            Param::Value(Value::Null) => false,
            Param::Value(Value::String(s)) => !s.is_empty(),
            Param::Value(Value::Array(a)) => !a.is_empty(),
            Param::Value(Value::Object(o)) => !o.is_empty(),
            Param::Value(_) => true,
            Param::Str(s) => !s.is_empty(),
            Param::Secret(s) => !s.expose().is_empty(),
            Param::Obj(p) => !p.0.is_empty(),
            Param::List(l) => !l.is_empty(),
            Param::Map(m) => !m.is_empty(),
            Param::File(_) => true,
        }
    }
}

impl fmt::Debug for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Param::Value(v) => write!(f, "{v}"),
            Param::Str(s) => write!(f, "{s:?}"),
            Param::Secret(s) => s.fmt(f),
            Param::File(file) => file.fmt(f),
            Param::Obj(p) => p.fmt(f),
            Param::List(l) => f.debug_list().entries(l).finish(),
            Param::Map(m) => f
                .debug_map()
                .entries(m.iter().map(|(k, v)| (k, v)))
                .finish(),
        }
    }
}

impl Serialize for Param {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Param::Value(v) => v.serialize(s),
            Param::Str(v) => s.serialize_str(v),
            // Through `Secret`'s own impl, which notes it for redaction.
            Param::Secret(v) => v.serialize(s),
            Param::File(file) => file.wire().serialize(s),
            Param::Obj(p) => p.serialize(s),
            Param::List(l) => {
                let mut seq = s.serialize_seq(Some(l.len()))?;
                for item in l {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Param::Map(m) => {
                let mut map = s.serialize_map(Some(m.len()))?;
                for (k, v) in m {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// The parameters of a request (or of a nested request object), in the order they were set.
#[derive(Clone, Default)]
pub struct Params(pub(crate) Vec<(Cow<'static, str>, Param)>);

impl Params {
    /// No parameters.
    pub const fn new() -> Self {
        Params(Vec::new())
    }

    /// Sets `key`, replacing an earlier value.
    pub fn set<T: ToParam>(&mut self, key: &'static str, value: T) {
        self.put(Cow::Borrowed(key), value.to_param());
    }

    /// Sets a key chosen at run time (a user field), replacing an earlier value.
    pub fn set_named(&mut self, key: String, value: Param) {
        self.put(Cow::Owned(key), value);
    }

    fn put(&mut self, key: Cow<'static, str>, value: Param) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    /// Sets a `yn` parameter: `"Y"` or `"N"`.
    pub fn yn(&mut self, key: &'static str, value: bool) {
        self.set(key, Param::Str(if value { "Y" } else { "N" }));
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Param> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The integer value at `path` (paging sizes; see [`Params::get_path`]).
    pub fn get_i64(&self, path: &str) -> Option<i64> {
        self.get_path(path)?.as_i64()
    }

    /// The value at `path` as JSON: a key, or a member of object parameters written as a
    /// dotted path (`params.offset`), where list methods keep their paging.
    pub fn get_path(&self, path: &str) -> Option<Value> {
        let (first, rest) = match path.split_once('.') {
            Some((first, rest)) => (first, Some(rest)),
            None => (path, None),
        };
        let value = self.get(first)?;
        match (rest, value) {
            (None, v) => v.json(),
            (Some(rest), Param::Obj(o)) => o.get_path(rest),
            (Some(rest), v) => {
                let pointer: String = rest.split('.').flat_map(|s| ["/", s]).collect();
                v.json()?.pointer(&pointer).cloned()
            }
        }
    }

    /// Sets the value at `path` (see [`Params::get_path`]), making the objects on the way.
    pub fn set_path<T: ToParam>(&mut self, path: &'static str, value: T) {
        let Some((first, rest)) = path.split_once('.') else {
            return self.set(path, value);
        };
        match self.0.iter_mut().find(|(k, _)| k == first) {
            Some((_, Param::Obj(o))) => o.set_path(rest, value),
            Some((_, Param::Value(Value::Object(m)))) => {
                let mut m = std::mem::take(m);
                let mut cur = &mut m;
                let mut steps = rest.split('.').peekable();
                while let Some(step) = steps.next() {
                    if steps.peek().is_none() {
                        let v = serde_json::to_value(value.to_param()).unwrap_or_default();
                        cur.insert(step.to_owned(), v);
                        break;
                    }
                    let next = cur
                        .entry(step.to_owned())
                        .or_insert_with(|| Value::Object(serde_json::Map::new()));
                    if !next.is_object() {
                        *next = Value::Object(serde_json::Map::new());
                    }
                    let Value::Object(inner) = next else { break };
                    cur = inner;
                }
                self.set(first, Value::Object(m));
            }
            _ => {
                let mut o = Params::new();
                o.set_path(rest, value);
                self.put(Cow::Borrowed(first), Param::Obj(o));
            }
        }
    }

    /// The credentials among the parameters, nested ones included, for redaction.
    pub fn secrets(&self) -> Vec<&str> {
        fn walk<'a>(p: &'a Param, out: &mut Vec<&'a str>) {
            match p {
                Param::Secret(s) if !s.expose().is_empty() => out.push(s.expose()),
                Param::Obj(o) => o.0.iter().for_each(|(_, v)| walk(v, out)),
                Param::List(l) => l.iter().for_each(|v| walk(v, out)),
                Param::Map(m) => m.iter().for_each(|(_, v)| walk(v, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        self.0.iter().for_each(|(_, v)| walk(v, &mut out));
        out
    }

    /// The fast mode of a classic list, written once for every method: `order = {id: "ASC"}`,
    /// `filter[">id"] = after`, the rest of the filter kept.
    pub fn fast(
        &mut self,
        filter: &'static str,
        order: &'static str,
        id: &str,
        after: Option<i64>,
    ) {
        let mut f = self.get_path(filter);
        let mut o = None;
        crate::paging::fast_filter(&mut f, &mut o, id, after);
        self.set_path(filter, f.unwrap_or_default());
        self.set_path(order, o.unwrap_or_default());
    }
}

impl fmt::Debug for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, v)| (k, v)))
            .finish()
    }
}

impl Serialize for Params {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// A typed value that becomes a [`Param`]; generated enums and nested request objects
/// implement it in one line.
pub trait ToParam {
    /// The parameter value.
    fn to_param(self) -> Param;
}

impl ToParam for Param {
    fn to_param(self) -> Param {
        self
    }
}

impl ToParam for Value {
    fn to_param(self) -> Param {
        Param::Value(self)
    }
}

impl ToParam for String {
    fn to_param(self) -> Param {
        Param::Value(Value::String(self))
    }
}

impl ToParam for i64 {
    fn to_param(self) -> Param {
        Param::Value(Value::from(self))
    }
}

impl ToParam for f64 {
    fn to_param(self) -> Param {
        Param::Value(Value::from(self))
    }
}

impl ToParam for bool {
    fn to_param(self) -> Param {
        Param::Value(Value::Bool(self))
    }
}

impl ToParam for Secret {
    fn to_param(self) -> Param {
        Param::Secret(self)
    }
}

impl ToParam for LocalizedText {
    fn to_param(self) -> Param {
        match self {
            LocalizedText::Text(t) => Param::Value(Value::String(t)),
            LocalizedText::Localized(m) => Param::Map(
                m.into_iter()
                    .map(|(k, v)| (k, Param::Value(Value::String(v))))
                    .collect(),
            ),
        }
    }
}

impl<T: ToParam> ToParam for Vec<T> {
    fn to_param(self) -> Param {
        Param::List(self.into_iter().map(ToParam::to_param).collect())
    }
}

impl<T: ToParam> ToParam for BTreeMap<String, T> {
    fn to_param(self) -> Param {
        Param::Map(self.into_iter().map(|(k, v)| (k, v.to_param())).collect())
    }
}

impl ToParam for Params {
    fn to_param(self) -> Param {
        Param::Obj(self)
    }
}
