//! Type names unique within a scope folder. All specs of a folder expand into one Rust module,
//! so two of them (or a spec and a shared type) must not define one type name. The clashes are
//! those `bitrix_codegen::check_scope` reports, plus a type defined twice within one spec (what
//! `bitrix_codegen::expand` refuses); each is resolved in the imported spec, never in a curated
//! one, by giving the clashing nested type an explicit CamelCase `name:` unused in the scope.

use std::collections::{BTreeMap, BTreeSet};

use bitrix_codegen::{ScopeSpec, check_scope, type_names};
use bitrix_spec::{Seg, Spec, Types, path_string};
use serde_yaml::{Mapping, Value as Yaml};

/// Rounds of renaming before the clashes still left fail their pages.
const MAX_ROUNDS: usize = 8;

/// What resolving one folder did.
#[derive(Debug, Default)]
pub struct Resolution {
    /// Nested types given a name.
    pub renamed: usize,
    /// Imported specs left out, by file, with the reason.
    pub failed: BTreeMap<String, String>,
}

/// One type that clashes: the spec file and key that define it, and its name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Clash {
    file: String,
    key: String,
    name: String,
}

/// An imported spec of the folder: its text (marker line included), the spec and the type
/// names its expansion defines.
pub struct Imported {
    /// The YAML text.
    pub text: String,
    /// The spec, loaded from `text`.
    pub spec: Spec,
    names: Vec<(String, Vec<Seg>)>,
}

impl Imported {
    /// An imported spec, loaded already.
    pub fn new(text: String, spec: Spec) -> Imported {
        let names = type_names(&spec);
        Imported { text, spec, names }
    }
}

/// Resolves the clashes of one scope folder. `curated` are the folder's curated specs (file,
/// text), `types` its shared types, `imported` the imported specs by file, changed in place; a
/// spec whose clash cannot be resolved is removed from `imported` and named in
/// [`Resolution::failed`].
pub fn resolve(
    curated: &[(String, String)],
    types: &Types,
    imported: &mut BTreeMap<String, Imported>,
) -> Resolution {
    let mut res = Resolution::default();
    let curated: Vec<(&str, &str, Spec)> = curated
        .iter()
        .filter_map(|(f, t)| {
            Some((
                f.as_str(),
                t.as_str(),
                bitrix_spec::load_with(f, t, types).ok()?,
            ))
        })
        .collect();
    let mut curated_names: Option<BTreeSet<String>> = None;
    for round in 0..=MAX_ROUNDS {
        let clashes = find(&curated, imported, types);
        if clashes.is_empty() {
            break;
        }
        if round == MAX_ROUNDS {
            for c in clashes {
                res.failed.entry(c.file.clone()).or_insert_with(|| {
                    format!(
                        "the type `{}` (at `{}`) still clashes with another type of the scope after {MAX_ROUNDS} renamings",
                        c.name, c.key
                    )
                });
            }
            for f in res.failed.keys() {
                imported.remove(f);
            }
            break;
        }
        // Every name the scope defines now, so that a new one is unused.
        let mut taken = curated_names
            .get_or_insert_with(|| {
                let mut t: BTreeSet<String> = types.iter().map(|(n, _)| n.to_owned()).collect();
                for c in &curated {
                    t.extend(type_names(&c.2).into_iter().map(|(n, _)| n));
                }
                t
            })
            .clone();
        for i in imported.values() {
            taken.extend(i.names.iter().map(|(n, _)| n.clone()));
        }
        let mut done: BTreeSet<(String, String)> = BTreeSet::new();
        for c in clashes {
            let targets = if c.key == "method" {
                // The request type (or its error enum) of this spec is defined by another spec as
                // a nested type: rename that one, in the imported specs that define it.
                let others: Vec<(String, String)> = imported
                    .iter()
                    .filter(|(f, _)| **f != c.file)
                    .flat_map(|(f, i)| {
                        i.names
                            .iter()
                            .filter(|(n, p)| *n == c.name && path_string(p) != "method")
                            .map(|(_, p)| (f.clone(), path_string(p)))
                            .collect::<Vec<_>>()
                    })
                    .collect();
                if others.is_empty() {
                    res.failed.entry(c.file.clone()).or_insert_with(|| {
                        format!(
                            "its type `{}` is defined by a curated spec, a shared type or another method of the scope; give the method a `rust_name` by hand",
                            c.name
                        )
                    });
                    continue;
                }
                others
            } else {
                vec![(c.file.clone(), c.key.clone())]
            };
            for (file, key) in targets {
                if !done.insert((file.clone(), key.clone())) || res.failed.contains_key(&file) {
                    continue;
                }
                let Some(imp) = imported.get_mut(&file) else {
                    continue;
                };
                let Some(path) = imp
                    .names
                    .iter()
                    .map(|(_, p)| p)
                    .find(|p| path_string(p) == key)
                    .cloned()
                else {
                    continue;
                };
                let new = fresh_name(&c.name, &path, &taken);
                let renamed = rename(&imp.text, &path, &new).and_then(|t| {
                    let spec = bitrix_spec::load_with(&file, &t, types).map_err(|d| {
                        format!(
                            "the renamed spec does not load: {}",
                            d.first().map_or_else(String::new, ToString::to_string)
                        )
                    })?;
                    Ok((t, spec))
                });
                match renamed {
                    Ok((t, spec)) => {
                        taken.insert(new);
                        *imp = Imported::new(t, spec);
                        res.renamed += 1;
                    }
                    Err(why) => {
                        res.failed.insert(
                            file,
                            format!(
                                "the type `{}` (at `{key}`) clashes with another type of the scope and {why}",
                                c.name
                            ),
                        );
                    }
                }
            }
        }
        for f in res.failed.keys() {
            imported.remove(f);
        }
    }
    res
}

