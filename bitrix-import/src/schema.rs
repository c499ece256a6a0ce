//! The schemas the importer builds (parameters, result), before they become YAML: what the
//! tables say, corrected by what the examples show.

use std::collections::HashSet;

use bitrix_spec::{Mode, Schema, TypeName, conforms, pascal_case, snake_case};
use indexmap::IndexMap;
use serde_json::Value;
use serde_yaml::{Mapping, Value as Yaml};

use crate::report::Lost;

/// A schema under construction.
#[derive(Debug, Clone)]
pub struct Node {
    /// The spec type.
    pub ty: TypeName,
    /// `required`.
    pub required: bool,
    /// `nullable` (responses).
    pub nullable: bool,
    /// `values` of an enum.
    pub values: Vec<String>,
    /// `default`.
    pub default: Option<Value>,
    /// `fields` of an object.
    pub fields: IndexMap<String, Node>,
    /// `dynamic` families of an object's members, by name prefix (`ufCrm`).
    pub dynamic: IndexMap<String, Node>,
    /// `json_string`: the portal also takes the structure as a JSON text.
    pub json_string: bool,
    /// `items` of an array or map.
    pub items: Option<Box<Node>>,
    /// A field-renaming `name`, when the key gives no usable Rust name.
    pub name: Option<String>,
    /// `min_length` / `max_length`.
    pub length: (Option<usize>, Option<usize>),
    /// `min_items` / `max_items`.
    pub count: (Option<usize>, Option<usize>),
    /// `minimum` / `maximum`.
    pub bounds: (Option<f64>, Option<f64>),
    /// Page line of the row that describes it (0: none).
    pub line: usize,
}

impl Node {
    /// A bare node of type `ty`.
    pub fn new(ty: TypeName) -> Node {
        Node {
            ty,
            required: false,
            nullable: false,
            values: Vec::new(),
            default: None,
            fields: IndexMap::new(),
            dynamic: IndexMap::new(),
            json_string: false,
            items: None,
            name: None,
            length: (None, None),
            count: (None, None),
            bounds: (None, None),
            line: 0,
        }
    }

    /// Keeps only what the node's type allows, and gives containers what they need.
    pub fn normalize(&mut self) {
        let ty = self.ty;
        let numbers = matches!(ty, TypeName::Integer | TypeName::Id)
            && self.values.iter().all(|v| v.parse::<i64>().is_ok());
        if ty != TypeName::Enum && !numbers {
            self.values.clear();
        }
        if ty != TypeName::Object {
            self.fields.clear();
        }
        if !matches!(ty, TypeName::Array | TypeName::Map) {
            self.items = None;
        } else if self.items.is_none() {
            self.items = Some(Box::new(Node::new(TypeName::Any)));
        }
        if !ty.is_textual() {
            self.length = (None, None);
        }
        if ty != TypeName::Array {
            self.count = (None, None);
        }
        if !matches!(ty, TypeName::Integer | TypeName::Id | TypeName::Number) {
            self.bounds = (None, None);
        }
        if ty == TypeName::Object && self.fields.is_empty() {
            self.ty = TypeName::Any;
        }
        if let Some(i) = &mut self.items {
            i.normalize();
        }
        for f in self.fields.values_mut() {
            f.normalize();
        }
    }

