// A rule naming a parameter that does not exist.
bitrix_api::bitrix_method!(inline = r#"
method: demo.thing.add
scope: demo
summary: Add a thing.
access: any user
contexts: [webhook]
idempotent: false
docs: https://example.com/demo.thing.add
params:
  CODE: { type: string, required: true }
  HANDLER: { type: url }
rules:
  - at_least_one_of: [HANDLER, NAME]
result: { type: boolean, required: true }
"#);

fn main() {}
