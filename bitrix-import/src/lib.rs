//! Imports the Bitrix24 REST reference into method specs.
//!
//! The reference is Markdown with Diplodoc extensions (`#| ... |#` tables, `{% include %}`,
//! `{% list tabs %}`). [`run`] reads every page under `DOCS/api-reference/`, turns each REST
//! method page into a spec in the format of `bitrix-spec` (checked with the same loader the build
//! uses) and makes the imported specs of `OUT/<scope>/<method>.yaml` what the run produces: `OUT`
//! may be the repository's `specs/`, whose curated specs (no marker line, see [`outdir`]) are
//! kept and whose methods are not imported. Nested types are named so that no two types of a
//! scope folder clash ([`clash`]). `OUT/import-report.json` gets one entry per method page: its
//! status and the facts of the page that its spec could not carry. [`check`] compares `OUT`
//! with a fresh import and changes nothing.

pub mod clash;
pub mod convert;
pub mod facts;
pub mod json;
pub mod outdir;
pub mod page;
pub mod report;
pub mod schema;
pub mod table;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

pub use outdir::Changes;
use report::{Entry, EventEntry, Lost, NotMethod, Report, Status, Summary};

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

/// What one run did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The report, as written to `out/import-report.json`.
    pub report: Report,
    /// What changed among the imported specs of `out`.
    pub changes: Changes,
    /// The scope folders of `out` that hold specs after the run.
    pub folders: Vec<String>,
}

/// A spec the run means to write, before the clashes of its folder are resolved.
struct Planned {
    /// Index of its entry in the report.
    entry: usize,
    /// The spec.
    spec: clash::Imported,
}

