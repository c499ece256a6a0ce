// A parameter that does not read is still a parameter: the rule and the `when` that name it
// are not reported as naming an unknown one.
bitrix_api::bitrix_method!(inline = r#"
method: demo.thing.add
scope: demo
summary: Add a thing.
access: any user
contexts: [webhook]
idempotent: false
docs: https://example.com/demo.thing.add
params:
  fields:
    type: object
    fields:
      TITLE: { type: string }
    descrption: The fields of the thing.
  other: string
rules:
  - at_least_one_of: [fields, other]
result: { type: boolean, required: true }
errors:
  - { code: FIELDS_EMPTY, status: 400, description: No fields, when: { missing: fields } }
"#);

fn main() {}
