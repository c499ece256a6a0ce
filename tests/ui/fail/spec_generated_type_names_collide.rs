// Two generated type names that collide (the parameter `result` and the result object both
// become `DemoThingGetResult`) are reported at the YAML line, not as rustc's E0428.
bitrix_api::bitrix_method!(inline = r#"
method: demo.thing.get
scope: demo
summary: Get a thing.
access: any user
contexts: [webhook]
idempotent: true
docs: https://example.com/demo.thing.get
params:
  result: { type: object, fields: { id: { type: integer } } }
result:
  type: object
  fields:
    id: { type: integer }
"#);

fn main() {}
