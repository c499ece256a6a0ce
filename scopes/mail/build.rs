//! The specs are read by the `bitrix_scope!` macro, which cargo does not watch: a spec added to,
//! changed in or removed from specs/mail/ reruns this, and with it the crate's build. It also
//! counts the scope's methods and events for bitrix-api's docs (`DEP_BITRIX_API_MAIL_*`).
fn main() {
    let dir = "specs/mail";
    println!("cargo::rerun-if-changed={dir}");
    let count = |dir: &str| {
        std::fs::read_dir(dir).map_or(0, |d| {
            d.filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "yaml"))
                .count()
        })
    };
    println!("cargo::metadata=methods={}", count(dir));
    println!("cargo::metadata=events={}", count(&format!("{dir}/events")));
}
