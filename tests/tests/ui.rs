//! Compile-time guarantees: misuse of the generated API and malformed specs do not compile,
//! and each says why (the `.stderr` files hold the expected messages).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*.rs");
}