/// The clashes at imported specs: `check_scope` over the curated specs first, then the imported
/// ones (so that a clash is always reported at an imported spec when one takes part), and the
/// types an imported spec defines twice.
fn find(
    curated: &[(&str, &str, Spec)],
    imported: &BTreeMap<String, Imported>,
    types: &Types,
) -> BTreeSet<Clash> {
    let specs: Vec<ScopeSpec<'_>> = curated
        .iter()
        .map(|(file, text, spec)| ScopeSpec { file, text, spec })
        .chain(imported.iter().map(|(file, i)| ScopeSpec {
            file,
            text: &i.text,
            spec: &i.spec,
        }))
        .collect();
    let mut out = BTreeSet::new();
    for d in check_scope(&specs, types) {
        if let Some(i) = imported.get(&d.file) {
            // The name is the one the message quotes among those defined at the key.
            let name = i
                .names
                .iter()
                .find(|(n, p)| path_string(p) == d.key && d.message.contains(&format!("`{n}`")))
                .map(|(n, _)| n.clone());
            if let Some(name) = name {
                out.insert(Clash {
                    file: d.file.clone(),
                    key: d.key.clone(),
                    name,
                });
            }
        }
    }
    for (file, i) in imported {
        let mut seen = BTreeSet::new();
        for (name, path) in &i.names {
            if !seen.insert(name) {
                out.insert(Clash {
                    file: file.clone(),
                    key: path_string(path),
                    name: name.clone(),
                });
            }
        }
    }
    out
}

/// A name for the nested type `old` at `path` that the scope does not use: the old name with
/// the side it is on after it (`Param` for parameters, `Member` for the result), numbered when
/// that is taken too.
fn fresh_name(old: &str, path: &[Seg], taken: &BTreeSet<String>) -> String {
    let side = match path.first() {
        Some(Seg::Key(k)) if k == "params" => "Param",
        _ => "Member",
    };
    let base = format!("{old}{side}");
    if !taken.contains(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}{n}"))
        .find(|n| !taken.contains(n))
        .unwrap_or(base)
}

