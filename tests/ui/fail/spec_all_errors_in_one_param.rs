// Every mistake inside one parameter, and inside its nested fields, is reported.
bitrix_api::bitrix_method!(inline = r#"
method: demo.thing.add
scope: demo
summary: Add a thing.
access: any user
contexts: [webhook]
idempotent: false
docs: https://example.com/demo.thing.add
params:
  CODE: { type: string, requred: true, pattern: '(', max_lenght: 3 }
  DATA:
    type: object
    fields:
      a: { type: strin, foo: 1 }
      b: { type: array, bar: 2, items: { type: string, baz: 3 } }
result: { type: boolean, required: true }
"#);

fn main() {}
