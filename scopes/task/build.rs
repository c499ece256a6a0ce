//! The specs are read by the `bitrix_scope!` macro, which cargo does not watch: a spec added to,
//! changed in or removed from specs/task/ reruns this, and with it the crate's build.
fn main() {
    println!("cargo::rerun-if-changed=specs/task");
}
