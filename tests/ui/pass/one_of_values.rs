// `one_of`: a value of several shapes, sent as the variant given and read as the first variant
// (in the spec's order) that the value fits.
use bitrix_api::Method;

bitrix_api::bitrix_method!(inline = r#"
method: demo.thing.update
scope: demo
summary: Update a thing.
access: any user
contexts: [webhook]
idempotent: true
docs: https://example.com/demo.thing.update
params:
  KEYBOARD:
    type: one_of
    name: Keyboard
    variants:
      buttons:
        type: array
        items: { type: object, name: Button, fields: { TEXT: { type: string, required: true } } }
      remove: { type: enum, name: Removal, values: ["N"] }
  PREVIEW:
    type: one_of
    variants:
      flag: { type: yn }
      url: { type: url }
result:
  type: object
  name: ThingState
  required: true
  fields:
    value:
      type: one_of
      name: ThingValue
      required: true
      variants:
        text: { type: string }
        off: { type: boolean }
examples:
  - response: { result: { value: false } }
  - response: { result: { value: "abc" } }
"#);

fn main() {
    let remove = DemoThingUpdate::new().keyboard(Keyboard::Remove(Removal::N));
    assert_eq!(serde_json::to_value(&remove).unwrap(), serde_json::json!({"KEYBOARD": "N"}));
    let buttons = DemoThingUpdate::new()
        .keyboard(Keyboard::Buttons(vec![Button::new("OK")]))
        .preview(DemoThingUpdatePreview::Flag(false));
    assert_eq!(
        serde_json::to_value(&buttons).unwrap(),
        serde_json::json!({"KEYBOARD": [{"TEXT": "OK"}], "PREVIEW": "N"})
    );

    let off = DemoThingUpdate::decode(r#"{"value": false}"#).unwrap();
    assert!(matches!(off.value, ThingValue::Off(false)));
    let text = DemoThingUpdate::decode(r#"{"value": "abc"}"#).unwrap();
    assert!(matches!(text.value, ThingValue::Text(ref t) if t == "abc"));
    // A number reads as text, as a `string` does: the first variant wins.
    let number = DemoThingUpdate::decode(r#"{"value": 5}"#).unwrap();
    assert!(matches!(number.value, ThingValue::Text(ref t) if t == "5"));
    let err = DemoThingUpdate::decode(r#"{"value": [1]}"#).unwrap_err().to_string();
    assert!(err.contains("result.value") && err.contains("fits none of the variants"), "{err}");
}
