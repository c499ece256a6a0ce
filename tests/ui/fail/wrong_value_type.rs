// botId is an integer; a string does not compile.
use bitrix_api::imbot::ImbotV2ChatMessageDelete;

fn main() {
    let _ = ImbotV2ChatMessageDelete::new("100", 5);
}
