//! Decoding of a method's `result` into its generated types, written once for every method.
//!
//! Generated code does not derive `Deserialize`: each generated type implements [`Decode`] in one
//! line per member (`o.take("CODE")?`), and everything else (the leniency the portal needs, the
//! path of a wrong value, `[]` for an empty object, members the spec does not list) lives here.
//! The JSON is parsed into a [`Value`] once and its parts are moved, not copied, into the
//! typed result.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};

use crate::de::Lenient;
use crate::types::{LocalizedText, Secret};

/// Where a value sits in `result`: `result.ITEMS[3].ID`. Built on the stack while decoding, so a
/// successful decode allocates nothing for it.
#[derive(Clone, Copy)]
pub enum Path<'a> {
    /// `result` itself.
    Root,
    /// A member of an object.
    Key(&'a Path<'a>, &'a str),
    /// An item of an array.
    Index(&'a Path<'a>, usize),
    /// A top-level value other than `result`, such as an event's `data`.
    Top(&'a str),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => f.write_str("result"),
            Path::Key(parent, key) => write!(f, "{parent}.{key}"),
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
            Path::Top(name) => f.write_str(name),
        }
    }
}

/// A value that does not have the shape the spec gives, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The path of the value, e.g. `result.ITEMS[3].ID`.
    pub path: String,
    /// What was wrong.
    pub problem: String,
}

impl Mismatch {
    /// A mismatch at `at`.
    pub fn new(at: Path<'_>, problem: impl Into<String>) -> Self {
        Mismatch {
            path: at.to_string(),
            problem: problem.into(),
        }
    }

    fn expected(at: Path<'_>, what: &str, found: &Value) -> Self {
        Mismatch::new(at, format!("expected {what}, found {}", kind(found)))
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at `{}`: {}", self.path, self.problem)
    }
}

impl std::error::Error for Mismatch {}

impl From<Mismatch> for serde_json::Error {
    fn from(m: Mismatch) -> Self {
        serde::de::Error::custom(m)
    }
}

fn kind(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) if s.chars().count() > 40 => "a string".into(),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// A type generated code decodes from a JSON value.
pub trait Decode: Sized {
    /// Reads the value at `at`.
    fn decode(v: Value, at: Path<'_>) -> Result<Self, Mismatch>;

    /// The value of a member that is absent: an error unless the type is optional.
    fn absent(at: Path<'_>) -> Result<Self, Mismatch> {
        Err(Mismatch::new(at, "is required by the spec but absent"))
    }

    /// Reads a whole `result` from its raw JSON; scalars override it to skip the [`Value`].
    fn from_raw(raw: &str) -> Result<Self, serde_json::Error> {
        let v: Value = serde_json::from_str(raw)?;
        Ok(Self::decode(v, Path::Root)?)
    }
}

/// Decodes a method's raw `result`.
pub fn decode<T: Decode>(raw: &str) -> Result<T, serde_json::Error> {
    T::from_raw(raw)
}

/// A scalar `result` straight from its text, with the same leniency and error wording.
fn scalar_from_raw<T: Lenient>(raw: &str) -> Result<T, serde_json::Error> {
    crate::de::decode_lenient(raw).map_err(|e| Mismatch::new(Path::Root, e.to_string()).into())
}

/// Scalars keep the portal's spellings in one place, [`Lenient`], shared with the handler side.
fn lenient<T: Lenient>(v: Value, at: Path<'_>) -> Result<T, Mismatch> {
    T::lenient(v).map_err(|e| Mismatch::new(at, e.to_string()))
}

/// The scalars: their spellings are [`Lenient`]'s, and a scalar `result` is read straight from
/// its text.
macro_rules! scalar {
    ($($t:ty),*) => {$(
        impl Decode for $t {
            fn decode(v: Value, at: Path<'_>) -> Result<Self, Mismatch> {
                lenient(v, at)
            }

            fn from_raw(raw: &str) -> Result<Self, serde_json::Error> {
                scalar_from_raw(raw)
            }
        }
    )*};
}

scalar!(bool, i64, f64, String);

impl Decode for Secret {
    fn decode(v: Value, at: Path<'_>) -> Result<Self, Mismatch> {
        match v {
            Value::String(s) => Ok(Secret::new(s)),
            // The value itself is never shown.
            _ => Err(Mismatch::new(at, "expected a string (a credential)")),
        }
    }
}

impl Decode for Value {
    fn decode(v: Value, _: Path<'_>) -> Result<Self, Mismatch> {
        Ok(v)
    }
}

impl Decode for LocalizedText {
    fn decode(v: Value, at: Path<'_>) -> Result<Self, Mismatch> {
        match v {
            Value::Object(_) | Value::Array(_) => {
                BTreeMap::<String, String>::decode(v, at).map(LocalizedText::Localized)
            }
            other => String::decode(other, at).map(LocalizedText::Text),
        }
    }
}

impl<T: Decode> Decode for Option<T> {
    fn decode(v: Value, at: Path<'_>) -> Result<Self, Mismatch> {
        match v {
            Value::Null => Ok(None),
            v => T::decode(v, at).map(Some),
        }
    }

