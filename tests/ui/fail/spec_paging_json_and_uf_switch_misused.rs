// `json_string` goes on a structured parameter or member; a pagination path names an optional
// integer inside an object parameter; `original_uf_names` names an optional `yn` or `boolean`
// switch.
bitrix_api::bitrix_method!(inline = r#"
method: demo.thing.getList
scope: demo
summary: List things.
access: any user
contexts: [webhook]
idempotent: true
docs: https://example.com/demo.thing.getList
params:
  TITLE: { type: string, json_string: true }
  params:
    type: object
    fields:
      limit: { type: integer }
      offset: { type: string }
  useOriginalUfNames: { type: string }
original_uf_names: useOriginalUfNames
pagination:
  style: offset
  offset: params.offset
  limit: params.limit
  start: params.start
result:
  type: array
  required: true
  items: { type: any }
"#);

fn main() {}
