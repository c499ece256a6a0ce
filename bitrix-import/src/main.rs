//! `bitrix-import [--docs DIR] [--out DIR] [--check]`: imports the Bitrix24 REST reference into
//! specs, or checks that `--out` holds what the import writes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bitrix_import::report::Report;

const USAGE: &str = "usage: bitrix-import [--docs DIR] [--out DIR] [--check]

  --docs DIR   the reference: DIR/api-reference and DIR/_includes
               (default: ../shared/b24restdocs from the workspace root)
  --out DIR    where specs and import-report.json go (default: ./import-out); may be the
               repository's specs/: curated specs (no `# Imported from` first line) are kept,
               imported ones are added, rewritten or removed
  --check      import into a temporary folder seeded with the curated specs of --out and
               compare; exit 1 and list the files that differ; --out is not touched";

/// How many file names a list prints.
const LIST_CAP: usize = 50;

fn main() -> ExitCode {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default();
    let mut docs = workspace.join("../shared/b24restdocs");
    let mut out = PathBuf::from("import-out");
    let mut check = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--check" => check = true,
            "--docs" | "--out" => {
                let Some(v) = args.next() else {
                    eprintln!("{USAGE}");
                    return ExitCode::from(2);
                };
                if a == "--docs" {
                    docs = PathBuf::from(v);
                } else {
                    out = PathBuf::from(v);
                }
            }
            _ => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    if check {
        return run_check(&docs, &out);
    }
    let outcome = match bitrix_import::run(&docs, &out) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("bitrix-import: {e}");
            return ExitCode::FAILURE;
        }
    };
    print_summary(&outcome.report);
    println!(
        "report:            {}",
        out.join(bitrix_import::outdir::REPORT).display()
    );
    println!("most frequent reasons (pages):");
    for (reason, n) in bitrix_import::top_reasons(&outcome.report, 15) {
        println!("  {n:5}  {reason}");
    }
    let c = &outcome.changes;
    println!(
        "imported specs:    {} added, {} changed, {} removed, {} left alone",
        c.added.len(),
        c.changed.len(),
        c.removed.len(),
        c.unchanged
    );
    print_list("added", &c.added);
    print_list("removed", &c.removed);
    let missing = bitrix_import::folders_without_crate(&out, &outcome.folders);
    if !missing.is_empty() {
        println!("scope folders without a crate (run from the workspace root):");
        for f in missing {
            println!("  bash scopes/new.sh {f}");
        }
    }
    ExitCode::SUCCESS
}

fn run_check(docs: &Path, out: &Path) -> ExitCode {
    match bitrix_import::check(docs, out) {
        Ok((outcome, diffs)) => {
            let s = &outcome.report.summary;
            if diffs.is_empty() {
                println!(
                    "{}: the imported specs and the report are what the importer writes ({} specs, {:.2} s)",
                    out.display(),
                    s.specs_written,
                    s.seconds
                );
                ExitCode::SUCCESS
            } else {
                println!(
                    "{}: {} file(s) differ from what the importer writes; run `bitrix-import --out {}` and review `git diff`:",
                    out.display(),
                    diffs.len(),
                    out.display()
                );
                for d in diffs.iter().take(LIST_CAP) {
                    println!("  {d}");
                }
                if diffs.len() > LIST_CAP {
                    println!("  ... and {} more", diffs.len() - LIST_CAP);
                }
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("bitrix-import: {e}");
            ExitCode::from(2)
        }
    }
}

fn print_summary(report: &Report) {
    let s = &report.summary;
    println!("pages read:        {}", s.pages);
    println!("method pages:      {}", s.method_pages);
    println!("event pages:       {} (skipped)", s.event_pages);
    println!(
        "other pages:       {} (skipped; {} name a method that is not a REST method)",
        s.other_pages,
        report.not_methods.len()
    );
    println!("specs produced:    {}", s.specs_written);
    println!(
        "ok / partial / failed / curated: {} / {} / {} / {}",
        s.ok, s.partial, s.failed, s.curated
    );
    println!(
        "clashes resolved:  {} nested types named",
        s.clashes_resolved
    );
    println!(
        "examples:          {} found, {} read as JSON, {} valid as documented, {} valid in the specs written",
        s.examples_found,
        s.examples_parsed,
        s.examples_valid_as_documented,
        s.examples_valid_in_specs
    );
    println!("wall time:         {:.2} s", s.seconds);
}

fn print_list(what: &str, files: &[String]) {
    if files.is_empty() {
        return;
    }
    println!("{what}:");
    for f in files.iter().take(LIST_CAP) {
        println!("  {f}");
    }
    if files.len() > LIST_CAP {
        println!("  ... and {} more", files.len() - LIST_CAP);
    }
}
