// STATUS allows queued, sent, delivered, undelivered, failed: `Read` is not one of them.
use bitrix_api::messageservice::{MessageStatus, MessageserviceMessageStatusUpdate};

fn main() {
    let _ = MessageserviceMessageStatusUpdate::new("sms.1", "m-1", MessageStatus::Read);
}
