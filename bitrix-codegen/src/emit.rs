//! Spec -> tokens. Emits types and one-line calls into the runtime; no logic of its own.
//!
//! Every line emitted here is compiled once per method, so nothing is derived that a runtime
//! helper can do: requests serialize through `__private::encode::Obj`, results decode through
//! `__private::decode::Obj`, and the leniency of both lives in `bitrix-api`.

use bitrix_spec::{
    AuthContext, Rule, RuleKind, Schema, Seg, Spec, TypeName, pascal_case, snake_case,
};
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
        Some((&spec.method, spec.deprecated.as_ref())),
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
    let mut rules = rules(&spec.params, &spec.rules);
    if let Some(switch) = &spec.original_uf_names {
        let r = rules.get_or_insert_with(|| serde_json::json!({}));
        r["uf"] = serde_json::json!(switch);
    }
    let rules = rules
        .map(|r| r.to_string())
        .map(|r| quote!(const RULES: &'static str = #r;));
    let also = (!spec.also_scopes.is_empty()).then(|| {
        let s = &spec.also_scopes;
        quote!(const ALSO_SCOPES: &'static [&'static str] = &[#(#s),*];)
    });
    let alternative = (!spec.alternative_scopes.is_empty()).then(|| {
        let s = &spec.alternative_scopes;
        quote!(const ALTERNATIVE_SCOPES: &'static [&'static str] = &[#(#s),*];)
    });
    let in_result = spec.errors.iter().any(|e| e.in_result).then(|| {
        quote!(
            const ERRORS_IN_RESULT: bool = true;
        )
    });
    let batchable = spec
        .batch
        // Not listed as an alternative when another method is refused: with the whole API the
        // list would be a thousand names long and change with every spec added.
        .then(|| quote!(#[diagnostic::do_not_recommend] impl ::bitrix_api::Batchable for #ty_ident {}));
    let paged = spec.pagination.as_ref().map(|p| paged(spec, &ty, p));
    let items = std::mem::take(&mut cx.items);
    // The impls of a deprecated request type use it; only its users are warned.
    let allow = spec
        .deprecated
        .as_ref()
        .map(|_| quote!(#[allow(deprecated)]));
    let tokens = quote! {
        #allow
        #batchable
        #allow
        #paged
        #request
        #(#items)*
        #error
        #allow
        impl ::bitrix_api::Method for #ty_ident {
            const NAME: &'static str = #name;
            const SCOPE: &'static str = #scope;
            #also
            #alternative
            const BATCH: bool = #batch;
            const IDEMPOTENT: bool = #idempotent;
            const CONTEXTS: &'static [::bitrix_api::AuthContext] = &[#(#contexts),*];
            type Output = #output;
            type Error = #error_ident;
            #rules
            #in_result
            #[inline]
            fn params(&self) -> &::bitrix_api::__private::Params { &self.0 }
            #[inline]
            fn params_mut(&mut self) -> &mut ::bitrix_api::__private::Params { &mut self.0 }
        }
        #allow
        impl ::bitrix_api::__private::serde::Serialize for #ty_ident {
            #[inline]
            fn serialize<S: ::bitrix_api::__private::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                ::bitrix_api::__private::serde::Serialize::serialize(&self.0, s)
            }
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
    let quoted = |l: &[String]| l.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>();
    let mut scope = format!("`{}`", spec.scope);
    if !spec.alternative_scopes.is_empty() {
        scope = format!(
            "{scope} (or {})",
            quoted(&spec.alternative_scopes).join(" or ")
        );
    }
    if !spec.also_scopes.is_empty() {
        scope = format!(
            "{scope}, and also {}",
            quoted(&spec.also_scopes).join(" and ")
        );
    }
    doc.push_str(&format!(
        "\n\n* Scope: {}\n* Who may call it: {}\n* Auth: {}\n* Batch: {}; idempotent: {}\n\n[Documentation]({})",
        scope,
        spec.access,
        contexts.join(", "),
        if spec.batch { "allowed" } else { "not allowed" },
        if spec.idempotent { "yes" } else { "no" },
        spec.docs
    ));
    if !spec.rules.is_empty() {
        doc.push_str("\n\n# Rules\n");
        for r in &spec.rules {
            let what = Rule {
                description: None,
                ..r.clone()
            }
            .describe();
            match &r.description {
                Some(d) => doc.push_str(&format!("\n* {what}: {d}")),
                None => doc.push_str(&format!("\n* {what}")),
            }
        }
    }
    doc
}

/// `": <description>"`, or nothing for a schema without one.
fn described(s: &Schema) -> String {
    s.description
        .as_deref()
        .map(|d| format!(": {}", d.trim()))
        .unwrap_or_default()
}

fn member_doc(key: &str, s: &Schema) -> String {
    let mut doc = format!("`{key}`");
    if let Some(d) = &s.description {
        doc.push_str(": ");
        doc.push_str(d.trim());
    }
    match (&s.pattern, s.ty) {
        (Some(p), TypeName::Map) => doc.push_str(&format!(" Keys match `{p}`.")),
        (Some(p), _) => doc.push_str(&format!(" Pattern: `{p}`.")),
        (None, _) => {}
    }
    if let (TypeName::Map, Some(n)) = (s.ty, s.max_items) {
        doc.push_str(&format!(" At most {n} entries."));
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
    if let (TypeName::Integer | TypeName::Id, Some(v)) = (s.ty, &s.values) {
        let listed: Vec<String> = v.iter().map(|x| format!("`{x}`")).collect();
        doc.push_str(&format!(" Values: {}.", listed.join(", ")));
    }
    if let (TypeName::Filter | TypeName::Order, Some(f)) = (s.ty, &s.fields) {
        let names: Vec<String> = f.keys().map(|k| format!("`{k}`")).collect();
        doc.push_str(&format!(" Fields: {}.", names.join(", ")));
    }
    if s.json_string {
        doc.push_str(" The portal also takes and sends it as a JSON text.");
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
        TypeName::Filter if side == Side::Request => quote!(::bitrix_api::Filter),
        TypeName::File if side == Side::Request => quote!(::bitrix_api::FileData),
        TypeName::Order if side == Side::Request => quote!(::bitrix_api::Order),
        // Refused by the checks outside parameters.
        TypeName::Any | TypeName::Filter | TypeName::Order | TypeName::File => {
            quote!(::bitrix_api::__private::serde_json::Value)
        }
        TypeName::OneOf => {
            let name = nested_name(owner, key, s);
            cx.define(&name, path);
            let item = union_type(cx, &name, key, s, side, path);
            cx.items.push(item);
            let id = ident(&name);
            quote!(#id)
        }
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
            let mut doc = format!("`{key}`{}", described(s));
            for (prefix, m) in s.dynamic.iter().flatten() {
                doc.push_str(&format!(
                    "\n\nMembers named `{prefix}…` (`{}`) are kept in `extra` (set on a request with `Fields::field`).{}",
                    m.ty.as_str(),
                    m.description.as_deref().map(|d| format!(" {}", d.trim())).unwrap_or_default()
                ));
            }
            let fields = s.fields.clone().unwrap_or_default();
            let fields_path = child(path, "fields");
            let item = match side {
                Side::Request => {
                    let mut ts = request_struct(cx, &name, &doc, None, &fields, &fields_path);
                    let id = ident(&name);
                    ts.extend(quote! {
                        impl ::bitrix_api::__private::ToParam for #id {
                            #[inline]
                            fn to_param(self) -> ::bitrix_api::__private::Param { ::bitrix_api::__private::Param::Obj(self.0) }
                        }
                    });
                    ts
                }
                Side::Response | Side::Shared => {
                    let families = dynamic_checks(cx, &name, s, path);
                    response_struct(cx, &name, &doc, &fields, &fields_path, side, families)
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

/// A `one_of`: an enum with a variant per shape, sent as the variant's value and read as the
/// first variant the value fits.
fn union_type(
    cx: &mut Ctx,
    name: &str,
    key: &str,
    s: &Schema,
    side: Side,
    path: &[Seg],
) -> TokenStream {
    let id = ident(name);
    let doc = format!("`{key}`, one of several shapes{}", described(s));
    let at = child(path, "variants");
    let mut vars = Vec::new();
    let mut tys = Vec::new();
    let mut docs = Vec::new();
    let mut sends = Vec::new();
    for (vname, vs) in s.variants.iter().flatten() {
        let ty = rust_type(cx, name, vname, vs, side, &child(&at, vname));
        let var = ident(&pascal_case(vname));
        sends.push(if vs.ty == TypeName::Yn {
            quote!(Self::#var(v) => ::bitrix_api::__private::Param::Str(if v { "Y" } else { "N" }))
        } else {
            quote!(Self::#var(v) => ::bitrix_api::__private::ToParam::to_param(v))
        });
        docs.push(format!(
            "`{vname}`: `{}`{}",
            vs.ty.as_str(),
            vs.description
                .as_deref()
                .map(|d| format!(", {}", d.trim()))
                .unwrap_or_default()
        ));
        vars.push(var);
        tys.push(ty);
    }
    let names: Vec<String> = s
        .variants
        .iter()
        .flatten()
        .map(|(n, _)| n.clone())
        .collect();
    let decode = quote! {
        impl ::bitrix_api::__private::Decode for #id {
            fn decode(v: ::bitrix_api::__private::serde_json::Value, at: ::bitrix_api::__private::Path<'_>) -> ::core::result::Result<Self, ::bitrix_api::__private::Mismatch> {
                ::bitrix_api::__private::first_fit(v, at, &[#((#names, |v, at| ::bitrix_api::__private::Decode::decode(v, at).map(Self::#vars))),*])
            }
        }
    };
    let send = quote! {
        impl ::bitrix_api::__private::ToParam for #id {
            #[inline]
            fn to_param(self) -> ::bitrix_api::__private::Param {
                match self { #(#sends,)* }
            }
        }
    };
    let (derives, impls) = match side {
        Side::Request => (quote!(#[derive(Debug, Clone)]), send),
        Side::Response => (quote!(#[derive(Debug, Clone)]), decode),
        Side::Shared => (
            quote!(#[derive(Debug, Clone, PartialEq)]),
            quote! {
                #decode
                impl ::bitrix_api::__private::serde::Serialize for #id {
                    fn serialize<S: ::bitrix_api::__private::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                        match self { #(Self::#vars(v) => ::bitrix_api::__private::serde::Serialize::serialize(v, s),)* }
                    }
                }
                impl ::bitrix_api::__private::ToParam for #id {
                    #[inline]
                    fn to_param(self) -> ::bitrix_api::__private::Param { ::bitrix_api::__private::Param::ser(&self) }
                }
            },
        ),
    };
    quote! {
        #[doc = #doc]
        #derives
        pub enum #id { #(#[doc = #docs] #vars(#tys),)* }
        #impls
    }
}

fn enum_type(name: &str, key: &str, s: &Schema, side: Side) -> TokenStream {
    let id = ident(name);
    let values = s.values.clone().unwrap_or_default();
    let vars: Vec<Ident> = values.iter().map(|v| ident(&pascal_case(v))).collect();
    let docs = values.iter().map(|v| format!("`{v}`"));
    let doc = format!("Values of `{key}`{}", described(s));
    match side {
        Side::Request => quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub enum #id { #(#[doc = #docs] #vars),* }
            impl ::bitrix_api::__private::ToParam for #id {
                #[inline]
                fn to_param(self) -> ::bitrix_api::__private::Param {
                    ::bitrix_api::__private::Param::Str([#(#values),*][self as usize])
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
                impl ::bitrix_api::__private::ToParam for #id {
                    #[inline]
                    fn to_param(self) -> ::bitrix_api::__private::Param { ::bitrix_api::__private::Param::ser(&self) }
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
                #[inline]
                fn decode(v: ::bitrix_api::__private::serde_json::Value, at: ::bitrix_api::__private::Path<'_>) -> ::core::result::Result<Self, ::bitrix_api::__private::Mismatch> {
                    ::bitrix_api::__private::one_of(v, at, &[#((#values, Self::#vars)),*], Self::Unknown)
                }
            }
            }
        }
    }
}

/// A request (or nested request object): a newtype over the runtime's `Params`, `new` with the
/// required members and a setter per optional member, each one `set` call.
fn request_struct(
    cx: &mut Ctx,
    name: &str,
    doc: &str,
    method: Option<(&str, Option<&bitrix_spec::Deprecated>)>,
    members: &IndexMap<String, Schema>,
    path: &[Seg],
) -> TokenStream {
    let id = ident(name);
    let mut args = Vec::new();
    let mut sets = Vec::new();
    let mut setters = Vec::new();
    let mut arg_docs = String::from("Creates the request from its required parameters:\n");
    for (key, s) in members {
        let f = field_ident(key, s);
        let ty = rust_type(cx, name, key, s, Side::Request, &child(path, key));
        let mdoc = member_doc(key, s);
        let (arg_ty, into) = arg_type(&ty, s);
        let conv = if into {
            quote!(::core::convert::Into::<#ty>::into(#f))
        } else {
            quote!(#f)
        };
        let set = |target: TokenStream| {
            if s.ty == TypeName::Yn {
                quote!(#target.yn(#key, #conv);)
            } else {
                quote!(#target.set(#key, #conv);)
            }
        };
        if s.required {
            args.push(quote!(#f: #arg_ty));
            sets.push(set(quote!(p)));
            arg_docs.push_str(&format!("\n* {mdoc}"));
        } else {
            let body = set(quote!(self.0));
            setters.push(quote! {
                #[doc = #mdoc]
                #[must_use]
                #[inline]
                pub fn #f(mut self, #f: #arg_ty) -> Self { #body self }
            });
        }
    }
    if args.is_empty() {
        arg_docs = "Creates the request; it has no required parameters.".into();
    }
    // rustdoc refuses an alias equal to the item's name: a method whose REST name is already
    // its type's name has nothing to add.
    let alias = method
        .filter(|(m, _)| *m != name)
        .map(|(m, _)| quote!(#[doc(alias = #m)]));
    let (deprecated, allow) = match method.and_then(|(_, d)| d) {
        Some(d) => {
            let note = d.note();
            (
                quote!(#[deprecated(note = #note)]),
                quote!(#[allow(deprecated)]),
            )
        }
        None => (TokenStream::new(), TokenStream::new()),
    };
    // A method's request gets `Fields` from its `Method` impl.
    let fields = method.is_none().then(|| {
        quote! {
            impl ::bitrix_api::Fields for #id {
                #[inline]
                fn __params(&mut self) -> &mut ::bitrix_api::__private::Params { &mut self.0 }
            }
        }
    });
    let new_body = if sets.is_empty() {
        quote!(Self(::bitrix_api::__private::Params::new()))
    } else {
        quote!(let mut p = ::bitrix_api::__private::Params::new(); #(#sets)* Self(p))
    };
    quote! {
        #[doc = #doc]
        #alias
        #deprecated
        #[derive(Debug, Clone)]
        pub struct #id(::bitrix_api::__private::Params);

        #fields
        #allow
        impl #id {
            #[doc = #arg_docs]
            #[allow(clippy::too_many_arguments)]
            #[inline]
            pub fn new(#(#args),*) -> Self { #new_body }
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

/// The checks of `members` and the rules across them (`cross`), as the JSON the runtime's
/// validator walks; `None` when nothing is checked.
fn rules(members: &IndexMap<String, Schema>, cross: &[Rule]) -> Option<serde_json::Value> {
    use serde_json::{Map, Value, json};
    let mut out = Vec::new();
    for (key, s) in members {
        let mut r = Map::new();
        match s.ty {
            TypeName::String | TypeName::Url | TypeName::LocalizedText => {
                let checked = s.required
                    || s.pattern.is_some()
                    || s.min_length.is_some()
                    || s.max_length.is_some()
                    || s.ty == TypeName::Url;
                if checked {
                    if s.required {
                        r.insert("r".into(), json!(true));
                    }
                    if let Some(p) = &s.pattern {
                        r.insert("pat".into(), json!(p));
                    }
                    if let Some(n) = s.min_length {
                        r.insert("min".into(), json!(n));
                    }
                    if let Some(n) = s.max_length {
                        r.insert("max".into(), json!(n));
                    }
                    if s.ty == TypeName::Url {
                        r.insert("url".into(), json!(true));
                    }
                    if s.secret {
                        r.insert("sec".into(), json!(true));
                    }
                }
                if checked || !s.required_in.is_empty() {
                    let t = if s.ty == TypeName::LocalizedText {
                        "l"
                    } else {
                        "s"
                    };
                    r.insert("t".into(), json!(t));
                }
            }
            TypeName::Array => {
                let min = if s.required {
                    Some(s.min_items.unwrap_or(1).max(1))
                } else {
                    s.min_items
                };
                let nested = s
                    .items
                    .as_deref()
                    .filter(|i| i.ty == TypeName::Object && i.shared.is_none())
                    .and_then(|i| rules(i.fields.as_ref()?, &i.rules));
                // A scalar item's own checks, as a rule without a key.
                let each = s
                    .items
                    .as_deref()
                    .filter(|i| !matches!(i.ty, TypeName::Object | TypeName::Array | TypeName::Map))
                    .and_then(|i| {
                        let mut one = IndexMap::new();
                        one.insert(
                            String::new(),
                            Schema {
                                required: false,
                                ..i.clone()
                            },
                        );
                        let mut r = rules(&one, &[])?;
                        r.get_mut("p")?.as_array_mut()?.pop()
                    });
                if min.is_some() || s.max_items.is_some() || nested.is_some() || each.is_some() {
                    r.insert("t".into(), json!("a"));
                    if let Some(mut each) = each {
                        if let Some(o) = each.as_object_mut() {
                            o.remove("k");
                        }
                        r.insert("it".into(), each);
                    }
                    if let Some(n) = min {
                        r.insert("imin".into(), json!(n));
                    }
                    if let Some(n) = s.max_items {
                        r.insert("imax".into(), json!(n));
                    }
                    if s.required {
                        r.insert("r".into(), json!(true));
                    }
                    if let Some(n) = nested {
                        r.insert("obj".into(), n);
                    }
                }
            }
            TypeName::Map
                if s.min_items.is_some() || s.max_items.is_some() || s.pattern.is_some() =>
            {
                r.insert("t".into(), json!("m"));
                if let Some(n) = s.min_items {
                    r.insert("imin".into(), json!(n));
                }
                if let Some(n) = s.max_items {
                    r.insert("imax".into(), json!(n));
                }
                if let Some(p) = &s.pattern {
                    r.insert("pat".into(), json!(p));
                }
            }
            TypeName::Integer | TypeName::Id | TypeName::Number
                if s.minimum.is_some() || s.maximum.is_some() || s.values.is_some() =>
            {
                r.insert("t".into(), json!("n"));
                if let Some(v) = &s.values {
                    let allowed: Vec<i64> =
                        v.iter().filter_map(|x| x.trim().parse().ok()).collect();
                    r.insert("vals".into(), json!(allowed));
                }
                if let Some(n) = s.minimum {
                    r.insert("lo".into(), json!(n));
                }
                if let Some(n) = s.maximum {
                    r.insert("hi".into(), json!(n));
                }
            }
            TypeName::Filter | TypeName::Order => {
                let keys: Vec<&String> = s.fields.iter().flat_map(|f| f.keys()).collect();
                if s.required || !keys.is_empty() {
                    r.insert("t".into(), json!("f"));
                    if s.required {
                        r.insert("r".into(), json!(true));
                    }
                    if !keys.is_empty() {
                        r.insert("keys".into(), json!(keys));
                    }
                    // The kinds of the typed fields, whose values a filter checks.
                    let kinds: Map<String, Value> = s
                        .fields
                        .iter()
                        .flatten()
                        .filter(|_| s.ty == TypeName::Filter)
                        .filter_map(|(k, f)| {
                            let kind = match bitrix_wire::query::ValueKind::of_type(f.ty.as_str())?
                            {
                                bitrix_wire::query::ValueKind::Integer => "i",
                                bitrix_wire::query::ValueKind::Number => "n",
                                bitrix_wire::query::ValueKind::Flag => "b",
                            };
                            Some((k.clone(), json!(kind)))
                        })
                        .collect();
                    if !kinds.is_empty() {
                        r.insert("kt".into(), Value::Object(kinds));
                    }
                }
            }
            TypeName::Object => {
                // The portal takes an object without members for a missing one; an object with
                // a required member of its own can never be empty.
                let can_be_empty = s
                    .fields
                    .as_ref()
                    .is_none_or(|f| f.values().all(|m| !m.required));
                let nested = s
                    .fields
                    .as_ref()
                    .filter(|_| s.shared.is_none())
                    .and_then(|f| rules(f, &s.rules));
                if (s.required && can_be_empty) || nested.is_some() {
                    r.insert("t".into(), json!("o"));
                    if s.required && can_be_empty {
                        r.insert("empty".into(), json!(true));
                    }
                    if let Some(n) = nested {
                        r.insert("obj".into(), n);
                    }
                }
            }
            _ => {}
        }
        if !s.required_in.is_empty() {
            let c: Vec<&str> = s.required_in.iter().map(|c| c.as_str()).collect();
            r.insert("in".into(), json!(c));
        }
        if !r.is_empty() {
            r.insert("k".into(), json!(key));
            out.push(Value::Object(r));
        }
    }
    let mut one = Vec::new();
    for rule in cross {
        let (kind, named) = match rule.kind() {
            Ok(RuleKind::AtLeastOne(m)) => ("one", m),
            Ok(RuleKind::AtMostOne(m)) => ("most", m),
            Ok(RuleKind::AllOrNone(m)) => ("all", m),
            Ok(RuleKind::Requires { then, .. }) => ("if", then),
            // The checks refuse a rule without a kind before anything is generated.
            Err(_) => continue,
        };
        let mut r = Map::new();
        r.insert("k".into(), json!(kind));
        r.insert("m".into(), json!(named));
        if let Ok(RuleKind::Requires { given, equals, .. }) = rule.kind() {
            r.insert("if".into(), json!(given));
            if let Some(v) = equals {
                r.insert("eq".into(), v.clone());
            }
        }
        one.push(Value::Object(r));
        // Each member needs its kind, so that a localized text counts as given by its texts.
        for p in rule.members() {
            let listed = out.iter().any(|r| r["k"] == json!(p));
            let localized = members
                .get(p)
                .is_some_and(|s| s.ty == TypeName::LocalizedText);
            if !listed && localized {
                out.push(json!({"k": p, "t": "l"}));
            }
        }
    }
    if out.is_empty() && one.is_empty() {
        return None;
    }
    let mut rules = Map::new();
    if !out.is_empty() {
        rules.insert("p".into(), Value::Array(out));
    }
    if !one.is_empty() {
        rules.insert("x".into(), Value::Array(one));
    }
    Some(Value::Object(rules))
}

/// A response object: public fields, each read by one call into the runtime's decoder, and the
/// members the spec does not list kept in `extra`.
///
/// A shared type's object (`side` is [`Side::Shared`]) is also sent: every member is optional
/// (so that `Default` builds an empty one to fill in), `required` ones are checked when read,
/// and it is serialized as it was read, `extra` included.
/// The checks of an object's `dynamic` families, for its decoder: each member of a family must
/// read as the family's schema says (it is kept in `extra` as sent).
fn dynamic_checks(cx: &mut Ctx, owner: &str, s: &Schema, path: &[Seg]) -> Option<TokenStream> {
    // An `any` family reads whatever comes: nothing to check.
    let families: Vec<(&String, &Schema)> = s
        .dynamic
        .iter()
        .flatten()
        .filter(|(_, m)| m.ty != TypeName::Any)
        .collect();
    if families.is_empty() {
        return None;
    }
    let checks = families.into_iter().map(|(prefix, m)| {
        let ty = rust_type(cx, owner, prefix, m, Side::Response, &child(&child(path, "dynamic"), prefix));
        // Never required: `null` reads as nothing, as for any optional member.
        quote!((#prefix, |v, at| <::core::option::Option<#ty> as ::bitrix_api::__private::Decode>::decode(v, at).map(drop)))
    });
    let checks: Vec<TokenStream> = checks.collect();
    Some(quote!(&[#(#checks),*]))
}

fn response_struct(
    cx: &mut Ctx,
    name: &str,
    doc: &str,
    members: &IndexMap<String, Schema>,
    path: &[Seg],
    side: Side,
    families: Option<TokenStream>,
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
        let o = if s.json_string {
            quote!(o.unjson(#key))
        } else {
            quote!(o)
        };
        takes.push(if shared && s.required {
            quote!(#f: #o.need(#key)?)
        } else {
            quote!(#f: #o.take(#key)?)
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
    let rest = match families {
        Some(checks) => quote!(o.rest_checked(#checks)?),
        None => quote!(o.rest()),
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
            impl ::bitrix_api::__private::ToParam for #id {
                #[inline]
                fn to_param(self) -> ::bitrix_api::__private::Param { ::bitrix_api::__private::Param::ser(&self) }
            }
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
            #[inline]
            fn decode(v: ::bitrix_api::__private::serde_json::Value, at: ::bitrix_api::__private::Path<'_>) -> ::core::result::Result<Self, ::bitrix_api::__private::Mismatch> {
                let mut o = ::bitrix_api::__private::DecodeObj::new(v, at)?;
                ::core::result::Result::Ok(Self { #(#takes,)* #extra: #rest })
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

/// The tokens of an event's `data` type (`specs/<scope>/events/<name>.yaml`): decoded only, as
/// a handler reads it, and named for binding by `EventData::EVENT`.
pub(crate) fn event(ev: &bitrix_spec::EventSpec) -> (TokenStream, Vec<Defined>) {
    let mut cx = Ctx {
        items: Vec::new(),
        defined: Vec::new(),
    };
    let name = ev.type_name();
    let code = ev.code();
    let mut s = ev.data.clone();
    s.name = Some(name.clone());
    s.shared = None;
    let mut doc = format!(
        "The `data` of the event `{code}`: {}.",
        ev.summary.trim_end_matches('.')
    );
    if let Some(access) = &ev.access {
        doc.push_str(&format!(" Who may subscribe: {access}."));
    }
    if let Some(note) = &ev.deprecated {
        doc.push_str(&format!(" Deprecated: {note}."));
    }
    doc.push_str(&format!(" [Reference]({}).", ev.docs));
    s.description = Some(doc);
    let _ = rust_type(
        &mut cx,
        &name,
        &ev.name,
        &s,
        Side::Response,
        &[Seg::Key("data".into())],
    );
    let id = ident(&name);
    let own = cx.items.pop().unwrap_or_default();
    let items = cx.items;
    let tokens = quote! {
        #(#items)*
        #[doc(alias = #code)]
        #own
        impl ::bitrix_api::events::EventData for #id {
            const EVENT: &'static str = #code;
        }
    };
    (tokens, cx.defined)
}

/// The `Output` type.
fn output(cx: &mut Ctx, spec: &Spec, ty: &str) -> TokenStream {
    let mut result = spec.result.clone();
    if result.ty == TypeName::Object && result.name.is_none() {
        result.name = Some(format!("{ty}Result"));
    }
    let t = rust_type(
        cx,
        ty,
        "result",
        &result,
        Side::Response,
        &[Seg::Key("result".into())],
    );
    // A result that may be null (as the example check accepts it) decodes into an `Option`;
    // a paged list keeps its items type, which the paging code walks.
    if (result.nullable || !result.required) && spec.pagination.is_none() {
        quote!(::core::option::Option<#t>)
    } else {
        t
    }
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
    let position = p.position_path();
    let (style, has_next, offset_consts) = match p.style {
        bitrix_spec::PageStyle::Classic => (
            quote!(Classic),
            quote!(::core::option::Option::None),
            TokenStream::new(),
        ),
        bitrix_spec::PageStyle::Offset => {
            let flag = spec
                .result
                .fields
                .as_ref()
                .and_then(|f| f.get("hasNextPage"));
            let has_next = match flag {
                Some(s) if s.required => quote!(::core::option::Option::Some(output.has_next_page)),
                Some(_) => quote!(output.has_next_page),
                None => quote!(::core::option::Option::None),
            };
            let limit = p.limit_path();
            let steps: Vec<&str> = limit.split('.').collect();
            let mut consts = TokenStream::new();
            if limit != "limit" {
                consts.extend(quote!(const LIMIT: &'static str = #limit;));
            }
            if flag.is_none() {
                // At most the page size the spec allows.
                let max = spec
                    .params
                    .get(steps[0])
                    .and_then(|s| {
                        steps[1..]
                            .iter()
                            .try_fold(s, |s, k| s.fields.as_ref()?.get(*k))
                    })
                    .and_then(|s| s.maximum)
                    .map_or(50, |m| (m as i64).clamp(1, 50));
                consts.extend(quote! {
                    const HAS_NEXT: bool = false;
                    const DEFAULT_LIMIT: i64 = #max;
                });
            }
            (quote!(Offset), has_next, consts)
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
        let (filter, order) = (&p.filter, &p.order);
        quote! {
            const FAST: bool = true;
            const FAST_KEYS: (&'static str, &'static str, &'static str) = (#filter, #order, #id);
            #[inline]
            fn item_id(item: &Self::Item) -> ::core::option::Option<i64> { #item_id }
        }
    });
    quote! {
        impl ::bitrix_api::Paged for #ty_ident {
            type Item = #item_ty;
            const STYLE: ::bitrix_api::PageStyle = ::bitrix_api::PageStyle::#style;
            const POSITION: &'static str = #position;
            #offset_consts
            #[inline]
            fn split(output: Self::Output) -> (::std::vec::Vec<Self::Item>, ::core::option::Option<bool>) {
                let has_next = #has_next;
                (#access, has_next)
            }
            #fast
        }
    }
}

fn error_enum(spec: &Spec, ty: &str) -> TokenStream {
    let id = format_ident!("{}Error", ty);
    let mut variants: Vec<(String, String, String)> = Vec::new();
    for e in &spec.errors {
        let var = bitrix_spec::error_variant(&e.code);
        let line = format!(
            "* HTTP {}{}: \"{}\"{}",
            e.status,
            if e.in_result { ", inside `result`" } else { "" },
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
            None => {
                let shown = if e.code.is_empty() {
                    "`\"\"` (an empty code)".to_owned()
                } else {
                    format!("`{}`", e.code)
                };
                variants.push((var, e.code.clone(), format!("{shown}\n\n{line}")))
            }
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
