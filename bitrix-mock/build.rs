//! Embeds every method spec under `specs/` so the mock needs no files at run time.

use std::error::Error;
use std::fmt::Write as _;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    let specs = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("specs");
    println!("cargo:rerun-if-changed={}", specs.display());
    // New scope folders and new files only change their parent's mtime, so watch every level.
    for entry in std::fs::read_dir(&specs)? {
        let scope = entry?.path();
        if scope.is_dir() {
            println!("cargo:rerun-if-changed={}", scope.display());
        }
    }
    let mut out = String::from("pub(crate) const SPECS: &[(&str, &str)] = &[\n");
    for file in bitrix_spec::spec_files(&specs)? {
        println!("cargo:rerun-if-changed={}", file.display());
        let key = file
            .strip_prefix(&specs)?
            .to_string_lossy()
            .replace('\\', "/");
        let path = file.canonicalize()?;
        writeln!(
            out,
            "    ({key:?}, include_str!({:?})),",
            path.to_string_lossy()
        )?;
    }
    out.push_str("];\n");
    // Shared types, which specs name with `ref:`, by `<scope>/types/<Name>.yaml`.
    out.push_str("pub(crate) const TYPES: &[(&str, &str)] = &[\n");
    for entry in std::fs::read_dir(&specs)? {
        let scope = entry?.path();
        if !scope.is_dir() {
            continue;
        }
        println!("cargo:rerun-if-changed={}", scope.join("types").display());
        for file in bitrix_spec::type_files(&scope)? {
            println!("cargo:rerun-if-changed={}", file.display());
            let key = file
                .strip_prefix(&specs)?
                .to_string_lossy()
                .replace('\\', "/");
            let path = file.canonicalize()?;
            writeln!(
                out,
                "    ({key:?}, include_str!({:?})),",
                path.to_string_lossy()
            )?;
        }
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR")?).join("specs.rs");
    std::fs::write(dest, out)?;
    Ok(())
}
