//! Every spec in the repository loads without a diagnostic.

#[test]
fn every_spec_in_the_repository_loads() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let files = bitrix_spec::spec_files(&dir).expect("specs directory is readable");
    assert!(!files.is_empty(), "no spec found under {}", dir.display());
    let mut failures = Vec::new();
    for file in &files {
        let name = file.strip_prefix(&dir).unwrap().display().to_string();
        if let Err(diags) = bitrix_spec::load_file(&dir, &name) {
            failures.extend(diags.iter().map(ToString::to_string));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A `ref:` is resolved from the scope's `types/` folder, keeps the site's own flags, and a
/// reference to a type that does not exist is reported at its line with the types there are.
#[test]
fn shared_types_are_resolved_and_unknown_ones_reported() {
    let deal = "type: object\nfields:\n  ID: {type: id, required: true}\n  TITLE: {type: string}\n";
    let types = bitrix_spec::Types::parse([("demo/types/Deal.yaml", deal)]).expect("valid");
    let spec = "method: demo.deal.get\nscope: demo\nsummary: Gets a deal.\naccess: any user\n\
contexts: [webhook]\nidempotent: true\ndocs: https://example.com\nparams:\n  id: {type: integer, required: true}\n\
result:\n  ref: Deal\n  required: true\nexamples:\n  - response: {result: {ID: \"1\", TITLE: a}}\n";
    let loaded = bitrix_spec::load_with("demo/demo.deal.get.yaml", spec, &types).expect("loads");
    assert_eq!(loaded.result.shared.as_deref(), Some("Deal"));
    assert!(loaded.result.required);
    assert!(
        loaded
            .result
            .fields
            .as_ref()
            .is_some_and(|f| f.contains_key("TITLE"))
    );

    let wrong = spec.replace("ref: Deal", "ref: Lead");
    let diags = bitrix_spec::load_with("demo/demo.deal.get.yaml", &wrong, &types).unwrap_err();
    let text: Vec<String> = diags.iter().map(ToString::to_string).collect();
    assert!(
        text.iter()
            .any(|d| d.starts_with("demo/demo.deal.get.yaml:11:")
                && d.contains("no shared type `Lead`")
                && d.contains("it has: Deal")),
        "{text:?}"
    );

    let bad = bitrix_spec::Types::parse([("demo/types/deal.yaml", deal)]).unwrap_err();
    assert!(bad[0].to_string().contains("CamelCase"), "{bad:?}");
    let nested = bitrix_spec::Types::parse([(
        "demo/types/Deal.yaml",
        "type: object\nfields:\n  c: {ref: Contact}\n",
    )])
    .unwrap_err();
    assert!(
        nested[0].to_string().contains("cannot `ref` another"),
        "{nested:?}"
    );
}
