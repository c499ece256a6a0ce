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

/// Generates a whole scope from `$CARGO_MANIFEST_DIR/specs/<scope>/`: its shared types
/// (`types/*.yaml`), one method per spec (as `bitrix_method!` would), the checks that span
/// several specs (a type name defined twice), and `METHODS`, the scope's registry, whose rustdoc
/// lists the methods. A scope crate is this one call: `bitrix_api::bitrix_scope!("crm");`.
#[proc_macro]
pub fn bitrix_scope(input: TokenStream) -> TokenStream {
    let lit = syn::parse_macro_input!(input as LitStr);
    expand_scope(&lit).into()
}

fn expand_scope(lit: &LitStr) -> proc_macro2::TokenStream {
    let scope = lit.value();
    let span = lit.span();
    let specs = match specs_root(span) {
        Ok(dir) => dir,
        Err(e) => return e,
    };
    let dir = specs.join(&scope);
    let mut files: Vec<String> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yaml"))
            .filter_map(|p| Some(format!("{scope}/{}", p.file_name()?.to_str()?)))
            .collect(),
        Err(e) => return error(span, &format!("cannot read {}: {e}", dir.display())),
    };
    files.sort();
    let mut out = proc_macro2::TokenStream::new();
    // Shared types first; a broken one is reported by its own expansion.
    let mut type_files = bitrix_spec::type_files(&dir).unwrap_or_default();
    type_files.sort();
    for f in &type_files {
        let rel = f.strip_prefix(&specs).unwrap_or(f).display().to_string();
        out.extend(expand_type(&LitStr::new(&rel, span)));
    }
    let types = bitrix_spec::Types::read_dir(&dir, &specs).unwrap_or_default();
    let mut loaded = Vec::new();
    for rel in &files {
        let path = specs.join(rel);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                out.extend(error(
                    span,
                    &format!("cannot read spec {}: {e}", path.display()),
                ));
                continue;
            }
        };
        let p = path.display().to_string();
        out.extend(quote!(
            const _: &str = include_str!(#p);
        ));
        let expanded = bitrix_spec::load_with(rel, &text, &types).and_then(|spec| {
            let body = bitrix_codegen::expand(&spec, rel, &text)?;
            Ok((spec, body))
        });
        match expanded {
            Ok((spec, body)) => loaded.push((rel.as_str(), text, spec, body)),
            Err(diags) => out.extend(
                diags
                    .iter()
                    .map(|d| error(span, &format!("invalid spec: {d}"))),
            ),
        }
    }
    let scope_specs: Vec<bitrix_codegen::ScopeSpec<'_>> = loaded
        .iter()
        .map(|(file, text, spec, _)| bitrix_codegen::ScopeSpec { file, text, spec })
        .collect();
    let clashes = bitrix_codegen::check_scope(&scope_specs, &types);
    // A spec whose types clash with another's is left out, so that its diagnostic is not
    // followed by the compiler's own about the same name.
    let clashing: std::collections::HashSet<&str> =
        clashes.iter().map(|d| d.file.as_str()).collect();
    for d in &clashes {
        out.extend(error(span, &format!("invalid spec: {d}")));
    }
    let mut listed = Vec::new();
    for (file, text, spec, body) in loaded {
        if !clashing.contains(file) {
            out.extend(body);
            listed.push((file, text, spec));
        }
    }
    let loaded = listed;
    out.extend(registry(&scope, &loaded));
    out.extend(events(&scope, &dir, &specs, span));
    out
}

