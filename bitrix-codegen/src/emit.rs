//! Spec -> tokens. Emits types and one-line calls into the runtime; no logic of its own.
//!
//! Every line emitted here is compiled once per method, so nothing is derived that a runtime
//! helper can do: requests serialize through `__private::encode::Obj`, results decode through
//! `__private::decode::Obj`, and the leniency of both lives in `bitrix-api`.

use bitrix_spec::{AuthContext, Schema, Seg, Spec, TypeName, pascal_case, snake_case};
use indexmap::IndexMap;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

/// A Rust type the expansion defines, with the spec key that made it.
pub(crate) struct Defined {
    pub(crate) name: String,
    pub(crate) path: Vec<Seg>,
}

/// The expansion being built: the items emitted so far and the names they define.
struct Ctx {
    items: Vec<TokenStream>,
    defined: Vec<Defined>,
}

impl Ctx {
    fn define(&mut self, name: &str, path: &[Seg]) {
        self.defined.push(Defined {
            name: name.to_owned(),
            path: path.to_vec(),
        });
    }
}

/// `path` extended by the key `k`.
fn child(path: &[Seg], k: &str) -> Vec<Seg> {
    let mut p = path.to_vec();
    p.push(Seg::Key(k.to_owned()));
    p
}

/// Everything one spec expands to, and the type names it defines.
pub(crate) fn method(spec: &Spec) -> (TokenStream, Vec<Defined>) {
    let ty = spec.type_name();
    let mut cx = Ctx {
        items: Vec::new(),
        defined: Vec::new(),
    };
    let root = vec![Seg::Key("method".into())];
    cx.define(&ty, &root);
    cx.define(&format!("{ty}Error"), &root);
    let request = request_struct(
        &mut cx,
        &ty,
        &request_doc(spec),
        Some(&spec.method),
        &spec.params,
        &[Seg::Key("params".into())],
    );
    let output = output(&mut cx, spec, &ty);
    let error = error_enum(spec, &ty);
    let ty_ident = ident(&ty);
    let error_ident = format_ident!("{}Error", ty);
    let name = &spec.method;
    let scope = &spec.scope;
    let batch = spec.batch;
    let idempotent = spec.idempotent;
    let contexts = spec.contexts.iter().map(|c| context(*c));
    let validate = validation(&spec.params, Some(spec))
        .map(|v| quote!(fn validate(&self, v: &mut ::bitrix_api::Validator) { #v }));
    let batchable = spec
        .batch
        .then(|| quote!(impl ::bitrix_api::Batchable for #ty_ident {}));
    let paged = spec.pagination.as_ref().map(|p| paged(spec, &ty, p));
    let items = std::mem::take(&mut cx.items);
    let tokens = quote! {
        #batchable
        #paged
        #request
        #(#items)*
        #error
        impl ::bitrix_api::Method for #ty_ident {
            const NAME: &'static str = #name;
            const SCOPE: &'static str = #scope;
            const BATCH: bool = #batch;
            const IDEMPOTENT: bool = #idempotent;
            const CONTEXTS: &'static [::bitrix_api::AuthContext] = &[#(#contexts),*];
            type Output = #output;
            type Error = #error_ident;
            #validate
        }
    };
    (tokens, cx.defined)
}

fn context(c: AuthContext) -> TokenStream {
    match c {
        AuthContext::Application => quote!(::bitrix_api::AuthContext::Application),
        AuthContext::Webhook => quote!(::bitrix_api::AuthContext::Webhook),
    }
}

fn ident(name: &str) -> Ident {
    if syn::parse_str::<Ident>(name).is_ok() {
        Ident::new(name, Span::call_site())
    } else {
        Ident::new_raw(name, Span::call_site())
    }
}

/// The Rust field of a member: its `name` when that is a field name (a CamelCase `name` names
/// the member's type instead), else the key in snake_case.
fn field_ident(key: &str, schema: &Schema) -> Ident {
    match &schema.name {
        Some(n) if !n.starts_with(|c: char| c.is_ascii_uppercase()) => ident(n),
        _ => ident(&snake_case(key)),
    }
}

/// The Rust type name of a nested object or enum: its `name`, or owner + member in PascalCase.
fn nested_name(owner: &str, key: &str, schema: &Schema) -> String {
    match &schema.name {
        Some(n) if n.starts_with(|c: char| c.is_ascii_uppercase()) => n.clone(),
        _ => format!("{owner}{}", pascal_case(key)),
    }
}

fn request_doc(spec: &Spec) -> String {
    let mut doc = format!("{}\n\nREST method `{}`", spec.summary.trim(), spec.method);
    if let Some(d) = &spec.description {
        doc.push_str("\n\n");
        doc.push_str(d.trim());
    }
    let contexts: Vec<&str> = spec.contexts.iter().map(|c| c.as_str()).collect();
    doc.push_str(&format!(
        "\n\n* Scope: `{}`\n* Who may call it: {}\n* Auth: {}\n* Batch: {}; idempotent: {}\n\n[Documentation]({})",
        spec.scope,
        spec.access,
        contexts.join(", "),
        if spec.batch { "allowed" } else { "not allowed" },
        if spec.idempotent { "yes" } else { "no" },
        spec.docs
    ));
    if !spec.rules.is_empty() {
        doc.push_str("\n\n# Rules\n");
        for r in &spec.rules {
            doc.push_str(&format!(
                "\n* At least one of {}",
                r.at_least_one_of.join(", ")
            ));
            if let Some(d) = &r.description {
                doc.push_str(&format!(": {d}"));
            }
        }
    }
    doc
}

fn member_doc(key: &str, s: &Schema) -> String {
    let mut doc = format!("`{key}`");
    if let Some(d) = &s.description {
        doc.push_str(": ");
        doc.push_str(d.trim());
    }
    if let Some(p) = &s.pattern {
        doc.push_str(&format!(" Pattern: `{p}`."));
    }
    if let Some(text) = s
        .default
        .as_ref()
        .and_then(|d| serde_json::to_string(d).ok())
    {
        doc.push_str(&format!(" Default: `{text}`."));
    }
    if !s.required_in.is_empty() {
        let c: Vec<&str> = s.required_in.iter().map(|c| c.as_str()).collect();
        doc.push_str(&format!(" Required under {} auth.", c.join(", ")));
    }
    doc
}

/// Which side of a call a type is for: it decides its impls and leniency.
#[derive(Clone, Copy, PartialEq)]
enum Side {
    Request,
    Response,
    /// A shared type (`specs/<scope>/types/`): read and sent, built by users field by field.
    Shared,
}

/// The Rust type of a schema, emitting nested structs and enums into the context.
fn rust_type(
    cx: &mut Ctx,
    owner: &str,
    key: &str,
    s: &Schema,
    side: Side,
    path: &[Seg],
) -> TokenStream {
    if let Some(shared) = &s.shared {
        // Generated once per scope from its `types/` file.
        let id = ident(shared);
        return quote!(#id);
    }
    match s.ty {
        TypeName::String | TypeName::Url if s.secret => quote!(::bitrix_api::Secret),
        TypeName::String | TypeName::Url => quote!(::std::string::String),
        TypeName::Integer | TypeName::Id => quote!(i64),
        TypeName::Number => quote!(f64),
        TypeName::Boolean | TypeName::Yn => quote!(bool),
        TypeName::LocalizedText => quote!(::bitrix_api::LocalizedText),
        TypeName::Any => quote!(::bitrix_api::__private::serde_json::Value),
        TypeName::Enum => {
            let name = nested_name(owner, key, s);
            cx.define(&name, path);
            let item = enum_type(&name, key, s, side);
            cx.items.push(item);
            let id = ident(&name);
            quote!(#id)
        }
        TypeName::Object => {
            let name = nested_name(owner, key, s);
            cx.define(&name, path);
            let doc = format!(
                "`{key}`{}",
                s.description
                    .as_deref()
                    .map(|d| format!(": {}", d.trim()))
                    .unwrap_or_default()
            );
            let fields = s.fields.clone().unwrap_or_default();
            let fields_path = child(path, "fields");
            let item = match side {
                Side::Request => {
                    let mut ts = request_struct(cx, &name, &doc, None, &fields, &fields_path);
                    let id = ident(&name);
                    if let Some(v) = validation(&fields, None) {
                        ts.extend(quote! {
                            impl ::bitrix_api::Validate for #id {
                                fn validate(&self, v: &mut ::bitrix_api::Validator) { #v }
                            }
                        });
                    } else {
                        ts.extend(quote!(impl ::bitrix_api::Validate for #id {}));
                    }
                    ts
                }
                Side::Response | Side::Shared => {
                    response_struct(cx, &name, &doc, &fields, &fields_path, side)
                }
            };
            cx.items.push(item);
            let id = ident(&name);
            quote!(#id)
        }
        TypeName::Array | TypeName::Map => {
            let inner = match s.items.as_deref() {
                Some(item) => rust_type(
                    cx,
                    owner,
                    &format!("{key}_item"),
                    item,
                    side,
                    &child(path, "items"),
                ),
                None => quote!(::bitrix_api::__private::serde_json::Value),
            };
            if s.ty == TypeName::Array {
                quote!(::std::vec::Vec<#inner>)
            } else {
                quote!(::std::collections::BTreeMap<::std::string::String, #inner>)
            }
        }
    }
}

fn enum_type(name: &str, key: &str, s: &Schema, side: Side) -> TokenStream {
    let id = ident(name);
    let values = s.values.clone().unwrap_or_default();
    let vars: Vec<Ident> = values.iter().map(|v| ident(&pascal_case(v))).collect();
    let docs = values.iter().map(|v| format!("`{v}`"));
    let doc = format!(
        "Values of `{key}`{}",
        s.description
            .as_deref()
            .map(|d| format!(": {}", d.trim()))
            .unwrap_or_default()
    );
    match side {
        Side::Request => quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub enum #id { #(#[doc = #docs] #vars),* }
            impl ::bitrix_api::__private::serde::Serialize for #id {
                fn serialize<S: ::bitrix_api::__private::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                    s.serialize_str([#(#values),*][*self as usize])
                }
            }
        },
        Side::Response | Side::Shared => {
            let send = (side == Side::Shared).then(|| quote! {
                impl ::bitrix_api::__private::serde::Serialize for #id {
                    fn serialize<S: ::bitrix_api::__private::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                        ::bitrix_api::__private::enum_value(s, &[#(#values),*], *self as usize)
                    }
                }
            });
            quote! {
            #send
            #[doc = #doc]
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            #[non_exhaustive]
            pub enum #id {
                #(#[doc = #docs] #vars,)*
                /// A value the spec does not list.
                Unknown,
            }
            impl ::bitrix_api::__private::Decode for #id {
                fn decode(v: ::bitrix_api::__private::serde_json::Value, at: ::bitrix_api::__private::Path<'_>) -> ::core::result::Result<Self, ::bitrix_api::__private::Mismatch> {
                    ::bitrix_api::__private::one_of(v, at, &[#((#values, Self::#vars)),*], Self::Unknown)
                }
            }
            }
        }
    }
}

/// A request (or nested request object): private fields, `new` with the required members,
/// a setter per optional member, and a `Serialize` impl of one line per member.
fn request_struct(
    cx: &mut Ctx,
    name: &str,
    doc: &str,
    method: Option<&str>,
    members: &IndexMap<String, Schema>,
    path: &[Seg],
) -> TokenStream {
    let id = ident(name);
    let mut fields = Vec::new();
    let mut args = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    let mut puts = Vec::new();
    let mut arg_docs = String::from("Creates the request from its required parameters:\n");
    for (key, s) in members {
        let f = field_ident(key, s);
        let ty = rust_type(cx, name, key, s, Side::Request, &child(path, key));
        let mdoc = member_doc(key, s);
        let yn = s.ty == TypeName::Yn;
        let (arg_ty, into) = arg_type(&ty, s);
        let conv = if into {
            quote!(::core::convert::Into::into(#f))
        } else {
            quote!(#f)
        };
        if s.required {
            fields.push(quote!(#f: #ty));
            args.push(quote!(#f: #arg_ty));
            inits.push(quote!(#f: #conv));
            arg_docs.push_str(&format!("\n* {mdoc}"));
            puts.push(if yn {
                quote!(o.yn(#key, self.#f)?;)
            } else {
                quote!(o.put(#key, &self.#f)?;)
            });
        } else {
            fields.push(quote!(#f: ::core::option::Option<#ty>));
            inits.push(quote!(#f: ::core::option::Option::None));
            setters.push(quote! {
                #[doc = #mdoc]
                #[must_use]
                pub fn #f(mut self, #f: #arg_ty) -> Self {
                    self.#f = ::core::option::Option::Some(#conv);
                    self
                }
            });
            puts.push(if yn {
                quote!(o.opt_yn(#key, self.#f)?;)
            } else {
                quote!(o.opt(#key, &self.#f)?;)
            });
        }
    }
    if args.is_empty() {
        arg_docs = "Creates the request; it has no required parameters.".into();
    }
    let alias = method.map(|m| quote!(#[doc(alias = #m)]));
    let body = if puts.is_empty() {
        quote!(::bitrix_api::__private::Obj::new(s)?.end())
    } else {
        quote!(let mut o = ::bitrix_api::__private::Obj::new(s)?; #(#puts)* o.end())
    };
    quote! {
        #[doc = #doc]
        #alias
        #[derive(Debug, Clone)]
        pub struct #id { #(#fields,)* }

        impl ::bitrix_api::__private::serde::Serialize for #id {
            fn serialize<S: ::bitrix_api::__private::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                #body
            }
        }

        impl #id {
            #[doc = #arg_docs]
            #[allow(clippy::too_many_arguments)]
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits,)* }
            }
            #(#setters)*
        }
    }
}

/// How a member is passed to `new` or a setter: `impl Into<T>` where that helps callers.
fn arg_type(ty: &TokenStream, s: &Schema) -> (TokenStream, bool) {
    match s.ty {
        TypeName::String
        | TypeName::Url
        | TypeName::LocalizedText
        | TypeName::Integer
        | TypeName::Id
        | TypeName::Number
        | TypeName::Array => (quote!(impl ::core::convert::Into<#ty>), true),
        _ => (ty.clone(), false),
    }
}

/// Validation calls for each member that has something to check; `None` when nothing does.
/// `top` is the spec when `members` are its parameters: its rules apply to them.
fn validation(members: &IndexMap<String, Schema>, top: Option<&Spec>) -> Option<TokenStream> {
    let mut out = Vec::new();
    for (key, s) in members {
        let f = field_ident(key, s);
        let value = if s.required {
            quote!(&self.#f)
        } else {
            quote!(self.#f.as_ref())
        };
        match s.ty {
            TypeName::String | TypeName::Url | TypeName::LocalizedText => {
                let mut rules = Vec::new();
                if s.required {
                    rules.push(quote!(required: true));
                }
                if let Some(p) = &s.pattern {
                    rules.push(quote!(pattern: ::core::option::Option::Some(#p)));
                }
                if let Some(n) = s.min_length {
                    rules.push(quote!(min: ::core::option::Option::Some(#n)));
                }
                if let Some(n) = s.max_length {
                    rules.push(quote!(max: ::core::option::Option::Some(#n)));
                }
                if s.ty == TypeName::Url {
                    rules.push(quote!(url: true));
                }
                if !rules.is_empty() {
                    if s.secret {
                        rules.push(quote!(secret: true));
                    }
                    let rules =
                        quote!(&::bitrix_api::Text { #(#rules,)* ..::bitrix_api::Text::NONE });
                    let call = if s.ty == TypeName::LocalizedText {
                        if s.required {
                            quote!(v.localized(#key, ::core::option::Option::Some(&self.#f), #rules);)
                        } else {
                            quote!(v.localized(#key, self.#f.as_ref(), #rules);)
                        }
                    } else if s.secret {
                        if s.required {
                            quote!(v.text(#key, self.#f.expose(), #rules);)
                        } else {
                            quote!(v.opt_text(#key, self.#f.as_ref().map(::bitrix_api::Secret::expose), #rules);)
                        }
                    } else if s.required {
                        quote!(v.text(#key, &self.#f, #rules);)
                    } else {
                        quote!(v.opt_text(#key, self.#f.as_deref(), #rules);)
                    };
                    out.push(call);
                }
            }
            TypeName::Array => {
                let min = opt_usize(if s.required {
                    Some(s.min_items.unwrap_or(1).max(1))
                } else {
                    s.min_items
                });
                let max = opt_usize(s.max_items);
                let nested = s.items.as_ref().is_some_and(|i| i.ty == TypeName::Object);
                let each = nested.then(|| quote!(v.each(#key, items);));
                let check = quote!(v.items(#key, items.len(), #min, #max); #each);
                if s.required {
                    out.push(quote!({ let items = #value; #check }));
                } else if s.min_items.is_some() || s.max_items.is_some() || nested {
                    out.push(
                        quote!(if let ::core::option::Option::Some(items) = #value { #check }),
                    );
                }
            }
            TypeName::Object => {
                // The portal takes an object without members for a missing one; an object with
                // a required member of its own can never be empty.
                let can_be_empty = s
                    .fields
                    .as_ref()
                    .is_none_or(|f| f.values().all(|m| !m.required));
                if s.required && can_be_empty {
                    out.push(quote!(v.object_given(#key, #value);));
                }
                if s.required {
                    out.push(quote!(v.nested(#key, #value);));
                } else {
                    out.push(quote!(if let ::core::option::Option::Some(x) = #value { v.nested(#key, x); }));
                }
            }
            _ => {}
        }
        if !s.required_in.is_empty() {
            let contexts = s.required_in.iter().map(|c| context(*c));
            let given = given(&f, s);
            out.push(quote!(v.required_in(#key, #given, &[#(#contexts),*]);));
        }
    }
    // Rules only apply to a method's top-level parameters.
    if let Some(spec) = top {
        for rule in &spec.rules {
            let given = rule.at_least_one_of.iter().filter_map(|p| {
                let s = spec.params.get(p)?;
                let given = given(&field_ident(p, s), s);
                Some(quote!((#p, #given)))
            });
            out.push(quote!(v.at_least_one_of(&[#(#given),*]);));
        }
    }
    (!out.is_empty()).then(|| quote!(#(#out)*))
}

/// Whether an optional member counts as given: the portal takes `""`, `[]` and `{}` for absent.
fn given(f: &Ident, s: &Schema) -> TokenStream {
    match s.ty {
        TypeName::String | TypeName::Url if s.secret => {
            quote!(self.#f.as_ref().is_some_and(|x| !x.expose().is_empty()))
        }
        TypeName::String | TypeName::Url => {
            quote!(self.#f.as_deref().is_some_and(|x| !x.is_empty()))
        }
        TypeName::LocalizedText => {
            quote!(self.#f.as_ref().is_some_and(|x| x.texts().any(|t| !t.is_empty())))
        }
        TypeName::Array | TypeName::Map => quote!(self.#f.as_ref().is_some_and(|x| !x.is_empty())),
        TypeName::Object | TypeName::Any => {
            quote!(self.#f.as_ref().is_some_and(::bitrix_api::is_given))
        }
        _ => quote!(self.#f.is_some()),
    }
}

fn opt_usize(v: Option<usize>) -> TokenStream {
    match v {
        Some(n) => quote!(::core::option::Option::Some(#n)),
        None => quote!(::core::option::Option::None),
    }
}

/// A response object: public fields, each read by one call into the runtime's decoder, and the
/// members the spec does not list kept in `extra`.
///
/// A shared type's object (`side` is [`Side::Shared`]) is also sent: every member is optional
/// (so that `Default` builds an empty one to fill in), `required` ones are checked when read,
/// and it is serialized as it was read, `extra` included.
fn response_struct(
    cx: &mut Ctx,
    name: &str,
    doc: &str,
    members: &IndexMap<String, Schema>,
    path: &[Seg],
    side: Side,
) -> TokenStream {
    let shared = side == Side::Shared;
    let id = ident(name);
    let mut fields = Vec::new();
    let mut takes = Vec::new();
    let mut puts = Vec::new();
    let mut names = Vec::new();
    for (key, s) in members {
        let f = field_ident(key, s);
        let ty = rust_type(cx, name, key, s, side, &child(path, key));
        let doc = member_doc(key, s);
        let ty = if shared || !s.required || s.nullable {
            quote!(::core::option::Option<#ty>)
        } else {
            ty
        };
        fields.push(quote!(#[doc = #doc] pub #f: #ty));
        takes.push(if shared && s.required {
            quote!(#f: o.need(#key)?)
        } else {
            quote!(#f: o.take(#key)?)
        });
        puts.push(if s.ty == TypeName::Yn {
            quote!(o.opt_yn(#key, self.#f)?;)
        } else {
            quote!(o.opt(#key, &self.#f)?;)
        });
        names.push(f.to_string());
    }
    let extra = if names.iter().any(|n| n == "extra") {
        format_ident!("extra_members")
    } else {
        format_ident!("extra")
    };
    let (derives, sent) = if shared {
        let sent = quote! {
            impl ::bitrix_api::__private::serde::Serialize for #id {
                fn serialize<S: ::bitrix_api::__private::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                    let mut o = ::bitrix_api::__private::Obj::new(s)?;
                    #(#puts)*
                    o.extra(&self.#extra)?;
                    o.end()
                }
            }
            impl ::bitrix_api::Validate for #id {}
        };
        (quote!(#[derive(Debug, Clone, Default, PartialEq)]), sent)
    } else {
        (quote!(#[derive(Debug, Clone)]), TokenStream::new())
    };
    quote! {
        #[doc = #doc]
        #derives
        #[non_exhaustive]
        pub struct #id {
            #(#fields,)*
            /// Members the spec does not list (user fields such as `UF_*`), as sent.
            pub #extra: ::std::collections::BTreeMap<::std::string::String, ::bitrix_api::__private::serde_json::Value>,
        }
        impl ::bitrix_api::__private::Decode for #id {
            fn decode(v: ::bitrix_api::__private::serde_json::Value, at: ::bitrix_api::__private::Path<'_>) -> ::core::result::Result<Self, ::bitrix_api::__private::Mismatch> {
                let mut o = ::bitrix_api::__private::DecodeObj::new(v, at)?;
                ::core::result::Result::Ok(Self { #(#takes,)* #extra: o.rest() })
            }
        }
        #sent
    }
}

/// The tokens of a shared type (`specs/<scope>/types/<name>.yaml`) and the names it defines.
pub(crate) fn shared(name: &str, schema: &Schema) -> (TokenStream, Vec<Defined>) {
    let mut cx = Ctx {
        items: Vec::new(),
        defined: Vec::new(),
    };
    let mut s = schema.clone();
    s.name = Some(name.to_owned());
    s.shared = None;
    let _ = rust_type(&mut cx, name, name, &s, Side::Shared, &[]);
    let items = cx.items;
    (quote!(#(#items)*), cx.defined)
}

/// The `Output` type.
fn output(cx: &mut Ctx, spec: &Spec, ty: &str) -> TokenStream {
    let mut result = spec.result.clone();
    if result.ty == TypeName::Object && result.name.is_none() {
        result.name = Some(format!("{ty}Result"));
    }
    rust_type(
        cx,
        ty,
        "result",
        &result,
        Side::Response,
        &[Seg::Key("result".into())],
    )
}

/// `impl Paged`: where the items are, how to move to a position, the fast mode.
fn paged(spec: &Spec, ty: &str, p: &bitrix_spec::Pagination) -> TokenStream {
    let ty_ident = ident(ty);
    let result_name = spec
        .result
        .name
        .clone()
        .unwrap_or_else(|| format!("{ty}Result"));
    // The checks guarantee the shapes looked up here.
    let (list, access) = match &p.items {
        None => (&spec.result, quote!(output)),
        Some(key) => {
            let Some(field) = spec.result.fields.as_ref().and_then(|f| f.get(key)) else {
                return TokenStream::new();
            };
            let f = field_ident(key, field);
            let access = if field.required {
                quote!(output.#f)
            } else {
                quote!(output.#f.unwrap_or_default())
            };
            (field, access)
        }
    };
    let Some(item_schema) = list.items.as_deref() else {
        return TokenStream::new();
    };
    let owner = if p.items.is_some() {
        result_name.as_str()
    } else {
        ty
    };
    let list_key = p.items.as_deref().unwrap_or("result");
    // Only the item's type name is wanted here; its definition is emitted with the result.
    let mut scratch = Ctx {
        items: Vec::new(),
        defined: Vec::new(),
    };
    let item_ty = rust_type(
        &mut scratch,
        owner,
        &format!("{list_key}_item"),
        item_schema,
        Side::Response,
        &[],
    );
    let field = |key: &str| spec.params.get(key).map(|s| field_ident(key, s));
    let (style, position, size, has_next) = match p.style {
        bitrix_spec::PageStyle::Classic => {
            let start = field("start");
            (
                quote!(Classic),
                quote!(self.#start = ::core::option::Option::Some(position);),
                quote!(::bitrix_api::CLASSIC_PAGE),
                quote!(::core::option::Option::None),
            )
        }
        bitrix_spec::PageStyle::Offset => {
            let (offset, limit) = (field("offset"), field("limit"));
            let flag = spec
                .result
                .fields
                .as_ref()
                .and_then(|f| f.get("hasNextPage"));
            let has_next = match flag {
                Some(s) if s.required => quote!(::core::option::Option::Some(output.has_next_page)),
                _ => quote!(output.has_next_page),
            };
            (
                quote!(Offset),
                quote!(self.#offset = ::core::option::Option::Some(position);),
                quote!(self.#limit.unwrap_or(50)),
                has_next,
            )
        }
    };
    let fast = p.id.as_ref().map(|id| {
        let id_schema = item_schema.fields.as_ref().and_then(|f| f.get(id));
        let id_field = id_schema.map(|s| field_ident(id, s));
        // A shared type's members are all optional (it is built with `Default`).
        let item_id = match id_schema {
            Some(s) if s.required && item_schema.shared.is_none() => {
                quote!(::core::option::Option::Some(item.#id_field))
            }
            _ => quote!(item.#id_field),
        };
        let (filter, order) = (field(&p.filter), field(&p.order));
        quote! {
            const FAST: bool = true;
            fn item_id(item: &Self::Item) -> ::core::option::Option<i64> { #item_id }
            fn fast(&mut self, after: ::core::option::Option<i64>) {
                ::bitrix_api::fast_filter(&mut self.#filter, &mut self.#order, #id, after)
            }
        }
    });
    quote! {
        impl ::bitrix_api::Paged for #ty_ident {
            type Item = #item_ty;
            const STYLE: ::bitrix_api::PageStyle = ::bitrix_api::PageStyle::#style;
            fn split(output: Self::Output) -> (::std::vec::Vec<Self::Item>, ::core::option::Option<bool>) {
                let has_next = #has_next;
                (#access, has_next)
            }
            fn at(&mut self, position: i64) { #position }
            fn page_size(&self) -> i64 { #size }
            #fast
        }
    }
}

fn error_enum(spec: &Spec, ty: &str) -> TokenStream {
    let id = format_ident!("{}Error", ty);
    let mut variants: Vec<(String, String, String)> = Vec::new();
    for e in &spec.errors {
        let var = pascal_case(&e.code);
        let line = format!(
            "* HTTP {}: \"{}\"{}",
            e.status,
            e.description,
            e.meaning
                .as_deref()
                .map(|m| format!(" ({m})"))
                .unwrap_or_default()
        );
        match variants.iter_mut().find(|(v, _, _)| *v == var) {
            Some((_, _, doc)) => {
                doc.push('\n');
                doc.push_str(&line);
            }
            None => variants.push((var, e.code.clone(), format!("`{}`\n\n{line}", e.code))),
        }
    }
    let decl = variants.iter().map(|(v, _, doc)| {
        let v = ident(v);
        quote!(#[doc = #doc] #v)
    });
    let codes = variants.iter().map(|(v, code, _)| {
        let v = ident(v);
        quote!((#code, Self::#v))
    });
    let doc = format!(
        "Documented error codes of `{}`; match them in [`::bitrix_api::Error::Method`].",
        spec.method
    );
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum #id { #(#decl,)* }
        impl ::bitrix_api::MethodError for #id {
            const CODES: &'static [(&'static str, Self)] = &[#(#codes),*];
        }
    }
}
