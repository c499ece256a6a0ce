//! YAML -> [`Spec`], with every error placed at a file, line and key.

use std::fmt;

use serde::de::DeserializeOwned;
use serde_yaml::{Mapping, Value};

use crate::model::Spec;

/// One problem found in a spec, placed at the line of the key it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The spec file, as given to [`parse`].
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Dotted path of the key, e.g. `params.CODE.type` or `errors[2].code`.
    pub key: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.key.is_empty() {
            write!(f, "`{}`: ", self.key)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl Diagnostic {
    /// A diagnostic placed at the line of `path` in the spec `file` whose source is `text`.
    pub fn at(file: &str, text: &str, path: &[Seg], message: impl Into<String>) -> Diagnostic {
        Source { file, text }.at(path, message)
    }
}

/// A step in the path from the document root to a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A mapping key.
    Key(String),
    /// A sequence index.
    Index(usize),
}

/// Renders `[params, CODE, type]` as `params.CODE.type` and `[errors, 2]` as `errors[2]`.
pub fn path_string(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Reads a spec. The only place YAML is parsed: the macro, the mock portal and the tests all call it.
///
/// On failure returns every structural error found (each parameter, error entry, example and
/// rule is read on its own, so one typo does not hide the next), then [`crate::check`] adds the
/// semantic ones.
pub fn parse(file: &str, text: &str) -> Result<Spec, Vec<Diagnostic>> {
    match parse_partial(file, text) {
        (Some(spec), diags, _) if diags.is_empty() => Ok(spec),
        (_, diags, _) => Err(diags),
    }
}

/// Parses what can be parsed: the spec built from the pieces that read cleanly (if the top
/// level did), and the diagnostics of the pieces that did not, so that [`crate::check`] can
/// still look at the rest.
pub(crate) fn parse_partial(file: &str, text: &str) -> (Option<Spec>, Vec<Diagnostic>, Damage) {
    let source = Source { file, text };
    let mut damage = Damage::default();
    let doc: Value = match serde_yaml::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            let message = syntax_message(text, line, &strip_location(&e.to_string()));
            let diag = Diagnostic {
                file: file.to_owned(),
                line,
                column,
                key: String::new(),
                message: format!("YAML syntax error: {message}"),
            };
            return (None, vec![diag], damage);
        }
    };
    let Value::Mapping(mut root) = doc else {
        let diag = source.at(
            &[],
            "a spec must be a YAML mapping (method: ..., params: ...)",
        );
        return (None, vec![diag], damage);
    };

    crate::types::mark_refs(&mut root);
    // The repeated parts are read piece by piece so that one typo does not hide the next.
    let mut diags = Vec::new();
    let mut params = indexmap::IndexMap::new();
    let (mut errors, mut examples, mut rules, mut result) =
        (Vec::new(), Vec::new(), Vec::new(), None);
    for section in ["params", "result", "errors", "examples", "rules"] {
        let Some(value) = root.get(section) else {
            continue;
        };
        let base = vec![Seg::Key(section.to_owned())];
        match (section, value) {
            ("params", Value::Mapping(m)) => {
                for (k, v) in m {
                    let mut path = base.clone();
                    path.push(Seg::Key(key_text(k)));
                    // A parameter that does not read at all is still known by its name, so that
                    // the rules, triggers and examples that name it are not reported as well.
                    let schema = source
                        .read(v, &path, &mut diags, &mut damage)
                        .unwrap_or_else(crate::model::Schema::placeholder);
                    params.insert(key_text(k), schema);
                }
            }
            ("result", v) => result = source.read(v, &base, &mut diags, &mut damage),
            ("errors" | "examples" | "rules", Value::Sequence(items)) => {
                for (i, v) in items.iter().enumerate() {
                    let mut path = base.clone();
                    path.push(Seg::Index(i));
                    match section {
                        "errors" => errors.extend(source.read(v, &path, &mut diags, &mut damage)),
                        "examples" => {
                            examples.extend(source.read(v, &path, &mut diags, &mut damage))
                        }
                        // A rule that does not read keeps its place: `when: {rule: N}` counts.
                        _ => rules.push(
                            source
                                .read(v, &path, &mut diags, &mut damage)
                                .unwrap_or_default(),
                        ),
                    }
                }
            }
            // A section of the wrong shape is reported by the whole-spec read below.
            _ => continue,
        }
        root.insert(Value::from(section), Value::Null);
    }
    if matches!(root.get("result"), Some(Value::Null)) {
        root.insert("result".into(), any_schema());
    }
    let spec: Option<Spec> = source.read(&Value::Mapping(root), &[], &mut diags, &mut damage);
    let spec = spec.map(|mut spec| {
        spec.params = params;
        spec.errors = errors;
        spec.examples = examples;
        spec.rules = rules;
        if let Some(result) = result {
            spec.result = result;
        }
        spec
    });
    (spec, diags, damage)
}

