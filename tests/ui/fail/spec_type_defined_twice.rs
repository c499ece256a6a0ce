// Two members that name the same Rust type are reported at the YAML line of the second, not as
// rustc's E0428 inside generated code.
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
result:
  type: object
  fields:
    owner: { type: object, name: Person, fields: { id: { type: integer } } }
    author: { type: object, name: Person, fields: { id: { type: integer } } }
"#);

fn main() {}
