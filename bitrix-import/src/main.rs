//! `bitrix-import --docs DIR --out DIR`: imports the Bitrix24 REST reference into specs.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: bitrix-import [--docs DIR] [--out DIR]

  --docs DIR   the reference: DIR/api-reference and DIR/_includes
               (default: ../shared/b24restdocs from the workspace root)
  --out DIR    where specs and import-report.json go (default: ./import-out)";

fn main() -> ExitCode {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default();
    let mut docs = workspace.join("../shared/b24restdocs");
    let mut out = PathBuf::from("import-out");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match (a.as_str(), args.next()) {
            ("--docs", Some(v)) => docs = PathBuf::from(v),
            ("--out", Some(v)) => out = PathBuf::from(v),
            _ => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let report = match bitrix_import::run(&docs, &out) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("bitrix-import: {e}");
            return ExitCode::FAILURE;
        }
    };
    let s = &report.summary;
    println!("pages read:        {}", s.pages);
    println!("method pages:      {}", s.method_pages);
    println!("event pages:       {} (skipped)", s.event_pages);
    println!("other pages:       {} (skipped)", s.other_pages);
    println!("specs written:     {}", s.specs_written);
    println!(
        "ok / partial / failed: {} / {} / {}",
        s.ok, s.partial, s.failed
    );
    println!(
        "examples:          {} found, {} read as JSON, {} valid as documented, {} valid in the specs written",
        s.examples_found,
        s.examples_parsed,
        s.examples_valid_as_documented,
        s.examples_valid_in_specs
    );
    println!("wall time:         {:.2} s", s.seconds);
    println!(
        "report:            {}",
        out.join("import-report.json").display()
    );
    println!("most frequent reasons (pages):");
    for (reason, n) in bitrix_import::top_reasons(&report, 15) {
        println!("  {n:5}  {reason}");
    }
    ExitCode::SUCCESS
}
