// Requests are built through `new` and setters only: their parameters are not fields, so a
// required parameter cannot be skipped by a literal or changed behind the setters.
use bitrix_api::messageservice::MessageserviceSenderDelete;

fn main() {
    let r = MessageserviceSenderDelete::new("sms.1");
    let _ = r.code;
}
