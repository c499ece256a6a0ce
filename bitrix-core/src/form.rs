//! PHP-style query strings (`MESSAGES[0][user][id]=7&halt=1`): how `batch` commands are
//! encoded, and how Bitrix24 encodes what it POSTs to an application's handlers.
//!
//! The codec is [`bitrix_wire::form`], shared with the mock portal; see there for where it
//! parts from PHP and why.

use serde_json::{Map, Value};

pub use bitrix_wire::form::{FormError, Limits, Pairs, encode, lists, pairs};

/// Decodes a PHP-style query string into JSON the way PHP's `parse_str` builds `$_POST`: every
/// scalar is a string, `a[]=` appends, `a[x]=` sets a key, later pairs overwrite earlier ones.
/// Arrays come out as objects keyed `"0"`, `"1"`, ... (as PHP's ordered maps are); serde types
/// read them leniently (the client's decoding does), or [`lists`] turns them into arrays.
/// Anything beyond `limits`, nested too deep or not UTF-8 is a [`FormError`].
pub fn decode(body: &str, limits: Limits) -> Result<Map<String, Value>, FormError> {
    bitrix_wire::form::decode(body, &limits)
}

/// PHP's values back into JSON as handler payloads are read: lists keyed `0..n` become arrays
/// ([`lists`]), `""` becomes null. Iterative, like the decoder.
pub(crate) fn php_to_json(value: Value) -> Value {
    let mut value = lists(value);
    let mut stack = vec![&mut value];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) if s.is_empty() => *v = Value::Null,
            Value::Array(items) => stack.extend(items.iter_mut()),
            Value::Object(map) => stack.extend(map.values_mut()),
            _ => {}
        }
    }
    value
}
