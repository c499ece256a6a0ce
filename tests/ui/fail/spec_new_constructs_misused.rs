// `filter` and `order` describe what a list method is asked, not what it answers; the `values`
// of an integer are numbers; an error inside `result` comes with HTTP 200.
bitrix_api::bitrix_method!(inline = r#"
method: demo.thing.list
scope: demo
summary: List things.
access: any user
contexts: [webhook]
idempotent: true
docs: https://example.com/demo.thing.list
params:
  filter: { type: filter, fields: { ID: { type: id } } }
  order: { type: order }
  KIND: { type: integer, values: [1, two] }
result:
  type: object
  required: true
  fields:
    applied: { type: filter }
errors:
  - { code: THING_LOCKED, status: 400, in_result: true, description: Locked }
"#);

fn main() {}