/// `pub mod events`: the typed `data` of every event spec in `specs/<scope>/events/`, and
/// `EVENTS`, their registry. Nothing when the scope has no event specs.
fn events(
    scope: &str,
    dir: &std::path::Path,
    specs: &std::path::Path,
    span: Span,
) -> proc_macro2::TokenStream {
    let files = match bitrix_spec::event_files(dir) {
        Ok(f) if f.is_empty() => return proc_macro2::TokenStream::new(),
        Ok(f) => f,
        Err(e) => return error(span, &format!("cannot read {}/events: {e}", dir.display())),
    };
    let mut out = proc_macro2::TokenStream::new();
    let mut items = proc_macro2::TokenStream::new();
    let mut infos = Vec::new();
    // Type name -> the file that defines it: the events of a scope share one module.
    let mut first: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for path in files {
        let rel = path
            .strip_prefix(specs)
            .unwrap_or(&path)
            .display()
            .to_string();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                out.extend(error(span, &format!("cannot read {}: {e}", path.display())));
                continue;
            }
        };
        let p = path.display().to_string();
        items.extend(quote!(
            const _: &str = include_str!(#p);
        ));
        let expanded = bitrix_spec::load_event(&rel, &text)
            .and_then(|ev| Ok((bitrix_codegen::expand_event(&ev, &text)?, ev)));
        let ((tokens, defined), ev) = match expanded {
            Ok(x) => x,
            Err(diags) => {
                out.extend(
                    diags
                        .iter()
                        .map(|d| error(span, &format!("invalid spec: {d}"))),
                );
                continue;
            }
        };
        let clash = defined.iter().find_map(|(name, at)| {
            first.get(name).map(|file| {
                bitrix_spec::Diagnostic::at(
                    &rel,
                    &text,
                    at,
                    format!("this defines the type `{name}`, which {file} defines already: the events of a scope share one module, so give one of them another `name:`"),
                )
            })
        });
        if let Some(d) = clash {
            out.extend(error(span, &format!("invalid spec: {d}")));
            continue;
        }
        for (name, _) in defined {
            first.insert(name, rel.clone());
        }
        items.extend(tokens);
        let (name, code, ty) = (&ev.name, ev.code(), ev.type_name());
        infos.push(quote!(::bitrix_api::events::EventInfo::__new(#name, #code, #scope, #ty, #rel)));
    }
    let doc = format!(
        "The events of the `{scope}` scope: the typed `data` of each, read by `Verifier::event`, and `EVENTS`."
    );
    out.extend(quote! {
        #[doc = #doc]
        pub mod events {
            #items
            /// Every event of the scope, from its specs.
            pub const EVENTS: &[::bitrix_api::events::EventInfo] = &[#(#infos),*];
        }
    });
    out
}

/// `METHODS`: the scope's methods, with a rustdoc table of REST names and request types.
fn registry(scope: &str, loaded: &[(&str, String, bitrix_spec::Spec)]) -> proc_macro2::TokenStream {
    use std::fmt::Write as _;
    let mut listed: Vec<(&str, String, bool)> = loaded
        .iter()
        .map(|(_, _, spec)| {
            (
                spec.method.as_str(),
                spec.type_name(),
                spec.deprecated.is_some(),
            )
        })
        .collect();
    listed.sort();
    let mut doc = format!(
        "Every method of the `{scope}` scope, from its specs.\n\n| REST method | request type |\n|---|---|\n"
    );
    for (method, ty, gone) in &listed {
        let mark = if *gone { " (deprecated)" } else { "" };
        let _ = writeln!(doc, "| `{method}`{mark} | [`{ty}`] |");
    }
    let entries = loaded.iter().map(|(file, _, spec)| {
        let (name, scope, ty) = (&spec.method, &spec.scope, spec.type_name());
        let (batch, idempotent) = (spec.batch, spec.idempotent);
        let deprecated = match spec.deprecated.as_ref().map(|d| d.note()) {
            Some(note) => quote!(::core::option::Option::Some(#note)),
            None => quote!(::core::option::Option::None),
        };
        let info = quote!(::bitrix_api::MethodInfo::__new(#name, #scope, #ty, #file, #batch, #idempotent, #deprecated));
        if spec.also_scopes.is_empty() && spec.alternative_scopes.is_empty() {
            info
        } else {
            let (also, alt) = (&spec.also_scopes, &spec.alternative_scopes);
            quote!(#info.__scopes(&[#(#also),*], &[#(#alt),*]))
        }
    });
    quote! {
        #[doc = #doc]
        pub const METHODS: &[::bitrix_api::MethodInfo] = &[#(#entries),*];
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
