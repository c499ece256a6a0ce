// `filter` with listed fields, `order`, and members set by name: what the client sends and what
// it refuses before sending.
use bitrix_api::{AuthContext, Fields, Filter, Method, Order, Validator};

bitrix_api::bitrix_method!(inline = r#"
method: demo.thing.list
scope: demo
summary: List things.
access: any user
contexts: [webhook]
idempotent: true
docs: https://example.com/demo.thing.list
params:
  filter:
    type: filter
    required: true
    fields:
      ID: { type: id }
      TITLE: { type: string }
  order: { type: order, fields: { ID: { type: id } } }
result: { type: any }
"#);

fn problems(m: &DemoThingList) -> Vec<String> {
    let mut v = Validator::new(AuthContext::Webhook);
    m.validate(&mut v);
    v.finish().into_iter().map(|p| format!("{}: {}", p.param, p.reason)).collect()
}

fn main() {
    let ok = DemoThingList::new(Filter::new().gte("id", 5).like("TITLE", "a").eq("UF_X", 1))
        .order(Order::new().desc("ID"))
        .field("select", vec!["ID"]);
    assert!(problems(&ok).is_empty(), "{:?}", problems(&ok));
    let json = serde_json::to_value(&ok).unwrap();
    assert_eq!(json["filter"][">=id"], 5);
    assert_eq!(json["order"]["ID"], "DESC");
    assert_eq!(json["select"][0], "ID");

    let empty = DemoThingList::new(Filter::new());
    assert_eq!(problems(&empty).len(), 1, "{:?}", problems(&empty));

    let wrong = DemoThingList::new(Filter::new().eq("NAME", "x")).order(Order::new().asc("TITLE"));
    let p = problems(&wrong);
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(p[0].starts_with("filter: names `NAME`"), "{p:?}");
    assert!(p[1].starts_with("order: names `TITLE`"), "{p:?}");
}
