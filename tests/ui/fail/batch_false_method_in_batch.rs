// A method whose spec says `batch: false` cannot be put into a batch.
bitrix_api::bitrix_method!(inline = r#"
method: demo.lonely.call
scope: demo
summary: A call the portal refuses inside batch.
access: any user
contexts: [webhook]
batch: false
idempotent: true
docs: https://example.com/demo.lonely.call
result: { type: boolean, required: true }
"#);

fn main() {
    let client = bitrix_api::Client::from_webhook("https://portal.example.com/rest/1/code/").unwrap();
    let mut batch = client.batch();
    let _ = batch.add(DemoLonelyCall::new());
}
