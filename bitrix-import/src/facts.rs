//! Facts read from the text of a page: the method name, scope, access, types, allowed values,
//! defaults and limits.

use std::sync::LazyLock;

use bitrix_spec::TypeName;
use regex::Regex;
use serde_json::Value;

fn re(s: &str) -> Regex {
    Regex::new(s).expect("a valid regular expression")
}

static METHOD_NAME: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$"));
static LINK: LazyLock<Regex> = LazyLock::new(|| re(r"!?\[([^\]]*)\]\(([^)]*)\)"));
static BOLD_NAME: LazyLock<Regex> = LazyLock::new(|| re(r"\*\*\s*(.+?)\s*\*\*(\\?\*)?"));
static TYPE_LINK: LazyLock<Regex> = LazyLock::new(|| re(r"\[\s*`([^`]+)`\s*\]"));
static CODE: LazyLock<Regex> = LazyLock::new(|| re(r"`([^`]+)`"));
static VALUES_INTRO: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(possible|allowed|acceptable|available|valid|supported)\s+values|can (take|be|have)\s+(one of\s+)?(the\s+)?(following\s+)?values|values:|one of( the following)?:",
    )
});
static LIST_VALUE: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*[-*]\s+`([^`]+)`"));
static DEFAULT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(?:by default|default value|default)\s*(?:is|it is|—|–|-|:|=)?\s*`([^`]+)`")
});
static MAX: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:maximum|max\.?|up to|no more than|not more than|at most|must not exceed|cannot exceed|does not exceed|limit(?:ed)? (?:of|to))\s+(?:length\s+(?:is\s+)?(?:of\s+)?|of\s+|is\s+)?(\d+)\s*(characters|chars|symbols|elements|items|values|entries|records|identifiers|ids|objects)?",
    )
});
static MIN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:minimum|min\.?|at least|no less than|not less than|greater than or equal to)\s+(?:length\s+(?:is\s+)?(?:of\s+)?|of\s+|is\s+)?(\d+)\s*(characters|chars|symbols|elements|items|values|entries|records|identifiers|ids|objects)?",
    )
});
static ANCHOR_LINK: LazyLock<Regex> = LazyLock::new(|| re(r"\]\(#([A-Za-z0-9_.-]+)\)"));

/// Is `s` a REST method name with at least one dot?
pub fn is_method_name(s: &str) -> bool {
    METHOD_NAME.is_match(s)
}

