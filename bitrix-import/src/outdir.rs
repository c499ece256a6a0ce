//! The output folder as the importer finds and leaves it. A spec the importer wrote starts with
//! its marker line, `# Imported from <page url> by bitrix-import.`; any other `*.yaml` of a
//! scope folder is curated (hand-written, or taken over by deleting the line) and is never
//! written, nor removed. Shared types (`<scope>/types/*.yaml`) are always curated. Event specs
//! (`<scope>/events/*.yaml`) follow the same rule as method specs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// How the marker line starts.
pub const MARKER_START: &str = "# Imported from ";
/// How the marker line ends.
pub const MARKER_END: &str = " by bitrix-import.";
/// The report, beside the scope folders.
pub const REPORT: &str = "import-report.json";

/// The marker line of a spec imported from the page at `url`.
pub fn marker(url: &str) -> String {
    format!("{MARKER_START}{url}{MARKER_END}")
}

/// Does the spec text start with the importer's marker line?
pub fn is_imported(text: &str) -> bool {
    let first = text.lines().next().unwrap_or("");
    first.starts_with(MARKER_START) && first.ends_with(MARKER_END)
}

/// The specs found in an output folder, by path relative to it (`<folder>/<file>.yaml`).
#[derive(Debug, Default, Clone)]
pub struct Existing {
    /// Specs with the marker line, and their text.
    pub imported: BTreeMap<String, String>,
    /// Curated specs (without the marker line), and their text.
    pub curated: BTreeMap<String, String>,
    /// The method of each curated spec (its `method:` key, else its file name), with its file.
    pub curated_methods: BTreeMap<String, String>,
    /// Shared type files (`<folder>/types/*.yaml`).
    pub types: BTreeSet<String>,
}

impl Existing {
    /// The curated specs of one scope folder, as (file, text).
    pub fn curated_in(&self, folder: &str) -> Vec<(String, String)> {
        let prefix = format!("{folder}/");
        let events = format!("{folder}/events/");
        self.curated
            .iter()
            .filter(|(f, _)| f.starts_with(&prefix) && !f.starts_with(&events))
            .map(|(f, t)| (f.clone(), t.clone()))
            .collect()
    }
}

fn sorted_entries(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut v: Vec<_> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    v.sort();
    Ok(v)
}

fn name_of(p: &Path) -> Option<String> {
    p.file_name()?.to_str().map(str::to_owned)
}

/// Reads the specs of `out` (missing: none).
pub fn scan(out: &Path) -> Result<Existing, String> {
    let mut ex = Existing::default();
    if !out.is_dir() {
        return Ok(ex);
    }
    let err = |p: &Path, e: std::io::Error| format!("cannot read {}: {e}", p.display());
    for dir in sorted_entries(out).map_err(|e| err(out, e))? {
        let Some(folder) = name_of(&dir) else {
            continue;
        };
        if !dir.is_dir() || folder.starts_with('.') {
            continue;
        }
        for f in sorted_entries(&dir).map_err(|e| err(&dir, e))? {
            let Some(file) = name_of(&f) else { continue };
            if f.is_dir() && file == "types" {
                for t in sorted_entries(&f).map_err(|e| err(&f, e))? {
                    if t.is_file() && t.extension().is_some_and(|x| x == "yaml") {
                        if let Some(n) = name_of(&t) {
                            ex.types.insert(format!("{folder}/types/{n}"));
                        }
                    }
                }
                continue;
            }
            if f.is_dir() && file == "events" {
                // Event specs: imported or curated like method specs, but no method's.
                for e in sorted_entries(&f).map_err(|e| err(&f, e))? {
                    let Some(n) = name_of(&e) else { continue };
                    if !e.is_file() || !n.ends_with(".yaml") {
                        continue;
                    }
                    let text = std::fs::read_to_string(&e).map_err(|x| err(&e, x))?;
                    let rel = format!("{folder}/events/{n}");
                    if is_imported(&text) {
                        ex.imported.insert(rel, text);
                    } else {
                        ex.curated.insert(rel, text);
                    }
                }
                continue;
            }
            if !f.is_file() || !file.ends_with(".yaml") {
                continue;
            }
            let rel = format!("{folder}/{file}");
            let text = std::fs::read_to_string(&f).map_err(|e| err(&f, e))?;
            if is_imported(&text) {
                ex.imported.insert(rel, text);
            } else {
                let method =
                    method_key(&text).unwrap_or_else(|| file.trim_end_matches(".yaml").to_owned());
                ex.curated_methods
                    .entry(method)
                    .or_insert_with(|| rel.clone());
                ex.curated.insert(rel, text);
            }
        }
    }
    Ok(ex)
}

/// The `method:` key of a spec, if it reads as YAML.
fn method_key(text: &str) -> Option<String> {
    let v: serde_yaml::Value = serde_yaml::from_str(text).ok()?;
    v.get("method")?.as_str().map(str::to_owned)
}

