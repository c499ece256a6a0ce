// NAME is required: leaving it out of `new` does not compile.
use bitrix_api::messageservice::{MessageserviceSenderAdd, SenderType};

fn main() {
    let _ = MessageserviceSenderAdd::new("sms.1", SenderType::Sms, "https://h.example/x");
}
