//! The keys of list queries: `filter` keys carry an operator prefix (`>=DATE_CREATE`, `!@ID`),
//! and some field names are the portal's own rather than the method's (user fields).

/// The operators a `filter` key may start with, longest first so that `>=` is not read as `>`.
pub const OPERATORS: [&str; 17] = [
    "!><", "!=%", "!%=", "><", ">=", "<=", "=%", "%=", "!%", "!@", "!=", ">", "<", "@", "%", "=",
    "!",
];

/// A `filter` key split into its operator (if any) and the field it applies to.
///
/// ```
/// use bitrix_wire::query::split_filter_key;
/// assert_eq!(split_filter_key(">=DATE_CREATE"), (Some(">="), "DATE_CREATE"));
/// assert_eq!(split_filter_key("!@ID"), (Some("!@"), "ID"));
/// assert_eq!(split_filter_key("TITLE"), (None, "TITLE"));
/// ```
pub fn split_filter_key(key: &str) -> (Option<&'static str>, &str) {
    match OPERATORS.iter().find(|p| key.starts_with(**p)) {
        Some(op) => (Some(*op), &key[op.len()..]),
        None => (None, key),
    }
}

/// Whether `name` is a field a portal adds to an entity at run time, which no spec can list:
/// user fields (`UF_CRM_1700000000`, `ufCrm2_1700000000`, `ufCrmColor`, `UF_DEPARTMENT`), properties of
/// catalog products and lists (`PROPERTY_42`, `property42`), and links to parent entities of
/// smart processes (`parentId2`, `PARENT_ID_2`).
///
/// ```
/// use bitrix_wire::query::is_dynamic_field;
/// assert!(is_dynamic_field("UF_CRM_1700000000"));
/// assert!(is_dynamic_field("ufCrm2_1700000000"));
/// assert!(is_dynamic_field("ufCrmColor"));
/// assert!(is_dynamic_field("PROPERTY_42"));
/// assert!(is_dynamic_field("parentId1032"));
/// assert!(!is_dynamic_field("TITLE"));
/// assert!(!is_dynamic_field("ufo"));
/// ```
pub fn is_dynamic_field(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let after = |prefix: &str| lower.strip_prefix(prefix).filter(|rest| !rest.is_empty());
    if after("uf_").is_some() {
        return true;
    }
    // `ufCrm2_1700000000`, `ufCrmColor`: user fields as the newer methods spell them.
    if after("uf").is_some() && name.as_bytes().get(2).is_some_and(u8::is_ascii_uppercase) {
        return true;
    }
    if after("property_").is_some() {
        return true;
    }
    if let Some(rest) = after("property") {
        return rest.bytes().all(|b| b.is_ascii_digit());
    }
    let digits = |rest: Option<&str>| rest.is_some_and(|r| r.bytes().all(|b| b.is_ascii_digit()));
    digits(after("parentid")) || digits(after("parent_id_"))
}

/// The field a `filter` or `order` key names, checked against the fields a spec lists:
/// `None` when it is one of them (compared without regard to case, as the portal's ORM does), a
/// [dynamic field](is_dynamic_field), or part of a nested condition (`logic`, and the numbered
/// sub-filters it joins), else the field name to report.
///
/// ```
/// use bitrix_wire::query::unknown_field;
/// let known = ["ID", "TITLE"];
/// assert_eq!(unknown_field(">=id", &known), None);
/// assert_eq!(unknown_field("UF_CRM_5", &known), None);
/// assert_eq!(unknown_field("LOGIC", &known), None);
/// assert_eq!(unknown_field("%TITEL", &known), Some("TITEL"));
/// ```
pub fn unknown_field<'a, S: AsRef<str>>(key: &'a str, known: &[S]) -> Option<&'a str> {
    let (_, field) = split_filter_key(key);
    let listed = known.iter().any(|k| k.as_ref().eq_ignore_ascii_case(field));
    let nested = field.eq_ignore_ascii_case("logic")
        || (!field.is_empty() && field.bytes().all(|b| b.is_ascii_digit()));
    (!listed && !nested && !is_dynamic_field(field)).then_some(field)
}

/// What a filter compares a field with, for the fields a spec types: the client refuses, and
/// the mock portal answers as invalid, a value of another kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// `integer` and `id` fields: a number without fraction, or a string holding one.
    Integer,
    /// `number` fields: a number, or a string holding one.
    Number,
    /// `boolean` and `yn` fields: `true`/`false`, `Y`/`N`, `1`/`0`.
    Flag,
}

impl ValueKind {
    /// The kind of a spec type's name (`integer`, `id`, `number`, `boolean`, `yn`); `None` for
    /// the others, whose values a filter takes as written.
    pub fn of_type(name: &str) -> Option<ValueKind> {
        match name {
            "integer" | "id" => Some(ValueKind::Integer),
            "number" => Some(ValueKind::Number),
            "boolean" | "yn" => Some(ValueKind::Flag),
            _ => None,
        }
    }

    /// The kind in words, for an error message.
    pub fn describe(self) -> &'static str {
        match self {
            ValueKind::Integer => "an integer",
            ValueKind::Number => "a number",
            ValueKind::Flag => "Y or N",
        }
    }

    /// Whether a filter may compare a field of this kind with `value`: a scalar of the kind, an
    /// empty value (`null`, `""`: the field is empty), or a list of such values (`@`, `><`, and
    /// a list given without an operator, which the portal reads as "any of").
    ///
    /// ```
    /// use bitrix_wire::query::ValueKind;
    /// use serde_json::json;
    /// assert!(ValueKind::Integer.fits(&json!("42")));
    /// assert!(ValueKind::Integer.fits(&json!([1, "2"])));
    /// assert!(!ValueKind::Integer.fits(&json!("a lot")));
    /// assert!(ValueKind::Flag.fits(&json!("Y")));
    /// assert!(!ValueKind::Number.fits(&json!({"a": 1})));
    /// ```
    pub fn fits(self, value: &serde_json::Value) -> bool {
        use serde_json::Value;
        match value {
            Value::Null => true,
            Value::String(s) if s.is_empty() => true,
            Value::Array(items) => items.iter().all(|v| !v.is_array() && self.fits(v)),
            Value::Object(_) => false,
            Value::Bool(_) => self == ValueKind::Flag,
            Value::Number(n) => match self {
                ValueKind::Integer => {
                    n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
                }
                ValueKind::Number => true,
                ValueKind::Flag => matches!(n.as_u64(), Some(0 | 1)),
            },
            Value::String(s) => match self {
                ValueKind::Integer => s.trim().parse::<i64>().is_ok(),
                ValueKind::Number => s.trim().parse::<f64>().is_ok_and(f64::is_finite),
                ValueKind::Flag => matches!(
                    s.as_str(),
                    "Y" | "N" | "y" | "n" | "1" | "0" | "true" | "false"
                ),
            },
        }
    }
}
