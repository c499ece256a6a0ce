// messageservice.sender.delete has only CODE: there is no HANDLER setter.
use bitrix_api::messageservice::MessageserviceSenderDelete;

fn main() {
    let _ = MessageserviceSenderDelete::new("sms.1").handler("https://h.example/x");
}
