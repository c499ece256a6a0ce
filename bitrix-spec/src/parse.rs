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
        (Some(spec), diags) if diags.is_empty() => Ok(spec),
        (_, diags) => Err(diags),
    }
}

/// Parses what can be parsed: the spec built from the pieces that read cleanly (if the top
/// level did), and the diagnostics of the pieces that did not, so that [`crate::check`] can
/// still look at the rest.
pub(crate) fn parse_partial(file: &str, text: &str) -> (Option<Spec>, Vec<Diagnostic>) {
    let source = Source { file, text };
    let doc: Value = match serde_yaml::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            let message = strip_location(&e.to_string());
            let diag = Diagnostic {
                file: file.to_owned(),
                line,
                column,
                key: String::new(),
                message: format!("YAML syntax error: {message}"),
            };
            return (None, vec![diag]);
        }
    };
    let Value::Mapping(mut root) = doc else {
        let diag = source.at(
            &[],
            "a spec must be a YAML mapping (method: ..., params: ...)",
        );
        return (None, vec![diag]);
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
                    if let Some(schema) = source.read(v.clone(), &path, &mut diags) {
                        params.insert(key_text(k), schema);
                    }
                }
            }
            ("result", v) => result = source.read(v.clone(), &base, &mut diags),
            ("errors" | "examples" | "rules", Value::Sequence(items)) => {
                for (i, v) in items.iter().enumerate() {
                    let mut path = base.clone();
                    path.push(Seg::Index(i));
                    let v = v.clone();
                    match section {
                        "errors" => errors.extend(source.read(v, &path, &mut diags)),
                        "examples" => examples.extend(source.read(v, &path, &mut diags)),
                        _ => rules.extend(source.read(v, &path, &mut diags)),
                    }
                }
            }
            // A section of the wrong shape is reported by the whole-spec read below.
            _ => continue,
        }
        root.insert(Value::from(section), Value::Null);
    }
    let mut stub = Mapping::new();
    stub.insert("type".into(), "any".into());
    if matches!(root.get("result"), Some(Value::Null)) {
        root.insert("result".into(), Value::Mapping(stub));
    }
    let spec: Option<Spec> = source.read(Value::Mapping(root), &[], &mut diags);
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
    (spec, diags)
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

    pub(crate) fn read<T: DeserializeOwned>(
        &self,
        value: Value,
        base: &[Seg],
        diags: &mut Vec<Diagnostic>,
    ) -> Option<T> {
        match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(v) => Some(v),
            Err(e) => {
                let mut path = base.to_vec();
                for seg in e.path().iter() {
                    match seg {
                        serde_path_to_error::Segment::Map { key } => {
                            path.push(Seg::Key(key.clone()))
                        }
                        serde_path_to_error::Segment::Seq { index } => {
                            path.push(Seg::Index(*index))
                        }
                        _ => {}
                    }
                }
                let message = strip_location(&e.inner().to_string());
                // serde names an unknown key in the message, not in the path.
                if let Some(field) = message
                    .strip_prefix("unknown field `")
                    .and_then(|r| r.split('`').next())
                {
                    if path.last() != Some(&Seg::Key(field.to_owned())) {
                        path.push(Seg::Key(field.to_owned()));
                    }
                }
                let message = message.replace("unknown variant", "unknown value");
                diags.push(self.at(&path, message));
                None
            }
        }
    }
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
            if let Seg::Key(k) = seg {
                let l = lines[line];
                if let Some(p) = find_key(&l[col..], k) {
                    flow = Some((line, col + p));
                    found = (line + 1, col + p + 1);
                    continue;
                }
            }
            break;
        }
        let mut hit = None;
        match seg {
            Seg::Key(k) => {
                for (i, l) in lines.iter().enumerate().take(end).skip(start) {
                    if !significant(l) {
                        continue;
                    }
                    let content = item_content(l);
                    let col = l.len() - content.len();
                    if col as isize > owner_indent && key_at_start(content, k) {
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
        if rest.contains('{') {
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
    fn a_bare_dash_item_is_located_without_a_panic() {
        // Found by bench/tests/fuzz.rs: the item's column is past the end of a `-` line.
        let doc = "errors:\n  -\n    code: X\n";
        assert_eq!(locate(doc, &[k("errors"), Seg::Index(0)]), (2, 5));
        let _ = locate(doc, &[k("errors"), Seg::Index(0), k("code")]);
        let _ = parse("a.yaml", doc);
    }
}
