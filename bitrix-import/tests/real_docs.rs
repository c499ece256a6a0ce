//! Runs the importer over the real reference, when it is present, and checks the report and
//! every spec written.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use bitrix_import::page;
use bitrix_import::report::Status;

fn docs_dir() -> PathBuf {
    std::env::var_os("BITRIX_DOCS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/b24restdocs"),
        PathBuf::from,
    )
}

#[test]
fn every_method_page_is_reported_and_every_spec_loads() {
    let docs = docs_dir();
    if !docs.join("api-reference").is_dir() {
        eprintln!(
            "skipped: no reference at {} (set BITRIX_DOCS to run this test)",
            docs.display()
        );
        return;
    }
    let out = std::env::temp_dir().join(format!("bitrix-import-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let report = bitrix_import::run(&docs, &out)
        .expect("the importer runs")
        .report;

    // The report covers every method page: classify them again independently of the run.
    let files = bitrix_import::markdown_files(&docs.join("api-reference")).expect("lists pages");
    let mut method_pages = BTreeSet::new();
    let mut event_pages = BTreeSet::new();
    for rel in &files {
        match page::read(&docs, rel) {
            Ok(p) => match bitrix_import::convert::classify(&p) {
                bitrix_import::convert::Kind::Method(_) => {
                    method_pages.insert(rel.clone());
                }
                bitrix_import::convert::Kind::Event => {
                    event_pages.insert(rel.clone());
                }
                bitrix_import::convert::Kind::Other => {
                    // A page of several events, one section each.
                    if !bitrix_import::convert::event_sections(&p).is_empty() {
                        event_pages.insert(rel.clone());
                    }
                }
            },
            Err(_) => {
                method_pages.insert(rel.clone());
            }
        }
    }
    let reported: BTreeSet<String> = report
        .pages
        .iter()
        .map(|e| e.page.clone())
        .chain(report.not_methods.iter().map(|n| n.page.clone()))
        .collect();
    assert_eq!(reported, method_pages, "one report entry per method page");
    assert!(
        method_pages.len() > 1000,
        "found only {} method pages",
        method_pages.len()
    );
    let s = &report.summary;
    assert_eq!(s.ok + s.partial + s.failed + s.curated, report.pages.len());
    assert_eq!(s.specs_written, s.ok + s.partial);

    // Every spec written loads with bitrix-spec, from the directory it was written to.
    let mut loaded = 0;
    for e in &report.pages {
        match (e.status, &e.spec) {
            (Status::Failed, spec) => assert!(spec.is_none() && e.reason.is_some()),
            (Status::Curated, _) => panic!("{}: curated, with no curated spec in out", e.page),
            (_, Some(rel)) => {
                if let Err(d) = bitrix_spec::load_file(&out, rel) {
                    panic!("{rel} does not load: {}", d[0]);
                }
                loaded += 1;
            }
            (_, None) => panic!("{} has no spec but is not failed", e.page),
        }
        for l in &e.lost {
            assert!(
                l.line >= 1,
                "{}: a lost fact without a line: {}",
                e.page,
                l.fact
            );
        }
    }
    assert_eq!(loaded, s.specs_written);
    let on_disk = bitrix_spec::spec_files(&out).expect("lists specs").len();
    assert_eq!(on_disk, s.specs_written);
    assert!(out.join("import-report.json").is_file());

    // One entry per event page; every event spec written loads.
    let reported: BTreeSet<String> = report
        .events
        .iter()
        .map(|e| e.page.split('#').next().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(reported, event_pages, "one report entry per event page");
    assert!(
        event_pages.len() > 150,
        "found only {} event pages",
        event_pages.len()
    );
    let mut events = 0;
    for e in &report.events {
        match (e.status, &e.spec) {
            (Status::Failed, spec) => assert!(spec.is_none() && e.reason.is_some()),
            (Status::Curated, _) => panic!("{}: curated, with no curated spec in out", e.page),
            (_, Some(rel)) => {
                let text = std::fs::read_to_string(out.join(rel)).expect("written");
                if let Err(d) = bitrix_spec::load_event(rel, &text) {
                    panic!("{rel} does not load: {}", d[0]);
                }
                events += 1;
            }
            (_, None) => panic!("{} has no spec but is not failed", e.page),
        }
    }
    assert_eq!(events, s.events_written);
    // The pages of event folders that document methods are method pages; a page of several
    // events gives one spec per event.
    assert!(method_pages.contains("events/event-bind.md"));
    let sections = report
        .events
        .iter()
        .filter(|e| {
            e.page
                .starts_with("chat-bots/chat-bots-v2/imbot.v2/events/events.md#")
        })
        .count();
    assert_eq!(
        sections, 8,
        "the eight events of the imbot.v2 event formats page"
    );
    let _ = std::fs::remove_dir_all(&out);
}
