// A pattern that is not a regular expression.
bitrix_api::bitrix_method!(inline = r#"
method: demo.thing.add
scope: demo
summary: Add a thing.
access: any user
contexts: [webhook]
idempotent: false
docs: https://example.com/demo.thing.add
params:
  CODE: { type: string, required: true, pattern: '^[a-z+$' }
result: { type: boolean, required: true }
"#);

fn main() {}
