//! `bitrix_method!`: one Bitrix24 REST method spec (YAML) in, its typed Rust API out.
//!
//! The macro reads the spec, checks it with `bitrix-spec`, and hands it to `bitrix-codegen`,
//! which emits the request type, the response types, the error enum and an
//! `impl bitrix_api::Method`. Everything else (HTTP, auth, decoding, the validation logic
//! itself) lives in the `bitrix-api` runtime, so that each method costs as little compile time
//! as possible.

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

/// Generates a shared type of a scope from `$CARGO_MANIFEST_DIR/specs/<scope>/types/<Name>.yaml`:
/// `bitrix_type!("crm/types/Deal.yaml")`. Specs of the scope refer to it with `ref: Deal`.
#[proc_macro]
pub fn bitrix_type(input: TokenStream) -> TokenStream {
    let lit = syn::parse_macro_input!(input as LitStr);
    expand_type(&lit).into()
}

fn expand_type(lit: &LitStr) -> proc_macro2::TokenStream {
    let rel = lit.value();
    let specs = match specs_root(lit.span()) {
        Ok(dir) => dir,
        Err(e) => return e,
    };
    let path = specs.join(&rel);
    let (Some(scope), Some(name)) = (
        path.parent().and_then(std::path::Path::parent),
        path.file_stem().and_then(|s| s.to_str()),
    ) else {
        return error(lit.span(), "expected \"<scope>/types/<Name>.yaml\"");
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => return error(lit.span(), &format!("cannot read {}: {e}", path.display())),
    };
    let p = path.display().to_string();
    let tracked = quote!(
        const _: &str = include_str!(#p);
    );
    let expanded =
        bitrix_spec::Types::read_dir(scope, &specs).and_then(|types| match types.get(name) {
            Some(shared) => bitrix_codegen::expand_shared(name, shared, &text),
            None => Ok(proc_macro2::TokenStream::new()),
        });
    match expanded {
        Ok(body) => quote!(#tracked #body),
        Err(diags) => {
            let errors = diags
                .iter()
                .map(|d| error(lit.span(), &format!("invalid spec: {d}")));
            quote!(#tracked #(#errors)*)
        }
    }
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
    let mut specs_dir = None;
    let (name, text, span, track) = match &input {
        Input::Inline(lit) => ("<inline spec>".to_owned(), lit.value(), lit.span(), None),
        Input::File(lit) => {
            let rel = lit.value();
            let specs = match specs_root(lit.span()) {
                Ok(dir) => dir,
                Err(e) => return e,
            };
            let path = specs.join(&rel);
            specs_dir = Some(specs);
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
    let tracked = track.map(|p| {
        quote!(
            const _: &str = include_str!(#p);
        )
    });
    // A file's `ref:`s name the shared types of its scope folder.
    let loaded = match &specs_dir {
        Some(dir) => bitrix_spec::load_file(dir, &name),
        None => bitrix_spec::load(&name, &text),
    };
    let expanded = loaded.and_then(|spec| bitrix_codegen::expand(&spec, &name, &text));
    match expanded {
        Ok(body) => quote!(#tracked #body),
        Err(diags) => {
            let errors = diags
                .iter()
                .map(|d| error(span, &format!("invalid spec: {d}")));
            quote!(#tracked #(#errors)*)
        }
    }
}

/// `$CARGO_MANIFEST_DIR/specs`, where spec paths are relative to.
fn specs_root(span: Span) -> Result<std::path::PathBuf, proc_macro2::TokenStream> {
    match std::env::var("CARGO_MANIFEST_DIR") {
        Ok(dir) => Ok(std::path::Path::new(&dir).join("specs")),
        Err(_) => Err(error(
            span,
            "CARGO_MANIFEST_DIR is not set: build with cargo",
        )),
    }
}

fn error(span: Span, message: &str) -> proc_macro2::TokenStream {
    syn::Error::new(span, message).to_compile_error()
}
