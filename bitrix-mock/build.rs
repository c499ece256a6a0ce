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
    let mut out = String::new();
    embed(&mut out, "SPECS", &specs, &bitrix_spec::spec_files(&specs)?)?;
    // Shared types, which specs name with `ref:`, by `<scope>/types/<Name>.yaml`.
    let mut types = Vec::new();
    for entry in std::fs::read_dir(&specs)? {
        let scope = entry?.path();
        if scope.is_dir() {
            println!("cargo:rerun-if-changed={}", scope.join("types").display());
            types.extend(bitrix_spec::type_files(&scope)?);
        }
    }
    embed(&mut out, "TYPES", &specs, &types)?;
    let dest = PathBuf::from(std::env::var("OUT_DIR")?).join("specs.rs");
    std::fs::write(dest, out)?;
    Ok(())
}

/// `pub(crate) const NAME: &[(&str, &str)]`: each file by its path under `specs/`, and its text.
fn embed(
    out: &mut String,
    name: &str,
    specs: &std::path::Path,
    files: &[PathBuf],
) -> Result<(), Box<dyn Error>> {
    writeln!(out, "pub(crate) const {name}: &[(&str, &str)] = &[")?;
    for file in files {
        println!("cargo:rerun-if-changed={}", file.display());
        let key = file
            .strip_prefix(specs)?
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
    Ok(())
}
