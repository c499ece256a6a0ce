// The items of an array of scalars carry their own checks (a pattern, a length, a URL, allowed
// numbers, bounds): the client refuses a bad item before sending, naming it by its index.
use bitrix_api::{AuthContext, Method, Validator};

bitrix_api::bitrix_method!(inline = r#"
method: demo.thing.tag
scope: demo
summary: Tag things.
access: any user
contexts: [webhook]
idempotent: true
docs: https://example.com/demo.thing.tag
params:
  TAGS:
    type: array
    required: true
    items: { type: string, pattern: '^[a-z]+$', max_length: 8 }
  LINKS:
    type: array
    items: { type: url }
  KINDS:
    type: array
    items: { type: integer, values: [1, 2, 3] }
result: { type: boolean, required: true }
"#);

fn problems(request: &DemoThingTag) -> Vec<String> {
    let mut v = Validator::new(AuthContext::Webhook);
    request.validate(&mut v);
    v.finish().into_iter().map(|p| format!("{}: {}", p.param, p.reason)).collect()
}

fn main() {
    let good = DemoThingTag::new(vec!["red".to_owned(), "blue".to_owned()])
        .links(vec!["https://example.com".to_owned()])
        .kinds(vec![1, 3]);
    assert!(problems(&good).is_empty(), "{:?}", problems(&good));

    let bad = DemoThingTag::new(vec!["red".to_owned(), "Blue".to_owned(), "toolongtag".to_owned()])
        .links(vec!["ftp://example.com".to_owned()])
        .kinds(vec![2, 7]);
    let found = problems(&bad);
    let params: Vec<&str> = found.iter().map(|p| p.split(':').next().unwrap()).collect();
    assert_eq!(params, ["TAGS[1]", "TAGS[2]", "LINKS[0]", "KINDS[1]"], "{found:?}");
}