/// Rust keywords, which no scope folder may be named (each folder is a module).
const KEYWORDS: [&str; 51] = [
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Is `folder` usable as a scope folder: a Rust module name of lower case letters, digits and
/// `_`, starting with a letter (what `scopes/new.sh` accepts), not a keyword?
pub fn is_folder_name(folder: &str) -> bool {
    folder.starts_with(|c: char| c.is_ascii_lowercase())
        && folder
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !KEYWORDS.contains(&folder)
}

/// Imports the reference under `docs` into `out`, which may hold the repository's specs: the
/// curated specs there stay as they are (and their methods are not imported), the imported specs
/// become what this run produces (written, rewritten or removed), and `out/import-report.json`
/// is written.
pub fn run(docs: &Path, out: &Path) -> Result<Outcome, String> {
    let started = Instant::now();
    let existing = outdir::scan(out)?;
    let reference = docs.join("api-reference");
    let files = markdown_files(&reference)
        .map_err(|e| format!("cannot list {}: {e}", reference.display()))?;
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let mut summary = Summary {
        pages: files.len(),
        ..Summary::default()
    };
    let mut entries = Vec::new();
    let mut not_methods = Vec::new();
    let mut methods = Vec::new();
    // Pages are read and classified, then converted, on every core; the results are taken in
    // page order, so the output does not depend on the threads.
    let read = par_map(&files, |rel| {
        page::read(docs, rel).map(|page| {
            let kind = convert::classify(&page);
            (page, kind)
        })
    });
    let mut event_pages = Vec::new();
    for (rel, read) in files.iter().zip(read) {
        let (page, kind) = match read {
            Ok(p) => p,
            Err(reason) => {
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
        match kind {
            convert::Kind::Method(m) => methods.push((convert::is_v3(&page), page, m)),
            convert::Kind::Event => {
                summary.event_pages += 1;
                event_pages.push((page, None));
            }
            convert::Kind::Other => {
                let sections = convert::event_sections(&page);
                if sections.is_empty() {
                    summary.other_pages += 1;
                } else {
                    summary.event_pages += 1;
                    event_pages.extend(sections);
                }
            }
        }
    }
    let event_names: Vec<String> = event_pages
        .iter()
        .filter_map(|(p, _)| convert::event_name(p))
        .collect();
    // The folders that document functions of the JavaScript SDK (`BX24.placement.call`): a page
    // there whose examples do not call its method over REST documents a JavaScript command.
    let js_sections: BTreeSet<String> = methods
        .iter()
        .filter(|(_, _, m)| convert::is_js_sdk_name(m))
        .map(|(_, p, _)| match p.path.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/"),
            None => String::new(),
        })
        .collect();
    methods.retain(|(_, page, m)| {
        let reason = if convert::is_js_sdk_name(m) {
            Some("a function of the JavaScript SDK (`BX24`), not a REST method".to_owned())
        } else if !convert::is_rest_name(m) {
            Some("not a REST method name (dot-separated parts of ASCII letters, digits and `_`)".to_owned())
        } else {
            js_sections
                .iter()
                .find(|d| page.path.starts_with(d.as_str()))
                .filter(|_| !convert::calls_over_rest(page, m))
                .map(|d| {
                    format!(
                        "documented among the JavaScript SDK functions (`{d}`) and no example calls it over REST: a JavaScript command"
                    )
                })
        };
        match reason {
            Some(reason) => {
                summary.other_pages += 1;
                not_methods.push(NotMethod {
                    name: m.clone(),
                    page: page.path.clone(),
                    reason,
                });
                false
            }
            None => true,
        }
    });
    // A method documented for REST v1 and v3 gets its spec from the v1 page.
    methods.sort_by_key(|(v3, _, _)| *v3);
    // Which page gave each method, to report a second page for the same method.
    let mut given: BTreeMap<String, String> = BTreeMap::new();
    // The specs to write, by scope folder and file.
    let mut planned: BTreeMap<String, BTreeMap<String, Planned>> = BTreeMap::new();
    let converted = par_map(&methods, |(_, page, method)| {
        (!existing.curated_methods.contains_key(method)).then(|| convert::import(page, method))
    });
    for ((_, page, method), converted) in methods.into_iter().zip(converted) {
        let rel = &page.path;
        let mut entry = Entry {
            method: method.clone(),
            page: rel.clone(),
            status: Status::Failed,
            reason: None,
            spec: None,
            lost: Vec::new(),
        };
        if let Some(curated) = existing.curated_methods.get(&method) {
            entry.status = Status::Curated;
            entry.spec = Some(curated.clone());
            entries.push(entry);
            continue;
        }
        match converted.unwrap_or_else(|| convert::import(&page, &method)) {
            Ok(imp) => {
                add_examples(&mut summary, &imp.examples);
                entry.lost = imp.lost;
                let rel_spec = format!("{}/{}.yaml", imp.scope, imp.method);
                if let Some(first) = given.get(&imp.method) {
                    entry.reason = Some(format!(
                        "the page {first} already gave the spec of this method"
                    ));
                } else if !is_folder_name(&imp.scope) {
                    entry.reason = Some(format!(
                        "the scope folder `{}` is not a Rust module name",
                        imp.scope
                    ));
                } else if existing.curated.contains_key(&rel_spec) {
                    entry.status = Status::Curated;
                    entry.spec = Some(rel_spec);
                    entry.lost.clear();
                } else {
                    given.insert(imp.method.clone(), rel.clone());
                    entry.status = Status::Ok;
                    entry.spec = Some(rel_spec.clone());
                    planned.entry(imp.scope.clone()).or_default().insert(
                        rel_spec,
                        Planned {
                            entry: entries.len(),
                            spec: clash::Imported::new(imp.yaml, imp.spec),
                        },
                    );
                }
            }
            Err(f) => {
                add_examples(&mut summary, &f.examples);
                entry.reason = Some(f.reason);
                entry.lost = f.lost;
            }
        }
        entries.push(entry);
    }
    // Type names unique within each scope folder, curated specs and shared types included.
    let mut desired: BTreeMap<String, String> = BTreeMap::new();
    for (folder, specs) in planned {
        let dir = out.join(&folder);
        let types = bitrix_spec::Types::read_dir(&dir, out).unwrap_or_default();
        let mut index = BTreeMap::new();
        let mut specs: BTreeMap<String, clash::Imported> = specs
            .into_iter()
            .map(|(f, p)| {
                index.insert(f.clone(), p.entry);
                (f, p.spec)
            })
            .collect();
        let res = clash::resolve(&existing.curated_in(&folder), &types, &mut specs);
        summary.clashes_resolved += res.renamed;
        for (file, entry) in index {
            let e = &mut entries[entry];
            match specs.remove(&file) {
                Some(imp) => {
                    desired.insert(file, imp.text);
                }
                None => {
                    e.status = Status::Failed;
                    e.spec = None;
                    e.reason = res.failed.get(&file).cloned();
                }
            }
        }
    }
    for e in &mut entries {
        if e.status == Status::Ok && !e.lost.is_empty() {
            e.status = Status::Partial;
        }
        summary.method_pages += 1;
        match e.status {
            Status::Ok => summary.ok += 1,
            Status::Partial => summary.partial += 1,
            Status::Failed => summary.failed += 1,
            Status::Curated => summary.curated += 1,
        }
    }
    summary.specs_written = desired.len();
    let words = convert::Words::of(
        given
            .keys()
            .map(String::as_str)
            .chain(existing.curated_methods.keys().map(String::as_str))
            .chain(event_names.iter().map(String::as_str)),
    );
    // The scope of the methods documented in each folder, where they agree: the scope of an
    // event page that states none.
    let mut folder_scopes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for e in &entries {
        if let (Some(spec), Some((dir, _))) = (&e.spec, e.page.rsplit_once('/')) {
            if let Some((scope, _)) = spec.split_once('/') {
                folder_scopes
                    .entry(dir.to_owned())
                    .or_default()
                    .insert(scope.to_owned());
            }
        }
    }
    let folder_scope: BTreeMap<String, String> = folder_scopes
        .into_iter()
        .filter(|(_, s)| s.len() == 1)
        .filter_map(|(d, s)| Some((d, s.into_iter().next()?)))
        .collect();
    let events = import_events(
        &event_pages,
        &words,
        &folder_scope,
        &existing,
        &mut summary,
        &mut desired,
    );
    entries.sort_by(|a, b| a.page.cmp(&b.page));
    not_methods.sort_by(|a, b| a.page.cmp(&b.page));
    let changes = outdir::apply(out, &existing, &desired)?;
    let report = Report {
        summary,
        pages: entries,
        events,
        not_methods,
    };
    let mut json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    json.push('\n');
    let path: PathBuf = out.join(outdir::REPORT);
    std::fs::write(&path, json).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let folders: BTreeSet<String> = desired
        .keys()
        .chain(existing.curated.keys())
        .filter_map(|f| f.split_once('/').map(|(d, _)| d.to_owned()))
        .collect();
    let mut report = report;
    report.summary.seconds = started.elapsed().as_secs_f64();
    Ok(Outcome {
        report,
        changes,
        folders: folders.into_iter().collect(),
    })
}

/// Converts the event pages into `<scope>/events/<name>.yaml`, added to `desired`, except
/// where a curated file of that name exists; one report entry per page.
fn import_events(
    pages: &[(page::Page, Option<String>)],
    words: &convert::Words,
    folder_scope: &BTreeMap<String, String>,
    existing: &outdir::Existing,
    summary: &mut Summary,
    desired: &mut BTreeMap<String, String>,
) -> Vec<EventEntry> {
    let converted = par_map(pages, |(page, section)| {
        convert::import_event(page, section.as_deref(), words)
    });
    let mut given: BTreeMap<String, String> = BTreeMap::new();
    let mut out = Vec::new();
    for ((page, section), converted) in pages.iter().zip(converted) {
        let page_ref = match section {
            Some(anchor) => format!("{}#{anchor}", page.path),
            None => page.path.clone(),
        };
        let mut entry = EventEntry {
            event: String::new(),
            page: page_ref.clone(),
            status: Status::Failed,
            reason: None,
            spec: None,
            lost: Vec::new(),
        };
        // An event page that states no scope takes that of the methods beside it.
        let converted = converted.map(|ev| {
            let dir = page.path.rsplit_once('/').map_or("", |(d, _)| d);
            match folder_scope.get(dir) {
                Some(scope) if !ev.scope_stated => ev.in_scope(scope),
                _ => ev,
            }
        });
        match converted {
            Ok(ev) => {
                add_examples(summary, &ev.examples);
                entry.event.clone_from(&ev.name);
                entry.lost = ev.lost;
                let rel = format!("{}/events/{}.yaml", ev.scope, ev.name);
                let key = ev.name.to_ascii_uppercase();
                if let Some(first) = given.get(&key) {
                    entry.reason = Some(format!("the page {first} already gave this event"));
                } else if !is_folder_name(&ev.scope) {
                    entry.reason = Some(format!(
                        "the scope folder `{}` is not a Rust module name",
                        ev.scope
                    ));
                } else if existing.curated.contains_key(&rel) {
                    given.insert(key, page_ref.clone());
                    entry.status = Status::Curated;
                    entry.spec = Some(rel);
                    entry.lost.clear();
                } else {
                    given.insert(key, page_ref.clone());
                    entry.status = if entry.lost.is_empty() {
                        Status::Ok
                    } else {
                        Status::Partial
                    };
                    entry.spec = Some(rel.clone());
                    desired.insert(rel, ev.yaml);
                    summary.events_written += 1;
                }
            }
            Err(f) => {
                add_examples(summary, &f.examples);
                entry.reason = Some(f.reason);
                entry.lost = f.lost;
            }
        }
        match entry.status {
            Status::Ok => summary.events_ok += 1,
            Status::Partial => summary.events_partial += 1,
            Status::Failed => summary.events_failed += 1,
            Status::Curated => summary.events_curated += 1,
        }
        out.push(entry);
    }
    out.sort_by(|a, b| a.page.cmp(&b.page));
    out
}

/// `--check`: imports into a temporary folder seeded with the curated specs of `out` and
/// compares its imported specs and report with those of `out`, which it does not touch. Returns
/// the differences, one line per file (none: `out` is what the importer writes).
pub fn check(docs: &Path, out: &Path) -> Result<(Outcome, Vec<String>), String> {
    let existing = outdir::scan(out)?;
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let tmp = std::env::temp_dir().join(format!(
        "bitrix-import-check-{}-{}",
        std::process::id(),
        RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
    let result = outdir::seed(out, &existing, &tmp)
        .and_then(|()| run(docs, &tmp))
        .and_then(|o| Ok((o, outdir::compare(&tmp, out)?)));
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

/// The scope folders among `folders` that have no crate yet: no `scopes/<folder>/Cargo.toml` in
/// the parent of `out` (the workspace root when `out` is its `specs/`).
pub fn folders_without_crate(out: &Path, folders: &[String]) -> Vec<String> {
    let out = out.canonicalize().unwrap_or_else(|_| out.to_path_buf());
    let root = out.parent().unwrap_or(Path::new("."));
    folders
        .iter()
        .filter(|f| !root.join("scopes").join(f).join("Cargo.toml").is_file())
        .cloned()
        .collect()
}

/// `f` over `items` on every core, the results in the order of `items`.
fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        mine.push((i, f(item)));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

fn add_examples(s: &mut Summary, c: &convert::ExampleCounts) {
    s.examples_found += c.found;
    s.examples_parsed += c.parsed;
    s.examples_valid_as_documented += c.valid_as_documented;
    s.examples_valid_in_specs += c.valid_in_spec;
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
