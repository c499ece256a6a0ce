//! Imports the Bitrix24 REST reference into method specs.
//!
//! The reference is Markdown with Diplodoc extensions (`#| ... |#` tables, `{% include %}`,
//! `{% list tabs %}`). [`run`] reads every page under `DOCS/api-reference/`, turns each method
//! page into a spec in the format of `bitrix-spec` (checked with the same loader the build uses),
//! writes the specs that load under `OUT/<scope>/<method>.yaml`, and writes
//! `OUT/import-report.json` with one entry per method page: its status and the facts of the page
//! that its spec could not carry.

pub mod convert;
pub mod facts;
pub mod json;
pub mod page;
pub mod report;
pub mod schema;
pub mod table;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use report::{Entry, Lost, Report, Status, Summary};

/// Every `*.md` file under `dir`, as paths relative to it with `/` separators, sorted.
pub fn markdown_files(dir: &Path) -> std::io::Result<Vec<String>> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
        for e in std::fs::read_dir(dir)? {
            let p = e?.path();
            if p.is_dir() {
                walk(base, &p, out)?;
            } else if p.extension().is_some_and(|x| x == "md") {
                let rel = p.strip_prefix(base).unwrap_or(&p);
                let parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push(parts.join("/"));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    out.sort();
    Ok(out)
}

/// Imports the reference under `docs` into `out`; returns the report (also written to
/// `out/import-report.json`).
pub fn run(docs: &Path, out: &Path) -> Result<Report, String> {
    let started = Instant::now();
    let reference = docs.join("api-reference");
    let files = markdown_files(&reference)
        .map_err(|e| format!("cannot list {}: {e}", reference.display()))?;
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let mut summary = Summary {
        pages: files.len(),
        ..Summary::default()
    };
    let mut entries = Vec::new();
    // Which page wrote each method, to report a second page for the same method.
    let mut written: BTreeMap<String, String> = BTreeMap::new();
    let mut methods = Vec::new();
    for rel in &files {
        if convert::is_event_path(rel) {
            summary.event_pages += 1;
            continue;
        }
        let page = match page::read(docs, rel) {
            Ok(p) => p,
            Err(reason) => {
                summary.method_pages += 1;
                summary.failed += 1;
                entries.push(Entry {
                    method: String::new(),
                    page: rel.clone(),
                    status: Status::Failed,
                    reason: Some(reason),
                    spec: None,
                    lost: Vec::new(),
                });
                continue;
            }
        };
        match convert::classify(&page) {
            convert::Kind::Method(m) => methods.push((convert::is_v3(&page), page, m)),
            convert::Kind::Event => summary.event_pages += 1,
            convert::Kind::Other => summary.other_pages += 1,
        }
    }
    // A method documented for REST v1 and v3 gets its spec from the v1 page.
    methods.sort_by_key(|(v3, _, _)| *v3);
    for (_, page, method) in methods {
        let rel = &page.path;
        summary.method_pages += 1;
        let entry = match convert::import(&page, &method) {
            Ok(imp) => {
                add_examples(&mut summary, &imp.examples);
                let rel_spec = format!("{}/{}.yaml", imp.scope, imp.method);
                if let Some(first) = written.get(&imp.method) {
                    Entry {
                        method,
                        page: rel.clone(),
                        status: Status::Failed,
                        reason: Some(format!(
                            "the page {first} already gave the spec of this method"
                        )),
                        spec: None,
                        lost: imp.lost,
                    }
                } else {
                    match write_spec(out, &rel_spec, &imp.yaml) {
                        Ok(()) => {
                            written.insert(imp.method.clone(), rel.clone());
                            summary.specs_written += 1;
                            Entry {
                                method,
                                page: rel.clone(),
                                status: if imp.lost.is_empty() {
                                    Status::Ok
                                } else {
                                    Status::Partial
                                },
                                reason: None,
                                spec: Some(rel_spec),
                                lost: imp.lost,
                            }
                        }
                        Err(reason) => Entry {
                            method,
                            page: rel.clone(),
                            status: Status::Failed,
                            reason: Some(reason),
                            spec: None,
                            lost: imp.lost,
                        },
                    }
                }
            }
            Err(f) => {
                add_examples(&mut summary, &f.examples);
                Entry {
                    method,
                    page: rel.clone(),
                    status: Status::Failed,
                    reason: Some(f.reason),
                    spec: None,
                    lost: f.lost,
                }
            }
        };
        match entry.status {
            Status::Ok => summary.ok += 1,
            Status::Partial => summary.partial += 1,
            Status::Failed => summary.failed += 1,
        }
        entries.push(entry);
    }
    entries.sort_by(|a, b| a.page.cmp(&b.page));
    summary.seconds = started.elapsed().as_secs_f64();
    let report = Report {
        summary,
        pages: entries,
    };
    let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    let path: PathBuf = out.join("import-report.json");
    std::fs::write(&path, json).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(report)
}

fn add_examples(s: &mut Summary, c: &convert::ExampleCounts) {
    s.examples_found += c.found;
    s.examples_parsed += c.parsed;
    s.examples_valid_as_documented += c.valid_as_documented;
    s.examples_valid_in_specs += c.valid_in_spec;
}

/// Writes a spec after checking once more that it loads from where it lands.
fn write_spec(out: &Path, rel: &str, yaml: &str) -> Result<(), String> {
    bitrix_spec::load(rel, yaml).map_err(|d| {
        format!(
            "the spec does not load: {}",
            d.first().map_or_else(String::new, ToString::to_string)
        )
    })?;
    let path = out.join(rel);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(&path, yaml).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Lost facts of a report, grouped by their wording with numbers and names blanked out, most
/// frequent first: the reasons to work on next.
pub fn top_reasons(report: &Report, n: usize) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for e in &report.pages {
        let mut seen = std::collections::BTreeSet::new();
        let facts = e
            .reason
            .iter()
            .map(|r| Lost::new(0, r.clone()))
            .chain(e.lost.iter().cloned());
        for l in facts {
            let key = shape(&l.fact);
            if seen.insert(key.clone()) {
                *counts.entry(key).or_default() += 1;
            }
        }
    }
    let mut v: Vec<(String, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(n);
    v
}

fn shape(fact: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    let mut last_blank = false;
    for c in fact.chars() {
        if c == '`' {
            in_code = !in_code;
            if in_code {
                out.push_str("`…`");
            }
            continue;
        }
        if in_code {
            continue;
        }
        if c.is_ascii_digit() {
            if !last_blank {
                out.push('N');
            }
            last_blank = true;
            continue;
        }
        last_blank = false;
        out.push(c);
    }
    out.chars().take(110).collect()
}
