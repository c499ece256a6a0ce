// Error codes as some pages document them: empty, or a number; each still gets a variant and
// the client classifies answers with them.
use bitrix_api::{Method, MethodError};

bitrix_api::bitrix_method!(inline = r#"
method: demo.lead.list
scope: demo
summary: List leads.
access: any user
contexts: [webhook]
idempotent: true
docs: https://example.com/demo.lead.list
params:
  ID: { type: integer }
result: { type: boolean, required: true }
errors:
  - { code: "", status: 400, description: "Not found" }
  - { code: 100, status: 400, description: "Invalid filter" }
  - { code: ERROR_CORE, status: 500, description: "Internal error" }
"#);

fn main() {
    assert_eq!(DemoLeadListError::from_code(""), Some(DemoLeadListError::EmptyCode));
    assert_eq!(DemoLeadListError::from_code("100"), Some(DemoLeadListError::Code100));
    assert_eq!(DemoLeadListError::Code100.code(), "100");
    assert_eq!(DemoLeadListError::from_code("error_core"), Some(DemoLeadListError::ErrorCore));
    // The method's own enum is the one the client classifies answers with.
    let _: fn(&str) -> Option<<DemoLeadList as Method>::Error> = DemoLeadListError::from_code;
}
