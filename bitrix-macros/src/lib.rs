//! `bitrix_method!`: one Bitrix24 REST method spec (YAML) in, its typed Rust API out.
//!
//! The macro reads the spec, checks it with `bitrix-spec`, and emits the request type, the
//! response types, the error enum and an `impl bitrix_api::Method`. Everything else (HTTP,
//! auth, envelope decoding, the validation logic itself) lives in the `bitrix-api` runtime, so
//! that each method costs as little compile time as possible.

mod emit;

use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{LitStr, Token};

/// Generates a method's types from its spec.
///
/// `bitrix_method!("scope/method.yaml")` reads `$CARGO_MANIFEST_DIR/specs/scope/method.yaml`
/// (and makes the crate rebuild when the file changes);
/// `bitrix_method!(inline = r#"method: ..."#)` reads the spec from the literal.
///
/// A spec with errors becomes `compile_error!`s naming the file, line, key and the problem.
#[proc_macro]
pub fn bitrix_method(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as Input);
    expand(input).into()
}

enum Input {
    File(LitStr),
    Inline(LitStr),
}

impl Parse for Input {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            let _ = input.parse::<Option<Token![,]>>()?;
            return Ok(Input::File(lit));
        }
        let key: syn::Ident = input.parse()?;
        if key != "inline" {
            return Err(syn::Error::new(
                key.span(),
                "expected a spec path (\"scope/method.yaml\") or `inline = \"<yaml>\"`",
            ));
        }
        input.parse::<Token![=]>()?;
        let lit: LitStr = input.parse()?;
        let _ = input.parse::<Option<Token![,]>>()?;
        Ok(Input::Inline(lit))
    }
}

fn expand(input: Input) -> proc_macro2::TokenStream {
    let (name, text, span, track) = match &input {
        Input::Inline(lit) => ("<inline spec>".to_owned(), lit.value(), lit.span(), None),
        Input::File(lit) => {
            let rel = lit.value();
            let Ok(dir) = std::env::var("CARGO_MANIFEST_DIR") else {
                return error(
                    lit.span(),
                    "CARGO_MANIFEST_DIR is not set: build with cargo",
                );
            };
            let path = std::path::Path::new(&dir).join("specs").join(&rel);
            match std::fs::read_to_string(&path) {
                Ok(text) => (rel, text, lit.span(), Some(path.display().to_string())),
                Err(e) => {
                    return error(
                        lit.span(),
                        &format!("cannot read spec {}: {e}", path.display()),
                    );
                }
            }
        }
    };
    let spec = match bitrix_spec::load(&name, &text) {
        Ok(spec) => spec,
        Err(diags) => {
            let errors = diags
                .iter()
                .map(|d| error(span, &format!("invalid spec: {d}")));
            return quote!(#(#errors)*);
        }
    };
    let tracked = track.map(|p| {
        quote!(
            const _: &str = include_str!(#p);
        )
    });
    let body = emit::method(&spec);
    quote!(#tracked #body)
}

fn error(span: Span, message: &str) -> proc_macro2::TokenStream {
    syn::Error::new(span, message).to_compile_error()
}

#[cfg(test)]
mod snapshots {
    //! What a spec expands to, formatted, so a reviewer sees what a spec change does to the
    //! generated code. `cargo insta review` (or INSTA_UPDATE=always) accepts a change.

    fn expand(rel: &str) -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../specs")
            .join(rel);
        let text = std::fs::read_to_string(&path).expect("spec is readable");
        let spec = bitrix_spec::load(rel, &text).expect("spec is valid");
        let file = syn::parse2(crate::emit::method(&spec)).expect("expansion parses as a file");
        prettyplease::unparse(&file)
    }

    #[test]
    fn sender_add() {
        insta::assert_snapshot!(expand("messageservice/messageservice.sender.add.yaml"));
    }

    #[test]
    fn sender_update() {
        insta::assert_snapshot!(expand("messageservice/messageservice.sender.update.yaml"));
    }

    #[test]
    fn connector_delete_messages() {
        insta::assert_snapshot!(expand("imopenlines/imconnector.delete.messages.yaml"));
    }

    #[test]
    fn bot_message_delete() {
        insta::assert_snapshot!(expand("imbot/imbot.v2.Chat.Message.delete.yaml"));
    }
}