/// A YAML syntax error, with a hint where the line shows a likely cause.
fn syntax_message(text: &str, line: usize, message: &str) -> String {
    let l = text.lines().nth(line.saturating_sub(1)).unwrap_or_default();
    if message.contains("did not find expected ',' or '}'") && l.contains('{') {
        // `{ description: Note: this }`: the second `: ` starts a mapping inside the value.
        return format!(
            "{message} (a `: ` inside an unquoted flow-map value is read as a key; quote the value)"
        );
    }
    message.to_owned()
}

fn key_text(k: &Value) -> String {
    match k {
        Value::String(s) => s.clone(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_owned(),
    }
}

/// serde_yaml appends " at line X column Y"; the diagnostic carries the place itself.
fn strip_location(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// The text of one spec file, to place diagnostics in it.
pub(crate) struct Source<'a> {
    pub(crate) file: &'a str,
    pub(crate) text: &'a str,
}

impl Source<'_> {
    /// A diagnostic at the line of `path`.
    pub(crate) fn at(&self, path: &[Seg], message: impl Into<String>) -> Diagnostic {
        let (line, column) = locate(self.text, path);
        Diagnostic {
            file: self.file.to_owned(),
            line,
            column,
            key: path_string(path),
            message: message.into(),
        }
    }

    /// Reads `value` as a `T`, reporting every problem in it, not only the first: a key that
    /// does not read is reported, then left out or replaced by a stand-in (recorded in
    /// `damage`), and the rest is read again. `None` when the value as a whole is not a `T`.
    pub(crate) fn read<T: DeserializeOwned>(
        &self,
        value: &Value,
        base: &[Seg],
        diags: &mut Vec<Diagnostic>,
        damage: &mut Damage,
    ) -> Option<T> {
        if let Ok(v) = T::deserialize(value) {
            return Some(v);
        }
        let mut value = value.clone();
        // Sequence items left out, as (path of the sequence, index), both as in the source.
        let mut removed: Vec<(Vec<Seg>, usize)> = Vec::new();
        // Each round leaves out or replaces one key; the bound only guards against a stand-in
        // that does not read either.
        for _ in 0..256 {
            let e = match serde_path_to_error::deserialize::<_, T>(&value) {
                Ok(v) => return Some(v),
                Err(e) => e,
            };
            let mut rel = Vec::new();
            for seg in e.path().iter() {
                match seg {
                    serde_path_to_error::Segment::Map { key } => rel.push(Seg::Key(key.clone())),
                    serde_path_to_error::Segment::Seq { index } => rel.push(Seg::Index(*index)),
                    _ => {}
                }
            }
            let message = strip_location(&e.inner().to_string());
            // serde names an unknown or missing key in the message, not in the path.
            let unknown = quoted_after(&message, "unknown field `");
            let missing = quoted_after(&message, "missing field `");
            if let Some(field) = unknown.or(missing) {
                if rel.last() != Some(&Seg::Key(field.to_owned())) {
                    rel.push(Seg::Key(field.to_owned()));
                }
            }
            let mut full = base.to_vec();
            full.extend(original(&rel, &removed));
            // A key that was reported and replaced is not reported again as missing.
            if !(missing.is_some() && damage.at(&full)) {
                let node = get(&value, &rel);
                let explained = self.explain(&message, &full, node, unknown.is_some());
                // A missing key is reported at the mapping that lacks it.
                let at = if missing.is_some() {
                    &full[..full.len() - 1]
                } else {
                    &full[..]
                };
                diags.push(self.at(at, explained));
            }
            damage.add(full.clone());
            match repair(&mut value, &rel, &message) {
                Repair::Done => {}
                Repair::Removed(i) => {
                    let seq = original(&rel[..rel.len() - 1], &removed);
                    damage.add(base.iter().cloned().chain(seq.clone()).collect());
                    removed.push((seq, i_original(&rel, &removed, i)));
                }
                Repair::Impossible => return None,
            }
        }
        None
    }

    /// The message for a key that does not read: serde's, in the terms of the format, with a
    /// hint at the likely cause where there is one.
    fn explain(&self, message: &str, path: &[Seg], node: Option<&Value>, unknown: bool) -> String {
        let key = path.iter().rev().find_map(|s| match s {
            Seg::Key(k) => Some(k.as_str()),
            Seg::Index(_) => None,
        });
        let shape = match node {
            Some(Value::Sequence(_)) => Some("a list"),
            Some(Value::Mapping(_)) => Some("a mapping"),
            _ => None,
        };
        if let (Some("type"), Some(shape), false) = (key, shape, unknown) {
            return format!(
                "a type is one name, not {shape}; expected one of {}. For a value that takes \
                 several shapes, write `type: one_of` with its `variants`, one schema each",
                crate::model::TypeName::ALL
                    .iter()
                    .map(|t| format!("`{}`", t.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if message.contains("Value::Tagged enum") {
            let allowed = match key {
                Some("contexts" | "required_in") => " (`application` or `webhook`)",
                Some("style") => " (`classic` or `offset`)",
                _ => "",
            };
            return format!(
                "expected one name{allowed}, not {}",
                shape.unwrap_or("this value")
            );
        }
        let mut message = message.replace("unknown variant", "unknown value").replace(
            "expected struct Schema",
            "expected a mapping of schema keys, such as `{ type: string }`",
        );
        if let Some(rest) = message.find("expected struct ") {
            message.truncate(rest);
            message.push_str("expected a mapping");
        }
        if let (true, Some(Value::Null), Some(key)) = (unknown, node, key) {
            let (line, column) = locate(self.text, path);
            let text = self.text.lines().nth(line - 1).unwrap_or_default();
            if let Some((fix, list)) = split_value(text, column - 1, key) {
                let how = if list {
                    "write the list in brackets"
                } else {
                    "quote the value"
                };
                return format!(
                    "unknown field `{key}`: a `,` inside an unquoted flow-map value splits it; \
                     {how}: `{fix}`"
                );
            }
        }
        if let (Some(Value::String(s)), true) = (node, message.contains("expected a sequence")) {
            let (line, column) = locate(self.text, path);
            let text = self.text.lines().nth(line - 1).unwrap_or_default();
            let list = as_list(text, column - 1, s);
            let key = key.unwrap_or_default();
            message.push_str(&format!("; write the list in brackets: `{key}: {list}`"));
        }
        message
    }
}

/// The key or field name quoted in `message` after `prefix`.
fn quoted_after<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    message
        .strip_prefix(prefix)
        .and_then(|r| r.split('`').next())
}

/// The keys reported while reading a spec and then left out or replaced by a stand-in, so that
/// the rest could be read. The checks say nothing more about them, nor about what depends on
/// them (a rule naming a parameter whose section did not read, say).
#[derive(Debug, Default, Clone)]
pub(crate) struct Damage(Vec<Vec<Seg>>);

impl Damage {
    pub(crate) fn add(&mut self, path: Vec<Seg>) {
        if !self.at(&path) {
            self.0.push(path);
        }
    }

    /// Was this very key reported?
    pub(crate) fn at(&self, path: &[Seg]) -> bool {
        self.0.iter().any(|d| d == path)
    }

    /// Was this key or one under it reported?
    pub(crate) fn under(&self, path: &[Seg]) -> bool {
        self.0.iter().any(|d| d.starts_with(path))
    }

    /// Drops the diagnostics of the checks about keys already reported.
    pub(crate) fn filter(&self, diags: &mut Vec<Diagnostic>) {
        if self.0.is_empty() {
            return;
        }
        let keys: Vec<String> = self.0.iter().map(|p| path_string(p)).collect();
        diags.retain(|d| !keys.contains(&d.key));
    }
}

/// `rel` (a path in the value being repaired) as a path in the source, whose sequences still
/// hold the items that were left out.
fn original(rel: &[Seg], removed: &[(Vec<Seg>, usize)]) -> Vec<Seg> {
    let mut out = Vec::with_capacity(rel.len());
    for (n, seg) in rel.iter().enumerate() {
        match seg {
            Seg::Key(_) => out.push(seg.clone()),
            Seg::Index(i) => out.push(Seg::Index(i_original(&rel[..=n], removed, *i))),
        }
    }
    out
}

/// The source index of item `i` of the sequence at `rel[..len - 1]`.
fn i_original(rel: &[Seg], removed: &[(Vec<Seg>, usize)], i: usize) -> usize {
    let seq = original(&rel[..rel.len() - 1], removed);
    let mut gone: Vec<usize> = removed
        .iter()
        .filter(|(p, _)| *p == seq)
        .map(|(_, r)| *r)
        .collect();
    gone.sort_unstable();
    let mut o = i;
    for r in gone {
        if r <= o {
            o += 1;
        }
    }
    o
}

fn get<'v>(value: &'v Value, path: &[Seg]) -> Option<&'v Value> {
    let mut v = value;
    for seg in path {
        v = match (seg, v) {
            (Seg::Key(k), Value::Mapping(m)) => m.iter().find(|(mk, _)| key_text(mk) == *k)?.1,
            (Seg::Index(i), Value::Sequence(s)) => s.get(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

fn get_mut<'v>(value: &'v mut Value, path: &[Seg]) -> Option<&'v mut Value> {
    let mut v = value;
    for seg in path {
        v = match (seg, v) {
            (Seg::Key(k), Value::Mapping(m)) => m.iter_mut().find(|(mk, _)| key_text(mk) == *k)?.1,
            (Seg::Index(i), Value::Sequence(s)) => s.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

enum Repair {
    /// A key was replaced by a stand-in, or left out.
    Done,
    /// The item with this index (in the value being repaired) was left out of its sequence.
    Removed(usize),
    /// The value as a whole is wrong.
    Impossible,
}

/// Leaves out, or replaces by a stand-in, the key at `rel` that did not read, so that the
/// rest can be read.
fn repair(value: &mut Value, rel: &[Seg], message: &str) -> Repair {
    let Some((last, parent)) = rel.split_last() else {
        return Repair::Impossible;
    };
    match (last, get_mut(value, parent)) {
        (Seg::Key(k), Some(Value::Mapping(m))) => {
            let at = m.keys().find(|mk| key_text(mk) == *k).cloned();
            let stand_in = if message.contains("expected struct Schema") {
                Some(any_schema())
            } else {
                stand_in(k, m)
            };
            match (stand_in, at) {
                // A stand-in that does not read either: leave the key out.
                (Some(s), Some(key)) if m.get(&key) == Some(&s) => {
                    m.shift_remove(&key);
                }
                (Some(s), Some(key)) => {
                    m.insert(key, s);
                }
                (Some(s), None) => {
                    m.insert(Value::from(k.as_str()), s);
                }
                (None, Some(key)) => {
                    m.shift_remove(&key);
                }
                (None, None) => return Repair::Impossible,
            }
            Repair::Done
        }
        (Seg::Index(i), Some(Value::Sequence(s))) if *i < s.len() => {
            s.remove(*i);
            Repair::Removed(*i)
        }
        _ => Repair::Impossible,
    }
}

fn any_schema() -> Value {
    let mut m = Mapping::new();
    m.insert("type".into(), "any".into());
    Value::Mapping(m)
}

/// What stands in for the required or structural key `key` of the mapping `owner` once it is
/// reported, so that it causes no second diagnostic; `None` for a key best left out.
fn stand_in(key: &str, owner: &Mapping) -> Option<Value> {
    let has = |k: &str| owner.contains_key(k);
    Some(match key {
        // The type the other keys of the schema suggest, so that they do not look misplaced.
        "type" => Value::from(if has("values") {
            "enum"
        } else if has("variants") {
            "one_of"
        } else if has("fields") || has("rules") || has("dynamic") {
            "object"
        } else if has("items") || has("min_items") || has("max_items") {
            "array"
        } else if has("pattern") || has("min_length") || has("max_length") {
            "string"
        } else if has("minimum") || has("maximum") {
            "number"
        } else {
            "any"
        }),
        "values" | "contexts" => Value::Sequence(Vec::new()),
        "fields" | "response" => Value::Mapping(Mapping::new()),
        "items" | "result" => any_schema(),
        "variants" => {
            let mut m = Mapping::new();
            m.insert("first".into(), any_schema());
            m.insert("second".into(), any_schema());
            Value::Mapping(m)
        }
        "method" | "scope" | "summary" | "access" | "docs" | "code" | "description" => {
            Value::from("")
        }
        "idempotent" => Value::from(false),
        "status" => Value::from(400),
        "style" => Value::from("classic"),
        _ => return None,
    })
}

/// Keys whose value is a list.
const LIST_KEYS: &[&str] = &[
    "values",
    "contexts",
    "required_in",
    "at_least_one_of",
    "at_most_one_of",
    "all_or_none",
    "then_required",
];

/// For a key with no value that sits at byte `at` of the flow-map line `line` (the `b` of
/// `{ description: a, b }`): the key and value it was most likely part of, written the way
/// that reads as intended (`description: "a, b"`), and whether that value is a list.
fn split_value(line: &str, at: usize, key: &str) -> Option<(String, bool)> {
    let rest = line.get(at..)?.strip_prefix(key)?.trim_start();
    if !(rest.starts_with(',') || rest.starts_with('}')) {
        return None;
    }
    let before = &line[..at];
    let colon = before.rfind(':')?;
    let start = before[..colon].rfind(['{', ',']).map_or(0, |i| i + 1);
    let owner = before[start..colon].trim();
    let value = line[colon + 1..run_on(line, at + key.len())].trim();
    if owner.is_empty() || value.is_empty() {
        return None;
    }
    let list = LIST_KEYS.contains(&owner);
    Some((
        match owner {
            _ if list => format!("{owner}: [{value}]"),
            _ if value.contains('"') => format!("{owner}: '{}'", value.replace('\'', "''")),
            _ => format!("{owner}: \"{value}\""),
        },
        list,
    ))
}

/// From byte `end` of a flow-map line, just past a value, the end of the bare items that
/// follow it (`, b, c` with no `:`), which the writer most likely meant as part of the value.
fn run_on(line: &str, mut end: usize) -> usize {
    loop {
        let tail = &line[end..];
        let Some(sep) = tail.find([',', '}']) else {
            return end;
        };
        if tail.as_bytes()[sep] == b'}' {
            return end;
        }
        let next = &tail[sep + 1..];
        let item_end = next.find([',', '}']).unwrap_or(next.len());
        if next[..item_end].contains(':') || next[..item_end].trim().is_empty() {
            return end;
        }
        end += sep + 1 + item_end;
    }
}

/// For a list key at byte `at` of `line` whose value is the text `value`: the list as it
/// was most likely meant, `[a, b]`, taking in the bare items split off a flow-map value.
fn as_list(line: &str, at: usize, value: &str) -> String {
    let flow = line[..at].contains('{');
    let rest = &line[at..];
    let items = match (flow, rest.find(':')) {
        (true, Some(colon)) => {
            let from = at + colon + 1;
            let first = line[from..]
                .find([',', '}'])
                .map_or(line.len(), |i| from + i);
            line[from..run_on(line, first)].trim()
        }
        _ => value,
    };
    format!("[{items}]")
}

/// Finds the line and column of a key path in block- or flow-style YAML, falling back to the
/// deepest ancestor it can find. Used because serde_yaml keeps no positions past parsing.
pub(crate) fn locate(text: &str, path: &[Seg]) -> (usize, usize) {
    let lines: Vec<&str> = text.lines().collect();
    let significant = |l: &str| {
        let t = l.trim_start();
        !t.is_empty() && !t.starts_with('#')
    };
    // (first line, one past the last line, indentation of the owner) of the current block.
    let (mut start, mut end, mut owner_indent) = (0usize, lines.len(), -1isize);
    let mut found = (1usize, 1usize);
    // Inside a flow mapping on one line, keys are searched after this column.
    let mut flow: Option<(usize, usize)> = None;
    for seg in path {
        if let Some((line, col)) = flow {
            if let Seg::Index(want) = seg {
                if let Some(p) = flow_item(&lines[line][col..], *want) {
                    flow = Some((line, col + p));
                    found = (line + 1, col + p + 1);
                    continue;
                }
            }
            if let Seg::Key(k) = seg {
                let l = lines[line];
                if let Some(p) = find_key(&l[col..], k) {
                    flow = Some((line, col + p));
                    found = (line + 1, col + p + 1);
                    continue;
                }
                // A key without a value: the `b` of `{ description: a, b }`.
                if let Some(p) = find_bare(&l[col..], k) {
                    found = (line + 1, col + p + 1);
                }
            }
            break;
        }
        let mut hit = None;
        match seg {
            Seg::Key(k) => {
                // The keys of a block all sit at the column of its first one; a deeper line
                // with the same key belongs to a nested mapping.
                let mut column = None;
                for (i, l) in lines.iter().enumerate().take(end).skip(start) {
                    if !significant(l) {
                        continue;
                    }
                    let content = item_content(l);
                    let col = l.len() - content.len();
                    if col as isize <= owner_indent || *column.get_or_insert(col) != col {
                        continue;
                    }
                    if key_at_start(content, k) {
                        hit = Some((i, col));
                        break;
                    }
                }
            }
            Seg::Index(want) => {
                let mut n = 0;
                let mut dash_indent = None;
                for (i, l) in lines.iter().enumerate().take(end).skip(start) {
                    let t = l.trim_start();
                    let indent = l.len() - t.len();
                    if !significant(l) || (indent as isize) <= owner_indent && i > start {
                        continue;
                    }
                    if t.starts_with("- ") || t == "-" {
                        if *dash_indent.get_or_insert(indent) != indent {
                            continue;
                        }
                        if n == *want {
                            hit = Some((i, indent + 2));
                            break;
                        }
                        n += 1;
                    }
                }
            }
        }
        let Some((line, col)) = hit else { break };
        found = (line + 1, col + 1);
        // A bare `-` line puts the item's column past the line's end.
        let rest = lines[line].get(col..).unwrap_or("");
        if rest.contains(['{', '[']) {
            flow = Some((line, col));
            continue;
        }
        let is_item = matches!(seg, Seg::Index(_));
        // A block ends at the first line indented no deeper than its key (or its dash).
        let limit = if is_item {
            col as isize - 2
        } else {
            col as isize
        };
        end = (line + 1..lines.len())
            .find(|&i| {
                significant(lines[i])
                    && ((lines[i].len() - lines[i].trim_start().len()) as isize) <= limit
            })
            .unwrap_or(lines.len());
        // The first key of a `- key: value` item sits on the dash line itself.
        start = if is_item { line } else { line + 1 };
        owner_indent = if is_item {
            col as isize - 1
        } else {
            col as isize
        };
    }
    found
}

/// The text of a line after its indentation and any `- ` item markers.
fn item_content(line: &str) -> &str {
    let mut t = line.trim_start();
    while let Some(rest) = t.strip_prefix("- ") {
        t = rest.trim_start();
    }
    t
}

fn key_at_start(content: &str, key: &str) -> bool {
    for quoted in [key.to_owned(), format!("\"{key}\""), format!("'{key}'")] {
        if let Some(rest) = content.strip_prefix(quoted.as_str()) {
            if rest.trim_start().starts_with(':') {
                return true;
            }
        }
    }
    false
}

/// Position of `key:` in a flow mapping fragment, at a word boundary.
fn find_key(s: &str, key: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(p) = s[from..].find(key) {
        let at = from + p;
        let before = s[..at].chars().next_back();
        let boundary = matches!(before, None | Some('{' | ',' | ' ' | '"' | '\''));
        let after = s[at + key.len()..].trim_start_matches(['"', '\'']);
        if boundary && after.trim_start().starts_with(':') {
            return Some(at);
        }
        from = at + key.len();
    }
    None
}

/// Position of item `want` of the first flow sequence (`[a, b]`) in `s`.
fn flow_item(s: &str, want: usize) -> Option<usize> {
    let open = s.find('[')?;
    let (mut depth, mut n) = (0usize, 0usize);
    for (i, c) in s[open + 1..].char_indices() {
        if n == want && !c.is_whitespace() {
            return (c != ']').then_some(open + 1 + i);
        }
        match c {
            '[' | '{' => depth += 1,
            ']' | '}' if depth == 0 => return None,
            ']' | '}' => depth -= 1,
            ',' if depth == 0 => n += 1,
            _ => {}
        }
    }
    None
}

/// Position of `key` as a flow-mapping entry of its own, with no `:` (`, key,` or `, key }`).
fn find_bare(s: &str, key: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(p) = s[from..].find(key) {
        let at = from + p;
        let before = s[..at].trim_end().chars().next_back();
        let after = s[at + key.len()..].trim_start().chars().next();
        if matches!(before, Some(',' | '{')) && matches!(after, Some(',' | '}')) {
            return Some(at);
        }
        from = at + key.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "method: a.b\nparams:\n  CODE:\n    type: string\n    required: true\n  NAME: { type: strin, required: true }\nerrors:\n  - code: X\n    status: 400\n  - code: Y\n    status: 4000\n";

    fn k(s: &str) -> Seg {
        Seg::Key(s.into())
    }

    #[test]
    fn locates_block_flow_and_items() {
        assert_eq!(locate(DOC, &[k("params"), k("CODE"), k("type")]), (4, 5));
        assert_eq!(locate(DOC, &[k("params"), k("NAME"), k("type")]), (6, 11));
        assert_eq!(
            locate(DOC, &[k("errors"), Seg::Index(1), k("status")]),
            (11, 5)
        );
        assert_eq!(locate(DOC, &[k("errors"), Seg::Index(1)]), (10, 5));
        assert_eq!(locate(DOC, &[k("missing")]), (1, 1));
    }

    #[test]
    fn a_top_level_key_is_not_found_in_a_nested_mapping() {
        let doc = "params:\n  result: { type: any }\nresult:\n  type: any\n";
        assert_eq!(locate(doc, &[k("result")]), (3, 1));
        assert_eq!(locate(doc, &[k("params"), k("result")]), (2, 3));
        let doc = "params:\n  CODE: { type: string, description: a, b }\n";
        assert_eq!(locate(doc, &[k("params"), k("CODE"), k("b")]), (2, 41));
        let doc = "contexts: [webhok, application, aplication]\n";
        assert_eq!(locate(doc, &[k("contexts"), Seg::Index(2)]), (1, 33));
    }

    #[test]
    fn a_bare_dash_item_is_located_without_a_panic() {
        // Found by bench/tests/fuzz.rs: the item's column is past the end of a `-` line.
        let doc = "errors:\n  -\n    code: X\n";
        assert_eq!(locate(doc, &[k("errors"), Seg::Index(0)]), (2, 5));
        let _ = locate(doc, &[k("errors"), Seg::Index(0), k("code")]);
        let _ = parse("a.yaml", doc);
    }
}
