//! Every spec in the repository loads without a diagnostic.

#[test]
fn every_spec_in_the_repository_loads() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let files = bitrix_spec::spec_files(&dir).expect("specs directory is readable");
    assert!(!files.is_empty(), "no spec found under {}", dir.display());
    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("spec is readable");
        let name = file.strip_prefix(&dir).unwrap().display().to_string();
        if let Err(diags) = bitrix_spec::load(&name, &text) {
            failures.extend(diags.iter().map(ToString::to_string));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
