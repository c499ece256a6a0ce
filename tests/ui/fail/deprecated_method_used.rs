// A method the reference marks deprecated warns its users, naming the replacement.
#![deny(deprecated)]

bitrix_api::bitrix_method!(inline = r#"
method: demo.lead.list
scope: demo
summary: List leads.
access: any user
contexts: [webhook]
idempotent: true
docs: https://example.com/demo.lead.list
deprecated:
  replacement: demo.item.list
  note: The method is still served but no longer developed.
params:
  ID: { type: integer }
result: { type: boolean, required: true }
"#);

fn main() {
    let _ = DemoLeadList::new();
}
