//! The importer against a small reference of its own and an output folder that holds curated
//! specs: what it keeps, writes, removes and renames, and what `--check` sees.

use std::path::{Path, PathBuf};

use bitrix_import::report::Status;

struct Tmp(PathBuf);

impl Tmp {
    fn new(name: &str) -> Tmp {
        let p = std::env::temp_dir().join(format!("bitrix-import-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("temp dir");
        Tmp(p)
    }
}

impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write(base: &Path, rel: &str, text: &str) {
    let p = base.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("dir");
    std::fs::write(p, text).expect("write");
}

fn read(base: &Path, rel: &str) -> String {
    std::fs::read_to_string(base.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

const KIND: &str = "|| **KIND***
[`string`](../data-types.md) | Kind. Possible values:
- `a` — first
- `b` — second ||
";

const ID: &str = "|| **ID***
[`integer`](../data-types.md) | Identifier ||
";

fn method_page(method: &str, params: &str) -> String {
    format!(
        r#"# Do Something {method}

> Scope: [`demo`](../scopes/permissions.md)
>
> Who can execute the method: any user

Does something.

## Method Parameters

#|
|| **Name**
`type` | **Description** ||
{params}|#

## Code Examples

```bash
curl -X POST -H "Content-Type: application/json" -d '{{}}' https://example.bitrix24.com/rest/{method}
```

## Response Handling

HTTP Status: **200**

```json
{{"result": true}}
```
"#
    )
}

const JS_FUNCTION: &str = r#"# Call a Command BX24.placement.call

> Scope: [`placement`](../scopes/permissions.md)
>
> Who can execute the method: any user

Calls a command of the placement.

## Method Parameters

#|
|| **Name**
`type` | **Description** ||
|| **command***
[`string`](../data-types.md) | The command ||
|#

```js
BX24.placement.call('getStatus', {}, function (result) {});
```
"#;

const JS_COMMAND: &str = r#"# Get Call Status getStatus

> Scope: [`placement`](../../scopes/permissions.md)
>
> Who can execute the command: any user

The `getStatus` command returns the call card's data.

## Method Parameters

The command takes no parameters.

```js
BX24.placement.call('getStatus', {}, function (result) { console.log(result); });
```
"#;

/// A reference of five pages: two demo methods whose type names clash, a third one with a
/// curated spec, a function of the JavaScript SDK and a command documented beside it.
fn reference(docs: &Path) {
    let r = "api-reference";
    write(
        docs,
        &format!("{r}/demo/demo-item-get.md"),
        &method_page("demo.item.get", KIND),
    );
    write(
        docs,
        &format!("{r}/demo/demo-item-get-kind.md"),
        &method_page("demo.item.get.kind", ID),
    );
    write(
        docs,
        &format!("{r}/demo/demo-item-list.md"),
        &method_page("demo.item.list", ID),
    );
    write(
        docs,
        &format!("{r}/widgets/bx24-placement-call.md"),
        JS_FUNCTION,
    );
    write(
        docs,
        &format!("{r}/widgets/call-card/get-status.md"),
        JS_COMMAND,
    );
}

const CURATED_LIST: &str = "method: demo.item.list
scope: other
summary: Lists items, by hand.
access: any user
contexts: [webhook]
idempotent: true
docs: https://example.com
result: {type: boolean, required: true}
";

/// The output folder before the run: a curated spec of `demo.item.list` in another folder, a
/// spec taken over (no marker line) and a stale imported one.
fn seeded_out(out: &Path) {
    write(out, "other/demo.item.list.yaml", CURATED_LIST);
    write(
        out,
        "demo/demo.gone.yaml",
        "# Imported from https://example.com/gone.html by bitrix-import.\nmethod: demo.gone\n",
    );
    write(
        out,
        "demo/types/DemoThing.yaml",
        "# Imported from https://example.com/x.html by bitrix-import.\ntype: object\nfields:\n  id: {type: integer}\n",
    );
}

#[test]
fn curated_specs_stay_stale_imports_go_clashes_are_renamed_js_pages_are_skipped() {
    let docs = Tmp::new("docs");
    let out = Tmp::new("out");
    reference(&docs.0);
    seeded_out(&out.0);
    let outcome = bitrix_import::run(&docs.0, &out.0).expect("the importer runs");
    let r = &outcome.report;

    // The curated spec is kept, and its method is not imported under any folder.
    assert_eq!(read(&out.0, "other/demo.item.list.yaml"), CURATED_LIST);
    assert!(!out.0.join("demo/demo.item.list.yaml").exists());
    let list = r
        .pages
        .iter()
        .find(|e| e.method == "demo.item.list")
        .expect("reported");
    assert_eq!(list.status, Status::Curated);
    assert_eq!(list.spec.as_deref(), Some("other/demo.item.list.yaml"));
    assert_eq!(r.summary.curated, 1);

    // The stale imported spec is removed; the shared type, marker or not, stays.
    assert!(!out.0.join("demo/demo.gone.yaml").exists());
    assert!(out.0.join("demo/types/DemoThing.yaml").exists());
    assert_eq!(outcome.changes.removed, ["demo/demo.gone.yaml"]);
    assert_eq!(
        outcome.changes.added,
        ["demo/demo.item.get.kind.yaml", "demo/demo.item.get.yaml"]
    );

    // `KIND` of demo.item.get would be `DemoItemGetKind`, the request type of
    // demo.item.get.kind: the imported parameter is renamed, not the method.
    let get = read(&out.0, "demo/demo.item.get.yaml");
    assert!(get.starts_with("# Imported from "), "{get}");
    assert!(get.contains("name: DemoItemGetKindParam"), "{get}");
    assert!(!read(&out.0, "demo/demo.item.get.kind.yaml").contains("name:"));
    assert_eq!(r.summary.clashes_resolved, 1);

    // The JavaScript SDK pages are other pages, with a reason.
    let skipped: Vec<&str> = r.not_methods.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(skipped, ["BX24.placement.call", "getStatus"]);
    assert!(
        r.pages
            .iter()
            .all(|e| !e.method.contains("BX24") && e.method != "getStatus")
    );
    assert!(!out.0.join("placement").exists());
    assert_eq!(r.summary.other_pages, 2);

    // A second run changes nothing, byte for byte.
    let before = read(&out.0, "import-report.json");
    let again = bitrix_import::run(&docs.0, &out.0).expect("runs again");
    assert_eq!(again.changes.unchanged, 2);
    assert!(again.changes.added.is_empty() && again.changes.changed.is_empty());
    assert_eq!(read(&out.0, "import-report.json"), before);
}

#[test]
fn taking_a_spec_over_keeps_it() {
    let docs = Tmp::new("docs-take");
    let out = Tmp::new("out-take");
    reference(&docs.0);
    bitrix_import::run(&docs.0, &out.0).expect("runs");
    // A maintainer deletes the marker line and edits the spec.
    let text = read(&out.0, "demo/demo.item.get.kind.yaml");
    let taken = text
        .split_once('\n')
        .expect("two lines")
        .1
        .replace("Do Something", "Get the kind");
    write(&out.0, "demo/demo.item.get.kind.yaml", &taken);
    let outcome = bitrix_import::run(&docs.0, &out.0).expect("runs");
    assert_eq!(read(&out.0, "demo/demo.item.get.kind.yaml"), taken);
    let e = outcome
        .report
        .pages
        .iter()
        .find(|e| e.method == "demo.item.get.kind")
        .expect("reported");
    assert_eq!(e.status, Status::Curated);
    // The clash is still resolved, now against the curated spec.
    assert!(read(&out.0, "demo/demo.item.get.yaml").contains("name: DemoItemGetKindParam"));
}

#[test]
fn check_reports_differences_and_leaves_out_alone() {
    let docs = Tmp::new("docs-check");
    let out = Tmp::new("out-check");
    reference(&docs.0);
    seeded_out(&out.0);
    bitrix_import::run(&docs.0, &out.0).expect("runs");
    let (_, diffs) = bitrix_import::check(&docs.0, &out.0).expect("checks");
    assert!(diffs.is_empty(), "{diffs:?}");

    // An edited imported spec, a stale one and a missing one.
    let get = read(&out.0, "demo/demo.item.get.yaml");
    let edited = format!("{get}# edited\n");
    write(&out.0, "demo/demo.item.get.yaml", &edited);
    write(
        &out.0,
        "demo/demo.old.yaml",
        "# Imported from https://example.com/old.html by bitrix-import.\nmethod: demo.old\n",
    );
    std::fs::remove_file(out.0.join("demo/demo.item.get.kind.yaml")).expect("rm");
    let (_, diffs) = bitrix_import::check(&docs.0, &out.0).expect("checks");
    assert_eq!(
        diffs,
        [
            "missing: demo/demo.item.get.kind.yaml",
            "differs: demo/demo.item.get.yaml",
            "not written by the importer: demo/demo.old.yaml",
        ]
    );
    // Nothing in out was touched.
    assert_eq!(read(&out.0, "demo/demo.item.get.yaml"), edited);
    assert!(out.0.join("demo/demo.old.yaml").exists());
    assert!(!out.0.join("demo/demo.item.get.kind.yaml").exists());
}
