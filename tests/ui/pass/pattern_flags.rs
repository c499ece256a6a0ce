// A pattern with inline flags (`(?i)`) and Unicode classes compiles, and the client applies it
// as written: case-insensitively.
use bitrix_api::{AuthContext, Method, Validator};

bitrix_api::bitrix_method!(inline = r#"
method: demo.thing.add
scope: demo
summary: Add a thing.
access: any user
contexts: [webhook]
idempotent: false
docs: https://example.com/demo.thing.add
params:
  CODE: { type: string, required: true, pattern: '(?i)^[a-z]+$' }
  NAME: { type: string, pattern: '^\p{L}+$' }
result: { type: boolean, required: true }
"#);

fn problems(request: &DemoThingAdd) -> Vec<String> {
    let mut v = Validator::new(AuthContext::Webhook);
    request.validate(&mut v);
    v.finish().into_iter().map(|p| format!("{}: {}", p.param, p.reason)).collect()
}

fn main() {
    assert_eq!(problems(&DemoThingAdd::new("abc")), Vec::<String>::new());
    assert_eq!(problems(&DemoThingAdd::new("ABC").name("Жук")), Vec::<String>::new());
    assert_eq!(problems(&DemoThingAdd::new("a1").name("x2")).len(), 2);
}
