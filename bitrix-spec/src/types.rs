//! Shared types: entities that many methods of a scope return or accept (a deal, a task, a
//! file), declared once in `specs/<scope>/types/<Name>.yaml` and referenced from specs with
//! `ref: Name`. A reference is resolved when the spec is loaded, so the checks, the example
//! validation and the mock see the whole shape; the generator sees `shared` and emits a
//! reference to the one generated type instead of a copy.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

use crate::check::check_schema;
use crate::model::{AuthContext, Schema, Spec, TypeName};
use crate::parse::{Damage, Diagnostic, Seg, Source};

/// The shared types of one scope, by name.
#[derive(Debug, Clone, Default)]
pub struct Types {
    by_name: BTreeMap<String, Shared>,
}

/// One shared type and the file that declares it.
#[derive(Debug, Clone)]
pub struct Shared {
    /// The file, as given to [`Types::parse`].
    pub file: String,
    /// The type's schema: an `object` or an `enum`.
    pub schema: Schema,
}

impl Types {
    /// Reads type files (`(file, text)`, the file named `<Name>.yaml`), reporting every problem.
    pub fn parse<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Types, Vec<Diagnostic>> {
        let mut types = Types::default();
        let mut diags = Vec::new();
        for (file, text) in files {
            let src = Source { file, text };
            let name = Path::new(file)
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_owned();
            if !(name.starts_with(|c: char| c.is_ascii_uppercase())
                && name.chars().all(|c| c.is_ascii_alphanumeric()))
            {
                diags.push(src.at(&[], format!(
                    "a shared type file is named after its Rust type (CamelCase, e.g. `Deal.yaml`), not `{name}`"
                )));
                continue;
            }
            let doc: Value = match serde_yaml::from_str(text) {
                Ok(v) => v,
                Err(e) => {
                    let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
                    diags.push(Diagnostic {
                        file: file.to_owned(),
                        line,
                        column,
                        key: String::new(),
                        message: format!("YAML syntax error: {e}"),
                    });
                    continue;
                }
            };
            if contains_ref(&doc) {
                diags.push(src.at(
                    &[],
                    "a shared type cannot `ref` another one: write the members out",
                ));
                continue;
            }
            let mut damage = Damage::default();
            let before = diags.len();
            let Some(schema) = src.read::<Schema>(&doc, &[], &mut diags, &mut damage) else {
                continue;
            };
            if !matches!(schema.ty, TypeName::Object | TypeName::Enum) {
                if damage.at(&[Seg::Key("type".into())]) {
                    continue;
                }
                diags.push(src.at(
                    &[Seg::Key("type".into())],
                    format!(
                        "a shared type is an `object` or an `enum`, not `{}`",
                        schema.ty.as_str()
                    ),
                ));
                continue;
            }
            let mut found = Vec::new();
            let all = [AuthContext::Application, AuthContext::Webhook];
            check_schema(&src, &schema, &[], &all, false, &mut found);
            damage.filter(&mut found);
            if !found.is_empty() || diags.len() > before {
                diags.extend(found);
                continue;
            }
            types.by_name.insert(
                name,
                Shared {
                    file: file.to_owned(),
                    schema,
                },
            );
        }
        if diags.is_empty() {
            Ok(types)
        } else {
            Err(diags)
        }
    }

    /// Reads the type files of the scope folder `scope_dir` (its `types/` folder; none is fine).
    /// Each file is named in diagnostics relative to `base`.
    pub fn read_dir(scope_dir: &Path, base: &Path) -> Result<Types, Vec<Diagnostic>> {
        let files = match type_files(scope_dir) {
            Ok(f) => f,
            Err(e) => return Err(vec![io_diag(&scope_dir.join("types"), &e)]),
        };
        let mut texts = Vec::new();
        for f in &files {
            match std::fs::read_to_string(f) {
                Ok(t) => texts.push((f.strip_prefix(base).unwrap_or(f).display().to_string(), t)),
                Err(e) => return Err(vec![io_diag(f, &e)]),
            }
        }
        Types::parse(texts.iter().map(|(f, t)| (f.as_str(), t.as_str())))
    }

    /// The shared type `name`.
    pub fn get(&self, name: &str) -> Option<&Shared> {
        self.by_name.get(name)
    }