/// Lowercase letters and digits only: how a method name and a file name are compared.
pub fn normalized(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Markdown reduced to plain text: links to their text, emphasis and code marks removed,
/// whitespace collapsed.
pub fn plain(s: &str) -> String {
    let s = LINK.replace_all(s, "$1");
    let s = s.replace("**", "").replace('`', "");
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first cell of a parameter row: name, required mark and the type written under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameCell {
    /// The name, as spelled.
    pub name: String,
    /// Marked required (`**NAME***`).
    pub required: bool,
    /// The type text (`string`, `object[]`, `crm_status`, ...), if any.
    pub ty: Option<String>,
}

/// Reads the first cell of a parameter or field row.
pub fn name_cell(text: &str) -> Option<NameCell> {
    let (name, required, rest) = if let Some(c) = BOLD_NAME.captures(text) {
        let whole = c.get(0)?;
        let raw = c.get(1)?.as_str().replace('`', "");
        let star = c.get(2).is_some() || raw.ends_with('*') || raw.ends_with("\\*");
        let name = raw
            .trim_end_matches('*')
            .trim_end_matches('\\')
            .trim()
            .to_owned();
        (name, star, &text[whole.end()..])
    } else {
        let c = CODE.captures(text)?;
        let whole = c.get(0)?;
        let raw = c.get(1)?.as_str();
        let star = text[whole.end()..].starts_with('*');
        (
            raw.trim_end_matches('*').trim().to_owned(),
            star || raw.ends_with('*'),
            &text[whole.end()..],
        )
    };
    let ty = TYPE_LINK
        .captures(rest)
        .or_else(|| CODE.captures(rest))
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().trim().to_owned());
    Some(NameCell { name, required, ty })
}

/// A type as the docs spell it, in spec terms.
#[derive(Debug, Clone, PartialEq)]
pub struct DocType {
    /// The spec type.
    pub ty: TypeName,
    /// For arrays, the items' type.
    pub items: Option<Box<DocType>>,
    /// The docs' type has no counterpart in the format (it became `any`).
    pub unknown: bool,
    /// The docs say `char`: a one-letter flag (`Y`/`N` when its values say so).
    pub char_flag: bool,
}

/// Maps a documented type name to the spec's types.
pub fn doc_type(t: &str) -> DocType {
    let lower = t.trim().to_lowercase();
    let plain = |ty| DocType {
        ty,
        items: None,
        unknown: false,
        char_flag: false,
    };
    if let Some(inner) = lower.strip_suffix("[]") {
        return DocType {
            ty: TypeName::Array,
            items: Some(Box::new(doc_type(inner))),
            unknown: false,
            char_flag: false,
        };
    }
    match lower.as_str() {
        "string" | "text" | "date" | "datetime" | "timestamp" | "crm_status" | "crm_currency"
        | "str" | "guid" | "uuid" | "email" | "phone" => plain(TypeName::String),
        "char" | "y/n" | "yn" => DocType {
            char_flag: true,
            ..plain(TypeName::String)
        },
        "integer" | "int" | "int64" | "long" | "unsigned integer" => plain(TypeName::Integer),
        "double" | "float" | "number" | "decimal" | "numeric" => plain(TypeName::Number),
        "boolean" | "bool" => plain(TypeName::Boolean),
        "object" | "struct" | "dict" => plain(TypeName::Object),
        "array" | "list" => DocType {
            items: Some(Box::new(plain(TypeName::Any))),
            ..plain(TypeName::Array)
        },
        "enum" => plain(TypeName::Enum),
        "any" | "mixed" | "null" | "json" => plain(TypeName::Any),
        "url" | "uri" | "link" => plain(TypeName::String),
        "lang_map" => plain(TypeName::LocalizedText),
        "file" => plain(TypeName::File),
        "id" | "user" | "crm_company" | "crm_contact" | "crm_lead" | "crm_deal"
        | "crm_category" | "crm_quote" | "crm_smart_invoice" => plain(TypeName::Id),
        other if other.ends_with(".id") || other.ends_with("_id") => plain(TypeName::Id),
        _ => DocType {
            unknown: true,
            ..plain(TypeName::Any)
        },
    }
}

/// The allowed values a description lists after "Possible values" (a list of `` `value` ``
/// items, or backticked values in the same sentence).
pub fn allowed_values(desc: &str) -> Vec<String> {
    let Some(m) = VALUES_INTRO.find(desc) else {
        return Vec::new();
    };
    let after = &desc[m.end()..];
    let mut out = Vec::new();
    let mut started = false;
    for line in after.lines().skip(1) {
        if let Some(c) = LIST_VALUE.captures(line) {
            started = true;
            if let Some(v) = c.get(1) {
                out.push(v.as_str().trim().to_owned());
            }
        } else if started && !line.trim().is_empty() && !line.starts_with([' ', '\t']) {
            break;
        }
    }
    if out.is_empty() {
        let first = after.lines().next().unwrap_or("");
        let sentence = first.split(". ").next().unwrap_or(first);
        out = CODE
            .captures_iter(sentence)
            .filter_map(|c| c.get(1))
            .map(|m| m.as_str().trim().to_owned())
            .collect();
    }
    out.dedup();
    out
}

/// The default a description states as a literal (`` By default `N` ``).
pub fn default_value(desc: &str) -> Option<Value> {
    let c = DEFAULT.captures(desc)?;
    let lit = c.get(1)?.as_str().trim();
    if lit.is_empty() {
        return None;
    }
    Some(match serde_json::from_str::<Value>(lit) {
        Ok(v @ (Value::Number(_) | Value::Bool(_) | Value::Null)) => v,
        Ok(Value::String(s)) => Value::String(s),
        _ => Value::String(lit.trim_matches(['\'', '"']).to_owned()),
    })
}

/// A limit a description states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// A bound on a number.
    Value(u64),
    /// A bound on a length in characters.
    Length(u64),
    /// A bound on a number of items.
    Items(u64),
    /// A count of something else (records, ...): not a bound of this value.
    Other(u64),
}