    fn absent(_: Path<'_>) -> Result<Self, Mismatch> {
        Ok(None)
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn decode(v: Value, at: Path<'_>) -> Result<Self, Mismatch> {
        match v {
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| T::decode(item, Path::Index(&at, i)))
                .collect(),
            // PHP sends a list whose keys are not 0..n in order as an object keyed by the
            // numbers (and a form body's list reads the same way): its items in numeric order.
            Value::Object(o) if o.keys().all(|k| k.parse::<u64>().is_ok()) => {
                let mut items: Vec<(u64, Value)> = o
                    .into_iter()
                    .filter_map(|(k, v)| Some((k.parse().ok()?, v)))
                    .collect();
                items.sort_by_key(|(k, _)| *k);
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, (_, item))| T::decode(item, Path::Index(&at, i)))
                    .collect()
            }
            other => Err(Mismatch::expected(at, "an array", &other)),
        }
    }
}

impl<T: Decode> Decode for BTreeMap<String, T> {
    fn decode(v: Value, at: Path<'_>) -> Result<Self, Mismatch> {
        object(v, at)?
            .into_iter()
            .map(|(k, v)| {
                let item = T::decode(v, Path::Key(&at, &k))?;
                Ok((k, item))
            })
            .collect()
    }
}

/// An object, or `[]`: PHP encodes an empty associative array as a list.
fn object(v: Value, at: Path<'_>) -> Result<Map<String, Value>, Mismatch> {
    match v {
        Value::Object(m) => Ok(m),
        Value::Array(a) if a.is_empty() => Ok(Map::new()),
        other => Err(Mismatch::expected(at, "an object", &other)),
    }
}

/// The members of an object being decoded; each is moved out as it is read.
pub struct Obj<'a> {
    members: Map<String, Value>,
    at: Path<'a>,
}

impl<'a> Obj<'a> {
    /// Opens the object at `at`.
    pub fn new(v: Value, at: Path<'a>) -> Result<Self, Mismatch> {
        Ok(Obj {
            members: object(v, at)?,
            at,
        })
    }

    /// Takes the member `key` given as a JSON text (`"[{\"MESSAGE\": \"Hi\"}]"`) as the value
    /// it encodes, for members the spec marks `json_string`; any other value stays as it is.
    pub fn unjson(&mut self, key: &str) -> &mut Self {
        if let Some(Value::String(text)) = self.members.get(key) {
            if let Ok(inner) = serde_json::from_str::<Value>(text) {
                if !inner.is_string() {
                    self.members.insert(key.to_owned(), inner);
                }
            }
        }
        self
    }

    /// Reads the member `key`: absent is `None` for an optional type and an error otherwise.
    pub fn take<T: Decode>(&mut self, key: &str) -> Result<T, Mismatch> {
        let at = Path::Key(&self.at, key);
        match self.members.remove(key) {
            Some(v) => T::decode(v, at),
            None => T::absent(at),
        }
    }

    /// Reads a member a shared type marks `required`: it must be present (it may be `null`).
    pub fn need<T: Decode>(&mut self, key: &str) -> Result<Option<T>, Mismatch> {
        let at = Path::Key(&self.at, key);
        match self.members.remove(key) {
            Some(v) => Option::<T>::decode(v, at),
            None => Err(Mismatch::new(at, "is required by the spec but absent")),
        }
    }

    /// The members the spec does not list (user fields such as `UF_CRM_*`), kept as sent.
    pub fn rest(self) -> BTreeMap<String, Value> {
        self.members.into_iter().collect()
    }

    /// [`Obj::rest`], where each member of a `dynamic` family (a name prefix and how its
    /// values read: `parentId…` ids) must read as the family says.
    pub fn rest_checked(
        self,
        families: &[(&str, Variant<()>)],
    ) -> Result<BTreeMap<String, Value>, Mismatch> {
        for (k, v) in &self.members {
            let family = families
                .iter()
                .find(|(prefix, _)| k.starts_with(prefix) && k.len() > prefix.len());
            if let Some((_, check)) = family {
                check(v.clone(), Path::Key(&self.at, k))?;
            }
        }
        Ok(self.rest())
    }
}

