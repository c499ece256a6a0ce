// A `,` in an unquoted flow-map value splits the value: the hint says to quote it.
bitrix_api::bitrix_method!(inline = r#"
method: demo.thing.add
scope: demo
summary: Add a thing.
access: any user
contexts: [webhook]
idempotent: false
docs: https://example.com/demo.thing.add
params:
  CODE: { type: string, description: The code, as issued }
  KIND: { type: enum, values: a, b }
result: { type: boolean, required: true }
"#);

fn main() {}