/// The spec `text` (marker line first) with `name: new` on the schema at `path`, placed after
/// its `type`.
pub fn rename(text: &str, path: &[Seg], new: &str) -> Result<String, String> {
    let (marker, body) = match text.split_once('\n') {
        Some((first, rest)) if first.starts_with('#') => (Some(first), rest),
        _ => (None, text),
    };
    let mut doc: Yaml = serde_yaml::from_str(body).map_err(|e| format!("cannot be read: {e}"))?;
    let mut node = &mut doc;
    for seg in path {
        node = match seg {
            Seg::Key(k) => node.get_mut(k.as_str()),
            Seg::Index(i) => node.get_mut(*i),
        }
        .ok_or_else(|| format!("has no `{}`", path_string(path)))?;
    }
    let Yaml::Mapping(m) = node else {
        return Err(format!("`{}` is not a schema", path_string(path)));
    };
    if let Some(Yaml::String(n)) = m.get("name") {
        if !n.starts_with(|c: char| c.is_ascii_uppercase()) {
            return Err(format!(
                "its `name: {n}` renames the field, so it cannot name the type"
            ));
        }
    }
    let mut renamed = Mapping::new();
    let mut placed = false;
    for (k, v) in m.iter() {
        if k.as_str() == Some("name") {
            continue;
        }
        renamed.insert(k.clone(), v.clone());
        if k.as_str() == Some("type") {
            renamed.insert("name".into(), Yaml::String(new.to_owned()));
            placed = true;
        }
    }
    if !placed {
        renamed.insert("name".into(), Yaml::String(new.to_owned()));
    }
    *m = renamed;
    let yaml = serde_yaml::to_string(&doc).map_err(|e| format!("cannot be written: {e}"))?;
    Ok(match marker {
        Some(first) => format!("{first}\n{yaml}"),
        None => yaml,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GET: &str = "# Imported from https://example.com/get.html by bitrix-import.
method: demo.item.get
scope: demo
summary: Gets an item.
access: any user
contexts: [webhook]
idempotent: true
docs: https://example.com
params:
  KIND:
    type: enum
    required: true
    values: [a, b]
result:
  type: object
  required: true
  fields:
    owner:
      type: object
      fields:
        id: {type: integer}
";

    fn spec_named(method: &str) -> String {
        GET.replace("demo.item.get", method).replace(
            "params:\n  KIND:\n    type: enum\n    required: true\n    values: [a, b]\n",
            "",
        )
    }

    fn imported(files: &[(&str, String)]) -> BTreeMap<String, Imported> {
        files
            .iter()
            .map(|(f, t)| {
                let spec = bitrix_spec::load(f, t).expect("loads");
                ((*f).to_owned(), Imported::new(t.clone(), spec))
            })
            .collect()
    }

    #[test]
    fn a_nested_type_named_like_a_request_type_is_renamed_not_the_method() {
        // `KIND` of demo.item.get is `DemoItemGetKind`, the request type of demo.item.get.kind.
        let mut specs = imported(&[
            ("demo/demo.item.get.yaml", GET.to_owned()),
            (
                "demo/demo.item.get.kind.yaml",
                spec_named("demo.item.get.kind"),
            ),
        ]);
        let res = resolve(&[], &Types::default(), &mut specs);
        assert_eq!(res.renamed, 1);
        assert!(res.failed.is_empty(), "{:?}", res.failed);
        let get = &specs["demo/demo.item.get.yaml"].text;
        assert!(get.starts_with("# Imported from https://example.com/get.html"));
        assert!(
            get.contains("  KIND:\n    type: enum\n    name: DemoItemGetKindParam\n"),
            "{get}"
        );
        assert_eq!(
            specs["demo/demo.item.get.kind.yaml"].text,
            spec_named("demo.item.get.kind")
        );
    }

    #[test]
    fn a_clash_with_a_curated_spec_is_resolved_in_the_imported_one() {
        // The curated spec defines `DemoItemGetResultOwner` as a type of its own.
        let curated = spec_named("demo.item.find")
            .replacen(
                "# Imported from https://example.com/get.html by bitrix-import.\n",
                "",
                1,
            )
            .replace(
                "    owner:\n      type: object\n",
                "    owner:\n      type: object\n      name: DemoItemGetResultOwner\n",
            );
        let mut specs = imported(&[("demo/demo.item.get.yaml", GET.to_owned())]);
        let res = resolve(
            &[("demo/demo.item.find.yaml".to_owned(), curated)],
            &Types::default(),
            &mut specs,
        );
        assert_eq!(res.renamed, 1, "{:?}", res.failed);
        let get = &specs["demo/demo.item.get.yaml"].text;
        assert!(get.contains("name: DemoItemGetResultOwnerMember"), "{get}");
    }

    #[test]
    fn two_methods_with_one_type_name_fail_the_later() {
        let mut specs = imported(&[
            ("demo/demo.item_get.yaml", spec_named("demo.item_get")),
            ("demo/demo.itemGet.yaml", spec_named("demo.itemGet")),
        ]);
        let res = resolve(&[], &Types::default(), &mut specs);
        assert_eq!(specs.len(), 1);
        assert_eq!(res.failed.len(), 1);
        let why = res.failed.values().next().expect("one");
        assert!(why.contains("`DemoItemGet`"), "{why}");
    }

    #[test]
    fn a_field_renaming_name_cannot_name_the_type() {
        let path = [Seg::Key("params".into()), Seg::Key("KIND".into())];
        let text = GET.replace(
            "    required: true\n    values",
            "    name: kind_of\n    values",
        );
        let err = rename(&text, &path, "New").unwrap_err();
        assert!(err.contains("renames the field"), "{err}");
    }
}