/// Decodes a string enum: its value from `values`, or `unknown` for one the spec does not list.
pub fn one_of<T: Copy>(
    v: Value,
    at: Path<'_>,
    values: &[(&str, T)],
    unknown: T,
) -> Result<T, Mismatch> {
    let text = match v {
        Value::String(s) => s,
        Value::Number(n) => n.to_string(),
        other => return Err(Mismatch::expected(at, "one of the enum's values", &other)),
    };
    Ok(values
        .iter()
        .find(|(name, _)| *name == text)
        .map_or(unknown, |(_, value)| *value))
}

/// How one variant of a `one_of` reads a value.
pub type Variant<T> = fn(Value, Path<'_>) -> Result<T, Mismatch>;

/// Decodes a `one_of`: the first variant, in the spec's order, whose shape the value fits.
pub fn first_fit<T>(
    v: Value,
    at: Path<'_>,
    variants: &[(&str, Variant<T>)],
) -> Result<T, Mismatch> {
    let mut why = Vec::new();
    for (name, decode) in variants {
        match decode(v.clone(), at) {
            Ok(value) => return Ok(value),
            Err(m) => why.push(format!("as `{name}`, {}", m)),
        }
    }
    Err(Mismatch::new(
        at,
        format!("fits none of the variants ({})", why.join("; ")),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec<T: Decode>(raw: &str) -> Result<T, String> {
        decode::<T>(raw).map_err(|e| e.to_string())
    }

    #[test]
    fn portal_spellings() {
        assert_eq!(dec::<bool>("\"Y\""), Ok(true));
        assert_eq!(dec::<bool>("0"), Ok(false));
        assert_eq!(dec::<i64>("\"585\""), Ok(585));
        assert_eq!(dec::<String>("585"), Ok("585".into()));
        assert_eq!(dec::<Option<i64>>("null"), Ok(None));
        assert_eq!(dec::<Vec<i64>>("[\"5\", 6]"), Ok(vec![5, 6]));
        assert!(dec::<BTreeMap<String, i64>>("[]").unwrap().is_empty());
        assert!(dec::<BTreeMap<String, i64>>("[1]").is_err());
    }

    #[test]
    fn a_json_text_member_reads_as_the_value_it_encodes() {
        let mut o = Obj::new(
            serde_json::json!({"a": "[1, \"2\"]", "b": "N", "c": "{oops", "d": [3]}),
            Path::Root,
        )
        .unwrap();
        assert_eq!(o.unjson("a").take::<Vec<i64>>("a"), Ok(vec![1, 2]));
        // Text that is no JSON, or JSON of a string, stays the string it is.
        assert_eq!(o.unjson("b").take::<String>("b"), Ok("N".to_owned()));
        assert_eq!(o.unjson("c").take::<String>("c"), Ok("{oops".to_owned()));
        assert_eq!(o.unjson("d").take::<Vec<i64>>("d"), Ok(vec![3]));
        assert_eq!(o.unjson("e").take::<Option<Vec<i64>>>("e"), Ok(None));
    }

    #[test]
    fn a_wrong_value_names_its_path() {
        #[derive(Debug)]
        struct Item {
            id: i64,
            #[allow(dead_code)]
            name: Option<String>,
        }
        impl Decode for Item {
            fn decode(v: Value, at: Path<'_>) -> Result<Self, Mismatch> {
                let mut o = Obj::new(v, at)?;
                Ok(Item {
                    id: o.take("ID")?,
                    name: o.take("NAME")?,
                })
            }
        }
        let err = dec::<Vec<Item>>(r#"[{"ID": 1}, {"ID": "x"}]"#).unwrap_err();
        assert!(err.starts_with("at `result[1].ID`: invalid value"), "{err}");
        let err = dec::<Vec<Item>>(r#"[{"NAME": "a"}]"#).unwrap_err();
        assert!(err.starts_with("at `result[0].ID`: is required"), "{err}");
        assert_eq!(dec::<Vec<Item>>(r#"[{"ID": "7"}]"#).unwrap()[0].id, 7);
    }

    #[test]
    fn enums_keep_unknown_values_apart() {
        #[derive(Debug, Clone, Copy, PartialEq)]
        enum S {
            A,
            Unknown,
        }
        let values = [("a", S::A)];
        let at = Path::Root;
        assert_eq!(one_of(Value::from("a"), at, &values, S::Unknown), Ok(S::A));
        assert_eq!(
            one_of(Value::from("z"), at, &values, S::Unknown),
            Ok(S::Unknown)
        );
        assert!(one_of(Value::Null, at, &values, S::Unknown).is_err());
    }
}
