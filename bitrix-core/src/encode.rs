//! Serialization of the shared types (`specs/<scope>/types/`), which are read and sent: their
//! generated `Serialize` impl is one `opt` line per member on an [`Obj`], instead of a derive.
//! Requests do not need it: they hold their parameters as data (`crate::params`).

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

/// A request object being written, member by member.
pub struct Obj<M>(M);

impl<M: SerializeMap> Obj<M> {
    /// Starts an object on `s`.
    pub fn new<S: Serializer<SerializeMap = M, Error = M::Error>>(s: S) -> Result<Self, M::Error> {
        s.serialize_map(None).map(Obj)
    }

    /// Writes an optional member when it is set.
    pub fn opt<T: Serialize>(&mut self, key: &str, value: &Option<T>) -> Result<(), M::Error> {
        match value {
            Some(v) => self.0.serialize_entry(key, v),
            None => Ok(()),
        }
    }

    /// Writes a `yn` member: `"Y"` or `"N"`.
    fn yn(&mut self, key: &str, value: bool) -> Result<(), M::Error> {
        self.0.serialize_entry(key, if value { "Y" } else { "N" })
    }

    /// Writes an optional `yn` member when it is set.
    pub fn opt_yn(&mut self, key: &str, value: Option<bool>) -> Result<(), M::Error> {
        match value {
            Some(v) => self.yn(key, v),
            None => Ok(()),
        }
    }

    /// Writes the members a decoded value kept beside its typed ones (`extra`).
    pub fn extra(
        &mut self,
        members: &std::collections::BTreeMap<String, serde_json::Value>,
    ) -> Result<(), M::Error> {
        members
            .iter()
            .try_for_each(|(k, v)| self.0.serialize_entry(k, v))
    }

    /// Ends the object.
    pub fn end(self) -> Result<M::Ok, M::Error> {
        self.0.end()
    }
}

/// Serializes a value of a generated enum that is read and sent (a shared type's): its spelling
/// by the variant's index, and an error for `Unknown`, whose spelling was not kept.
pub fn enum_value<S: Serializer>(s: S, values: &[&str], index: usize) -> Result<S::Ok, S::Error> {
    match values.get(index) {
        Some(v) => s.serialize_str(v),
        None => Err(serde::ser::Error::custom(
            "a value the spec does not list cannot be sent back",
        )),
    }
}