/// Copies the curated specs and shared types of `from` into `to` (for `--check`).
pub fn seed(from: &Path, existing: &Existing, to: &Path) -> Result<(), String> {
    for rel in existing.curated.keys().chain(existing.types.iter()) {
        let dst = to.join(rel);
        if let Some(d) = dst.parent() {
            std::fs::create_dir_all(d)
                .map_err(|e| format!("cannot create {}: {e}", d.display()))?;
        }
        std::fs::copy(from.join(rel), &dst)
            .map_err(|e| format!("cannot copy {rel} to {}: {e}", to.display()))?;
    }
    Ok(())
}

/// What a run changed among the imported specs of the output folder.
#[derive(Debug, Default, Clone)]
pub struct Changes {
    /// Specs written that were not there.
    pub added: Vec<String>,
    /// Specs rewritten with other content.
    pub changed: Vec<String>,
    /// Imported specs removed: the run does not produce them any more.
    pub removed: Vec<String>,
    /// Imported specs left as they were.
    pub unchanged: usize,
}

/// Makes the imported specs of `out` exactly `desired` (path to text): writes the new and the
/// changed, removes the imported ones not desired, never touches a curated file.
pub fn apply(
    out: &Path,
    existing: &Existing,
    desired: &BTreeMap<String, String>,
) -> Result<Changes, String> {
    let mut ch = Changes::default();
    for rel in existing.imported.keys() {
        if !desired.contains_key(rel) {
            let p = out.join(rel);
            std::fs::remove_file(&p).map_err(|e| format!("cannot remove {}: {e}", p.display()))?;
            ch.removed.push(rel.clone());
            // A folder left empty goes too.
            if let Some(dir) = p.parent() {
                if std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none()) {
                    let _ = std::fs::remove_dir(dir);
                }
            }
        }
    }
    for (rel, text) in desired {
        if existing.curated.contains_key(rel) {
            return Err(format!("refusing to overwrite the curated spec {rel}"));
        }
        match existing.imported.get(rel) {
            Some(old) if old == text => {
                ch.unchanged += 1;
                continue;
            }
            Some(_) => ch.changed.push(rel.clone()),
            None => ch.added.push(rel.clone()),
        }
        let p = out.join(rel);
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        std::fs::write(&p, text).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
    }
    Ok(ch)
}

/// The differences between the imported specs and report of two output folders: `expected` is
/// what the importer writes, `actual` the folder checked. Each line names a file.
pub fn compare(expected: &Path, actual: &Path) -> Result<Vec<String>, String> {
    let want = scan(expected)?;
    let have = scan(actual)?;
    let mut diffs = Vec::new();
    let files: BTreeSet<&String> = want.imported.keys().chain(have.imported.keys()).collect();
    for rel in files {
        match (want.imported.get(rel), have.imported.get(rel)) {
            (Some(_), None) => diffs.push(format!("missing: {rel}")),
            (None, Some(_)) => diffs.push(format!("not written by the importer: {rel}")),
            (Some(a), Some(b)) if a != b => diffs.push(format!("differs: {rel}")),
            _ => {}
        }
    }
    let read = |p: &Path| std::fs::read(p.join(REPORT)).ok();
    match (read(expected), read(actual)) {
        (Some(a), Some(b)) if a == b => {}
        (Some(_), None) => diffs.push(format!("missing: {REPORT}")),
        _ => diffs.push(format!("differs: {REPORT}")),
    }
    Ok(diffs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_marker_line_makes_a_spec_imported() {
        assert!(is_imported(&format!(
            "{}\nmethod: a.b\n",
            marker("https://example.com/a.html")
        )));
        assert!(!is_imported("method: a.b\n"));
        assert!(!is_imported(
            "# A comment\n# Imported from x by bitrix-import.\n"
        ));
        assert!(!is_imported(
            "# Imported from x, edited by hand\nmethod: a.b\n"
        ));
    }

    #[test]
    fn scan_tells_curated_specs_and_types_from_imported_ones() {
        let dir = std::env::temp_dir().join(format!("bitrix-import-scan-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let put = |rel: &str, text: &str| {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("dir");
            std::fs::write(p, text).expect("write");
        };
        put("a/a.x.yaml", &format!("{}\nmethod: a.x\n", marker("u")));
        put("a/a.y.yaml", "method: a.y\n");
        put("b/odd-name.yaml", "method: a.z\n");
        put("b/broken.yaml", ": : :\n");
        put(
            "a/types/T.yaml",
            &format!("{}\ntype: object\n", marker("u")),
        );
        put("a/notes.yml", "method: a.w\n");
        let ex = scan(&dir).expect("scans");
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(ex.imported.keys().collect::<Vec<_>>(), ["a/a.x.yaml"]);
        assert_eq!(
            ex.curated.keys().collect::<Vec<_>>(),
            ["a/a.y.yaml", "b/broken.yaml", "b/odd-name.yaml"]
        );
        assert_eq!(ex.curated_methods["a.z"], "b/odd-name.yaml");
        assert_eq!(ex.curated_methods["broken"], "b/broken.yaml");
        assert_eq!(ex.types.iter().collect::<Vec<_>>(), ["a/types/T.yaml"]);
    }
}
