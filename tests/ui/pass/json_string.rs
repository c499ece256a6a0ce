// `json_string`: a member the portal also sends as a JSON text of its value reads as that value,
// and the documented examples that carry the text pass the compile-time check.
use bitrix_api::Method;

bitrix_api::bitrix_method!(inline = r#"
method: demo.message.get
scope: demo
summary: Get a message.
access: any user
contexts: [webhook]
idempotent: true
docs: https://example.com/demo.message.get
result:
  type: object
  name: Message
  required: true
  fields:
    ATTACH:
      type: one_of
      name: Attach
      json_string: true
      variants:
        full: { type: object, name: AttachFull, fields: { BLOCKS: { type: array, required: true, items: { type: any } } } }
        blocks: { type: array, items: { type: any } }
    IDS: { type: array, json_string: true, items: { type: integer } }
examples:
  - response: { result: { ATTACH: '{"BLOCKS": [{"MESSAGE": "Hi"}]}', IDS: '["5", 6]' } }
  - response: { result: { ATTACH: [{ MESSAGE: Hi }], IDS: [5] } }
"#);

fn main() {
    let text = DemoMessageGet::decode(r#"{"ATTACH": "{\"BLOCKS\": [1]}", "IDS": "[\"5\", 6]"}"#)
        .unwrap();
    assert!(matches!(text.attach, Some(Attach::Full(ref f)) if f.blocks.len() == 1));
    assert_eq!(text.ids, Some(vec![5, 6]));
    let value = DemoMessageGet::decode(r#"{"ATTACH": [{"MESSAGE": "Hi"}]}"#).unwrap();
    assert!(matches!(value.attach, Some(Attach::Blocks(ref b)) if b.len() == 1));
    // A text that encodes neither form fails as the value would, naming the member.
    let wrong = DemoMessageGet::decode(r#"{"ATTACH": "{\"ID\": 1}"}"#).unwrap_err();
    assert!(wrong.to_string().contains("ATTACH"), "{wrong}");
}
