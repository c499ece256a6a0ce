//! Lenient decoding of what the portal really sends: numbers as strings, `"Y"`/`"N"` and
//! `"1"`/`"0"` booleans, `[]` for an empty map. The hand-written payloads (events, the `time`
//! block) point here by `deserialize_with = "...::de::lenient"`, and the decoding of generated
//! results reads its scalars through [`Lenient`] too, so the leniency is written once.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};

/// A type the portal may send in more than one JSON spelling.
pub trait Lenient: Sized {
    /// Reads the value from any of its spellings.
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
}

/// `deserialize_with` target for every [`Lenient`] field type.
pub fn lenient<'de, D: Deserializer<'de>, T: Lenient>(d: D) -> Result<T, D::Error> {
    T::lenient(d)
}

/// `deserialize_with` target for a figure that is informative only (the `time` block): a number
/// in any of its spellings, and `None` for anything else, rather than failing the whole answer.
pub fn figure<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(match v {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

#[derive(Clone, Copy)]
struct BoolVisitor;

impl Visitor<'_> for BoolVisitor {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean, \"Y\"/\"N\" or \"1\"/\"0\"")
    }
    fn visit_bool<E>(self, v: bool) -> Result<bool, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        match v {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(E::invalid_value(de::Unexpected::Unsigned(v), &self)),
        }
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        self.visit_u64(
            u64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))?,
        )
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        match v {
            "Y" | "y" | "1" | "true" => Ok(true),
            "N" | "n" | "0" | "false" | "" => Ok(false),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
}

impl Lenient for bool {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(BoolVisitor)
    }
}

struct IntVisitor;

impl Visitor<'_> for IntVisitor {
    type Value = i64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer or a string holding one")
    }
    fn visit_i64<E>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        if v.fract() == 0.0 && v.abs() < 9.0e15 {
            Ok(v as i64)
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &self))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        v.trim()
            .parse()
            .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

impl Lenient for i64 {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IntVisitor)
    }
}

struct FloatVisitor;

impl Visitor<'_> for FloatVisitor {
    type Value = f64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number or a string holding one")
    }
    fn visit_f64<E>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }
    fn visit_i64<E>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_u64<E>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        v.trim()
            .parse()
            .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

impl Lenient for f64 {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FloatVisitor)
    }
}

struct StringVisitor;

impl Visitor<'_> for StringVisitor {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or a number")
    }
    fn visit_str<E>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_i64<E>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
    // Form bodies carry an empty text as "", which the form reader turns into null.
    fn visit_unit<E>(self) -> Result<String, E> {
        Ok(String::new())
    }
}

impl Lenient for String {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StringVisitor)
    }
}

struct OptionVisitor<T>(PhantomData<T>);

impl<'de, T: Lenient> Visitor<'de> for OptionVisitor<T> {
    type Value = Option<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value or null")
    }
    fn visit_none<E>(self) -> Result<Option<T>, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Option<T>, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        T::lenient(d).map(Some)
    }
}

impl<T: Lenient> Lenient for Option<T> {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_option(OptionVisitor(PhantomData))
    }
}

struct MapVisitor<V>(PhantomData<V>);

impl<'de, V: DeserializeOwned> Visitor<'de> for MapVisitor<V> {
    type Value = BTreeMap<String, V>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object, or [] for an empty one")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some((k, v)) = map.next_entry::<String, V>()? {
            out.insert(k, v);
        }
        Ok(out)
    }
    // PHP encodes an empty associative array as `[]`.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        match seq.next_element::<de::IgnoredAny>()? {
            None => Ok(BTreeMap::new()),
            Some(_) => Err(de::Error::invalid_type(de::Unexpected::Seq, &self)),
        }
    }
}

impl<V: DeserializeOwned> Lenient for BTreeMap<String, V> {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MapVisitor(PhantomData))
    }
}

/// Decodes a method's `result` of a [`Lenient`] type (bool, integer, ...).
pub fn decode_lenient<T: Lenient>(raw: &str) -> Result<T, serde_json::Error> {
    let mut d = serde_json::Deserializer::from_str(raw);
    let v = T::lenient(&mut d)?;
    d.end()?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_block_with_a_figure_in_another_shape_still_reads() {
        // A reference example writes `operating_reset_at` as a date: the figure is dropped,
        // the answer is not refused.
        let time: crate::Time = serde_json::from_str(
            r#"{"start": "1724677896.29", "duration": 0.9, "operating_reset_at": "2024-08-26T16:11:37+03:00"}"#,
        )
        .expect("reads");
        assert_eq!(time.start, Some(1724677896.29));
        assert_eq!(time.duration, Some(0.9));
        assert_eq!(time.operating_reset_at, None);
    }

    #[test]
    fn portal_spellings() {
        for (raw, want) in [
            ("true", true),
            ("\"Y\"", true),
            ("\"1\"", true),
            ("0", false),
            ("\"N\"", false),
        ] {
            assert_eq!(decode_lenient::<bool>(raw).unwrap(), want, "{raw}");
        }
        assert!(decode_lenient::<bool>("\"maybe\"").is_err());
        assert_eq!(decode_lenient::<i64>("\"585\"").unwrap(), 585);
        assert_eq!(decode_lenient::<i64>("585").unwrap(), 585);
        assert_eq!(decode_lenient::<String>("585").unwrap(), "585");
        assert_eq!(decode_lenient::<Option<i64>>("null").unwrap(), None);
        assert!(
            decode_lenient::<BTreeMap<String, i64>>("[]")
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            decode_lenient::<BTreeMap<String, i64>>("{\"a\":1}").unwrap()["a"],
            1
        );
        assert!(decode_lenient::<BTreeMap<String, i64>>("[1]").is_err());
    }
}
