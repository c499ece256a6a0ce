// required_in must name one of the method's contexts.
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
  botToken: { type: string, secret: true, required_in: [application] }
result: { type: boolean, required: true }
"#);

fn main() {}