    /// Every shared type, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Shared)> {
        self.by_name.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Replaces every `ref` in the spec's parameters and result by its type's shape, keeping
    /// the referencing member's `required`, `nullable`, `json_string` and `description`.
    pub(crate) fn resolve(&self, src: &Source<'_>, spec: &mut Spec, out: &mut Vec<Diagnostic>) {
        for (k, s) in spec.params.iter_mut() {
            self.resolve_schema(
                src,
                s,
                &[Seg::Key("params".into()), Seg::Key(k.clone())],
                out,
            );
        }
        self.resolve_schema(src, &mut spec.result, &[Seg::Key("result".into())], out);
    }

    fn resolve_schema(
        &self,
        src: &Source<'_>,
        s: &mut Schema,
        path: &[Seg],
        out: &mut Vec<Diagnostic>,
    ) {
        if let Some(name) = s.shared.clone() {
            match self.get(&name) {
                Some(t) => {
                    let site = std::mem::replace(s, t.schema.clone());
                    s.shared = Some(name);
                    s.required = site.required;
                    s.nullable = site.nullable;
                    s.required_in = site.required_in;
                    s.json_string = site.json_string;
                    // The site's `name` renames the member; the type's name is its file's.
                    s.name = site.name;
                    if site.description.is_some() {
                        s.description = site.description;
                    }
                }
                None => {
                    // Reported once, here: the placeholder must not fail the checks as well.
                    s.ty = TypeName::Any;
                    s.shared = None;
                    let known: Vec<&str> = self.by_name.keys().map(String::as_str).collect();
                    let mut p = path.to_vec();
                    p.push(Seg::Key("ref".into()));
                    out.push(src.at(
                        &p,
                        format!(
                            "there is no shared type `{name}` in this scope's `types/` folder; {}",
                            if known.is_empty() {
                                "it has none".to_owned()
                            } else {
                                format!("it has: {}", known.join(", "))
                            }
                        ),
                    ));
                }
            }
            return;
        }
        if let Some(fields) = s.fields.as_mut() {
            for (k, f) in fields.iter_mut() {
                let mut p = path.to_vec();
                p.push(Seg::Key("fields".into()));
                p.push(Seg::Key(k.clone()));
                self.resolve_schema(src, f, &p, out);
            }
        }
        if let Some(items) = s.items.as_mut() {
            let mut p = path.to_vec();
            p.push(Seg::Key("items".into()));
            self.resolve_schema(src, items, &p, out);
        }
        if let Some(variants) = s.variants.as_mut() {
            for (k, v) in variants.iter_mut() {
                let mut p = path.to_vec();
                p.push(Seg::Key("variants".into()));
                p.push(Seg::Key(k.clone()));
                self.resolve_schema(src, v, &p, out);
            }
        }
    }
}

fn io_diag(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic {
        file: path.display().to_string(),
        line: 1,
        column: 1,
        key: String::new(),
        message: format!("cannot read: {e}"),
    }
}

/// The `*.yaml` files of `scope_dir/types`, sorted; empty when there is no such folder.
pub fn type_files(scope_dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    yaml_files(&scope_dir.join("types"))
}

/// The `*.yaml` files of `dir`, sorted; empty when there is no such folder.
pub(crate) fn yaml_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for f in std::fs::read_dir(dir)? {
        let f = f?.path();
        if f.extension().is_some_and(|e| e == "yaml") {
            out.push(f);
        }
    }
    out.sort();
    Ok(out)
}

fn contains_ref(v: &Value) -> bool {
    match v {
        Value::Mapping(m) => m.contains_key("ref") || m.values().any(contains_ref),
        Value::Sequence(s) => s.iter().any(contains_ref),
        _ => false,
    }
}

/// `ref: Name` stands for a whole schema: the placeholder `type` lets it read as a [`Schema`]
/// until [`Types::resolve`] puts the shape in. Only `params` and `result` hold schemas.
pub(crate) fn mark_refs(root: &mut Mapping) {
    fn walk(v: &mut Value) {
        match v {
            Value::Mapping(m) => {
                if m.get("ref").is_some_and(Value::is_string) && !m.contains_key("type") {
                    m.insert("type".into(), "object".into());
                }
                for (_, child) in m.iter_mut() {
                    walk(child);
                }
            }
            Value::Sequence(s) => s.iter_mut().for_each(walk),
            _ => {}
        }
    }
    for section in ["params", "result"] {
        if let Some(v) = root.get_mut(section) {
            walk(v);
        }
    }
}
