// An unknown top-level key is reported together with every other mistake of the spec.
bitrix_api::bitrix_method!(inline = r#"
method: demo.thing.add
scope: demo
summary: Add a thing.
access: any user
contexts: [webhook]
idempotent: false
docs: https://example.com/demo.thing.add
colour: red
params:
  CODE: { type: strin, required: true }
  NAME: { type: string, lenght: 5 }
  TAG: { type: string, pattern: '(' }
result: { type: boolean, required: true }
errors:
  - { code: 'NOT A CODE', status: 302, description: x }
"#);

fn main() {}
