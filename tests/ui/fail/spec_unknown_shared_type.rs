// A `ref` to a shared type the scope does not have is reported at its line. (An inline spec has
// no scope folder, so it has no shared types at all.)
bitrix_api::bitrix_method!(inline = r#"
method: demo.thing.get
scope: demo
summary: Get a thing.
access: any user
contexts: [webhook]
idempotent: true
docs: https://example.com/demo.thing.get
params:
  ID: { type: integer, required: true }
result: { ref: Thing, required: true }
"#);

fn main() {}