    /// The node as a spec schema mapping.
    pub fn to_yaml(&self) -> Yaml {
        let mut m = Mapping::new();
        let mut put = |k: &str, v: Yaml| {
            m.insert(Yaml::String(k.to_owned()), v);
        };
        put("type", Yaml::String(self.ty.as_str().to_owned()));
        if self.required {
            put("required", Yaml::Bool(true));
        }
        if self.nullable {
            put("nullable", Yaml::Bool(true));
        }
        if self.json_string && matches!(self.ty, TypeName::Object | TypeName::Array | TypeName::Map)
        {
            put("json_string", Yaml::Bool(true));
        }
        if let Some(n) = &self.name {
            put("name", Yaml::String(n.clone()));
        }
        if self.ty == TypeName::Enum {
            put(
                "values",
                Yaml::Sequence(self.values.iter().cloned().map(Yaml::String).collect()),
            );
        }
        if matches!(self.ty, TypeName::Integer | TypeName::Id) && !self.values.is_empty() {
            let numbers = self.values.iter().filter_map(|v| v.parse::<i64>().ok());
            put(
                "values",
                Yaml::Sequence(numbers.map(|n| Yaml::Number(n.into())).collect()),
            );
        }
        let num = |n: usize| Yaml::Number(serde_yaml::Number::from(n as u64));
        let float = |f: f64| {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                Yaml::Number(serde_yaml::Number::from(f as i64))
            } else {
                Yaml::Number(serde_yaml::Number::from(f))
            }
        };
        if let Some(n) = self.length.0 {
            put("min_length", num(n));
        }
        if let Some(n) = self.length.1 {
            put("max_length", num(n));
        }
        if let Some(n) = self.count.0 {
            put("min_items", num(n));
        }
        if let Some(n) = self.count.1 {
            put("max_items", num(n));
        }
        if let Some(n) = self.bounds.0 {
            put("minimum", float(n));
        }
        if let Some(n) = self.bounds.1 {
            put("maximum", float(n));
        }
        if let Some(d) = &self.default {
            if let Ok(y) = serde_yaml::to_value(d) {
                put("default", y);
            }
        }
        if self.ty == TypeName::Object {
            let mut f = Mapping::new();
            for (k, v) in &self.fields {
                f.insert(Yaml::String(k.clone()), v.to_yaml());
            }
            put("fields", Yaml::Mapping(f));
            if !self.dynamic.is_empty() {
                let mut d = Mapping::new();
                for (k, v) in &self.dynamic {
                    d.insert(Yaml::String(k.clone()), v.to_yaml());
                }
                put("dynamic", Yaml::Mapping(d));
            }
        }
        if let Some(i) = &self.items {
            put("items", i.to_yaml());
        }
        Yaml::Mapping(m)
    }

    /// The node as a `bitrix_spec` schema (for validation).
    pub fn to_schema(&self) -> Option<Schema> {
        serde_yaml::from_value(self.to_yaml()).ok()
    }

    /// Gives every member a usable, unique Rust name and every enum distinct variants; records
    /// what had to change.
    pub fn finalize(&mut self, path: &str, lost: &mut Vec<Lost>) {
        if self.ty == TypeName::Enum {
            let mut seen = HashSet::new();
            let before = self.values.len();
            self.values.retain(|v| {
                let p = pascal_case(v);
                !p.is_empty() && seen.insert(p)
            });
            if self.values.len() != before || self.values.is_empty() {
                lost.push(Lost::new(
                    self.line,
                    format!(
                        "`{path}`: allowed values that name no distinct Rust variant; typed as a string"
                    ),
                ));
                self.ty = TypeName::String;
                self.values.clear();
            }
        }
        let mut names = HashSet::new();
        for (i, (key, f)) in self.fields.iter_mut().enumerate() {
            let rust = snake_case(key);
            let usable =
                !rust.is_empty() && rust.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !usable || !names.insert(rust.clone()) || is_reserved(&rust) {
                let mut n = format!("field_{i}");
                while !names.insert(n.clone()) {
                    n.push('_');
                }
                f.name = Some(n);
            }
            f.finalize(&join(path, key), lost);
        }
        if let Some(i) = &mut self.items {
            i.finalize(&format!("{path}[]"), lost);
        }
    }
}

/// Names that cannot be raw identifiers in Rust.
fn is_reserved(name: &str) -> bool {
    matches!(name, "self" | "super" | "crate" | "_" | "extra")
}

/// `a` + `b` as a dotted path.
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// The schema a JSON value shows.
pub fn infer(v: &Value) -> Node {
    match v {
        Value::Null => {
            let mut n = Node::new(TypeName::Any);
            n.nullable = false;
            n
        }
        Value::Bool(_) => Node::new(TypeName::Boolean),
        Value::Number(n) if n.is_i64() || n.is_u64() => Node::new(TypeName::Integer),
        Value::Number(_) => Node::new(TypeName::Number),
        Value::String(_) => Node::new(TypeName::String),
        Value::Array(a) => {
            let mut n = Node::new(TypeName::Array);
            let mut item: Option<Node> = None;
            for x in a {
                let i = infer(x);
                item = Some(match item {
                    None => i,
                    Some(prev) if same_kind(&prev, &i) => merge(prev, i),
                    Some(_) => Node::new(TypeName::Any),
                });
            }
            n.items = Some(Box::new(item.unwrap_or_else(|| Node::new(TypeName::Any))));
            n
        }
        Value::Object(o) if o.is_empty() => Node::new(TypeName::Any),
        Value::Object(o) if o.keys().all(|k| k.chars().all(|c| c.is_ascii_digit())) => {
            let mut n = Node::new(TypeName::Map);
            let mut item: Option<Node> = None;
            for x in o.values() {
                let i = infer(x);
                item = Some(match item {
                    None => i,
                    Some(prev) if same_kind(&prev, &i) => merge(prev, i),
                    Some(_) => Node::new(TypeName::Any),
                });
            }
            n.items = item.map(Box::new);
            n
        }
        Value::Object(o) => {
            let mut n = Node::new(TypeName::Object);
            for (k, x) in o {
                n.fields.insert(k.clone(), infer(x));
            }
            n
        }
    }
}

fn same_kind(a: &Node, b: &Node) -> bool {
    a.ty == b.ty
        || matches!(
            (a.ty, b.ty),
            (TypeName::Integer, TypeName::Number) | (TypeName::Number, TypeName::Integer)
        )
}

