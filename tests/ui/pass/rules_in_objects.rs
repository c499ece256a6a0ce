// Rules across members, at the top and inside an object parameter, and bounds of numbers,
// checked before sending.
use bitrix_api::{AuthContext, Method, Validator};

bitrix_api::bitrix_method!(inline = r#"
method: demo.task.add
scope: demo
summary: Add a task.
access: any user
contexts: [webhook]
idempotent: false
docs: https://example.com/demo.task.add
params:
  fields:
    type: object
    required: true
    fields:
      TITLE: { type: string }
      DEADLINE: { type: string }
      REMIND: { type: yn }
      GROUP_ID: { type: integer }
      MODE: { type: string }
      URL: { type: url }
    rules:
      - at_least_one_of: [TITLE, GROUP_ID]
      - all_or_none: [DEADLINE, REMIND]
      - if_given: MODE
        equals: link
        then_required: [URL]
  A: { type: string }
  B: { type: string }
  LIMIT: { type: integer, minimum: 1, maximum: 50 }
  SHARE: { type: number, maximum: 0.5 }
rules:
  - at_most_one_of: [A, B]
result: { type: integer, required: true }
"#);

fn problems(request: &DemoTaskAdd) -> Vec<String> {
    let mut v = Validator::new(AuthContext::Webhook);
    request.validate(&mut v);
    v.finish().into_iter().map(|p| format!("{}: {}", p.param, p.reason)).collect()
}

fn main() {
    let ok = DemoTaskAdd::new(DemoTaskAddFields::new().title("Call back").mode("text")).a("x");
    assert_eq!(problems(&ok), Vec::<String>::new());
    let linked = DemoTaskAddFields::new().group_id(5).mode("link").url("https://example.com/");
    assert_eq!(problems(&DemoTaskAdd::new(linked)), Vec::<String>::new());

    assert_eq!(problems(&DemoTaskAdd::new(DemoTaskAddFields::new().title("t")).limit(50).share(0.5)), Vec::<String>::new());

    let bad = DemoTaskAdd::new(DemoTaskAddFields::new().deadline("2026-12-31").mode("link"))
        .a("x")
        .b("y")
        .limit(0)
        .share(0.75);
    assert_eq!(
        problems(&bad),
        [
            "fields.TITLE|GROUP_ID: give at least one of TITLE, GROUP_ID",
            "fields.DEADLINE|REMIND: give all of DEADLINE, REMIND or none; missing: REMIND",
            "fields.URL: URL required when MODE is \"link\"",
            "LIMIT: must be at least 1, is 0",
            "SHARE: must be at most 0.5, is 0.75",
            "A|B: give at most one of A, B; given: A, B",
        ]
    );
}
