// Requests are built through `new`, so a required parameter cannot be skipped by a literal.
use bitrix_api::messageservice::MessageserviceSenderDelete;

fn main() {
    let r = MessageserviceSenderDelete::new("sms.1");
    let _ = r.code;
}