impl Limit {
    /// The limit in words.
    pub fn describe(self) -> String {
        match self {
            Limit::Value(n) => n.to_string(),
            Limit::Length(n) => format!("{n} characters"),
            Limit::Items(n) => format!("{n} items"),
            Limit::Other(n) => format!("{n} (of something else)"),
        }
    }
}

fn limit_of(c: &regex::Captures<'_>) -> Option<Limit> {
    let n: u64 = c.get(1)?.as_str().parse().ok()?;
    Some(match c.get(2).map(|m| m.as_str().to_lowercase()) {
        None => Limit::Value(n),
        Some(u) if matches!(u.as_str(), "characters" | "chars" | "symbols") => Limit::Length(n),
        Some(u)
            if matches!(
                u.as_str(),
                "elements" | "items" | "values" | "identifiers" | "ids" | "objects"
            ) =>
        {
            Limit::Items(n)
        }
        Some(_) => Limit::Other(n),
    })
}

/// The lower and upper limits a description states.
pub fn limits(desc: &str) -> (Option<Limit>, Option<Limit>) {
    let text = plain(desc);
    (
        MIN.captures(&text).and_then(|c| limit_of(&c)),
        MAX.captures(&text).and_then(|c| limit_of(&c)),
    )
}

/// The `#anchor`s a description links to.
pub fn anchors(desc: &str) -> Vec<String> {
    ANCHOR_LINK
        .captures_iter(desc)
        .filter_map(|c| c.get(1))
        .map(|m| m.as_str().to_owned())
        .collect()
}

/// The backticked words of a text.
pub fn code_spans(text: &str) -> Vec<String> {
    CODE.captures_iter(text)
        .filter_map(|c| c.get(1))
        .map(|m| m.as_str().trim().to_owned())
        .collect()
}

/// The links of a text: (text, target).
pub fn links(text: &str) -> Vec<(String, String)> {
    LINK.captures_iter(text)
        .filter_map(|c| Some((c.get(1)?.as_str().to_owned(), c.get(2)?.as_str().to_owned())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_cells() {
        assert_eq!(
            name_cell("**CODE***\n[`string`](../data-types.md)"),
            Some(NameCell {
                name: "CODE".into(),
                required: true,
                ty: Some("string".into())
            })
        );
        let c = name_cell("**fields**\n[`object[]`](x.md)").expect("a name");
        assert!(!c.required);
        assert_eq!(c.ty.as_deref(), Some("object[]"));
        let c = name_cell("`id`*\n`integer`").expect("a name");
        assert_eq!((c.name.as_str(), c.required), ("id", true));
    }

    #[test]
    fn types() {
        assert_eq!(doc_type("integer").ty, TypeName::Integer);
        let a = doc_type("crm_contact[]");
        assert_eq!(a.ty, TypeName::Array);
        assert_eq!(a.items.map(|i| i.ty), Some(TypeName::Id));
        assert!(doc_type("crm_multifield").unknown);
        assert!(doc_type("char").char_flag);
    }

    #[test]
    fn values_defaults_and_limits() {
        let d = "A flag. Possible values:\n- `Y` — yes\n- `N` — no\n\nBy default `N`";
        assert_eq!(allowed_values(d), ["Y", "N"]);
        assert_eq!(default_value(d), Some(Value::String("N".into())));
        assert_eq!(
            allowed_values("Mode. Possible values: `a`, `b`. Other `c`."),
            ["a", "b"]
        );
        assert_eq!(default_value("Page size, default `50`"), Some(50.into()));
        assert_eq!(
            limits("Title, maximum 255 characters"),
            (None, Some(Limit::Length(255)))
        );
        assert_eq!(
            limits("Must be greater than or equal to 0. Up to 50 items"),
            (Some(Limit::Value(0)), Some(Limit::Items(50)))
        );
    }
}