/// Two inferred shapes of the same kind, merged (objects: the union of their members).
fn merge(mut a: Node, b: Node) -> Node {
    if a.ty == TypeName::Integer && b.ty == TypeName::Number {
        return b;
    }
    for (k, f) in b.fields {
        match a.fields.shift_remove(&k) {
            Some(prev) if same_kind(&prev, &f) => {
                let m = merge(prev, f);
                a.fields.insert(k, m);
            }
            Some(_) => {
                a.fields.insert(k, Node::new(TypeName::Any));
            }
            None => {
                a.fields.insert(k, f);
            }
        }
    }
    a
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a fractional number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn fits(node: &Node, v: &Value, mode: Mode) -> bool {
    node.to_schema()
        .is_some_and(|s| conforms(&s, v, mode).is_ok())
}

/// Makes `node` accept `v`, which an example of the page shows: the example wins. Every change
/// is recorded at the example's line `line`.
pub fn reconcile(
    node: &mut Node,
    v: &Value,
    mode: Mode,
    path: &str,
    line: usize,
    lost: &mut Vec<Lost>,
) {
    if fits(node, v, mode) {
        return;
    }
    let at = if node.line > 0 { node.line } else { line };
    match (node.ty, v) {
        (_, Value::Null) if mode == Mode::Response => {
            node.nullable = true;
        }
        (TypeName::Object, Value::Object(m)) => {
            for (k, f) in node.fields.iter_mut() {
                let p = join(path, k);
                match m.get(k) {
                    Some(fv) if !(mode == Mode::Request && bitrix_spec::is_empty(fv)) => {
                        reconcile(f, fv, mode, &p, line, lost)
                    }
                    _ if f.required => {
                        f.required = false;
                        lost.push(Lost::new(
                            at.max(f.line),
                            format!("`{p}` is marked required, but the example at line {line} leaves it out; made optional"),
                        ));
                    }
                    _ => {}
                }
            }
        }
        (TypeName::Array, Value::Array(a)) => {
            if let Some(item) = &mut node.items {
                for x in a {
                    reconcile(item, x, mode, &format!("{path}[]"), line, lost);
                }
            }
        }
        (TypeName::Map, Value::Object(o)) => {
            if let Some(item) = &mut node.items {
                for x in o.values() {
                    reconcile(item, x, mode, &format!("{path}[]"), line, lost);
                }
            }
        }
        (TypeName::Enum, Value::String(s)) if mode == Mode::Request => {
            lost.push(Lost::new(
                at,
                format!("`{path}`: the example at line {line} sends `{s}`, which the listed values do not include; added"),
            ));
            node.values.push(s.clone());
        }
        _ => {
            let mut new = infer(v);
            lost.push(Lost::new(
                at,
                format!(
                    "`{path}`: the table says `{}`, the example at line {line} shows {}; typed from the example",
                    node.ty.as_str(),
                    describe(v)
                ),
            ));
            new.required = node.required && !v.is_null();
            new.line = node.line;
            new.name = node.name.take();
            *node = new;
            node.normalize();
        }
    }
    if !fits(node, v, mode) {
        // Whatever is left (a shape the checks reject in ways the walk above does not see).
        lost.push(Lost::new(
            at,
            format!("`{path}`: the example at line {line} does not fit the table; left untyped"),
        ));
        let required = node.required;
        *node = Node::new(TypeName::Any);
        node.required = required && !v.is_null();
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_example_wins_over_the_table() {
        let mut n = Node::new(TypeName::Object);
        let mut id = Node::new(TypeName::Integer);
        id.required = true;
        n.fields.insert("ID".into(), id);
        n.fields.insert("NAME".into(), Node::new(TypeName::Boolean));
        let mut lost = Vec::new();
        reconcile(
            &mut n,
            &json!({"ID": "12", "NAME": "Anna", "EXTRA": 1}),
            Mode::Response,
            "result",
            40,
            &mut lost,
        );
        assert_eq!(n.fields["ID"].ty, TypeName::Integer);
        assert_eq!(n.fields["NAME"].ty, TypeName::String);
        assert_eq!(lost.len(), 1);
        assert!(lost[0].fact.contains("result.NAME"), "{lost:?}");
    }

    #[test]
    fn names_are_made_usable() {
        let mut n = Node::new(TypeName::Object);
        n.fields.insert("a-b".into(), Node::new(TypeName::String));
        n.fields.insert("A_B".into(), Node::new(TypeName::String));
        n.fields.insert(">=".into(), Node::new(TypeName::String));
        let mut e = Node::new(TypeName::Enum);
        e.values = vec!["*".into()];
        n.fields.insert("mode".into(), e);
        let mut lost = Vec::new();
        n.finalize("params", &mut lost);
        assert_eq!(n.fields["a-b"].name, None);
        assert_eq!(n.fields["A_B"].name.as_deref(), Some("field_1"));
        assert_eq!(n.fields[">="].name.as_deref(), Some("field_2"));
        assert_eq!(n.fields["mode"].ty, TypeName::String);
        assert_eq!(lost.len(), 1);
    }

    #[test]
    fn inference_merges_items() {
        let n = infer(&json!([{"a": 1}, {"a": 1.5, "b": "x"}]));
        let item = n.items.expect("items");
        assert_eq!(item.fields["a"].ty, TypeName::Number);
        assert_eq!(item.fields["b"].ty, TypeName::String);
    }
}
