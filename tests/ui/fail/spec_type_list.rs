// A list of types: a type is one name, and the message lists the names.
bitrix_api::bitrix_method!(inline = r#"
method: demo.thing.add
scope: demo
summary: Add a thing.
access: any user
contexts: [webhook]
idempotent: false
docs: https://example.com/demo.thing.add
params:
  DATA: { type: [string, object] }
result: { type: boolean, required: true }
"#);

fn main() {}
