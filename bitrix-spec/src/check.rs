//! Semantic checks of a parsed spec: everything serde cannot see, all reported at once.

use std::collections::HashSet;

use indexmap::IndexMap;

use crate::model::{AuthContext, Schema, Spec, Trigger, TypeName, snake_case};
use crate::parse::{Damage, Diagnostic, Seg, Source};
use crate::validate::{Mode, conforms};

/// Checks a parsed spec; returns every problem found (empty when the spec is sound).
///
/// `file` and `text` are the spec's path and source, used to place each diagnostic at its key.
pub fn check(file: &str, text: &str, spec: &Spec) -> Vec<Diagnostic> {
    check_with(&Source { file, text }, spec, &Damage::default())
}

/// [`check`] of a spec whose reading reported the keys of `damage` (and left them out or
/// replaced them): what depends on those keys is not checked, as it would only repeat them.
pub(crate) fn check_with(src: &Source<'_>, spec: &Spec, damage: &Damage) -> Vec<Diagnostic> {
    let file = src.file;
    let mut out = Vec::new();
    // Whether the names of the parameters are all known (the section read as a mapping).
    let params_known = !damage.at(&[Seg::Key("params".into())]);
    let key = |k: &str| vec![Seg::Key(k.to_owned())];

    if !is_method_name(&spec.method) {
        out.push(src.at(&key("method"), format!(
            "`{}` is not a REST method name: expected dot-separated words of letters, digits and _",
            spec.method
        )));
    }
    if let Some(stem) = std::path::Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
    {
        if file.ends_with(".yaml") && stem != spec.method {
            out.push(src.at(&key("method"), format!(
                "the file is named `{stem}.yaml` but describes `{}`: name the file after the method",
                spec.method
            )));
        }
    }
    let mut named = vec![spec.scope.as_str()];
    for (list, key_name) in [
        (&spec.also_scopes, "also_scopes"),
        (&spec.alternative_scopes, "alternative_scopes"),
    ] {
        for (i, s) in list.iter().enumerate() {
            let at = vec![Seg::Key(key_name.into()), Seg::Index(i)];
            if !is_ident_word(s) {
                out.push(src.at(
                    &at,
                    format!("`{s}` is not a scope name: expected lowercase letters, digits and _"),
                ));
            } else if named.contains(&s.as_str()) {
                out.push(src.at(
                    &at,
                    format!("the scope `{s}` is named twice (`scope`, `also_scopes` and `alternative_scopes` name each scope once)"),
                ));
            } else {
                named.push(s);
            }
        }
    }
    if !is_ident_word(&spec.scope) {
        out.push(src.at(
            &key("scope"),
            format!(
                "`{}` is not a scope name: expected lowercase letters, digits and _",
                spec.scope
            ),
        ));
    }
    if spec.contexts.is_empty() {
        out.push(src.at(
            &key("contexts"),
            "list at least one auth context: application, webhook",
        ));
    }
    if let Some(name) = &spec.rust_name {
        if !is_type_name(name) {
            out.push(src.at(
                &key("rust_name"),
                format!("`{name}` is not a Rust type name (CamelCase)"),
            ));
        }
    }

    check_members(
        src,
        &spec.params,
        &key("params"),
        &spec.contexts,
        true,
        &mut out,
    );
    check_schema(
        src,
        &spec.result,
        &key("result"),
        &spec.contexts,
        false,
        &mut out,
    );
    not_json(src, &spec.result, &key("result"), &mut out);

    check_rules(
        src,
        &spec.rules,
        params_known.then_some(&spec.params),
        &key("rules"),
        "parameter",
        &mut out,
    );

    for (i, e) in spec.errors.iter().enumerate() {
        let at = |k: &str| vec![Seg::Key("errors".into()), Seg::Index(i), Seg::Key(k.into())];
        // Some pages document only an empty code (`code: ""`), which the portal does send.
        if !e
            .code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            out.push(src.at(
                &at("code"),
                format!(
                    "`{}` is not an error code: letters, digits and _ only",
                    e.code
                ),
            ));
        }
        if e.in_result && e.status != 200 {
            out.push(src.at(
                &at("status"),
                format!(
                    "an error inside `result` comes with HTTP status 200, not {}",
                    e.status
                ),
            ));
        } else if e.status != 200 && !(400..=599).contains(&e.status) {
            out.push(src.at(
                &at("status"),
                format!(
                    "HTTP status {} is not an error status (400..=599, or 200 for an error the portal answers with a success status)",
                    e.status
                ),
            ));
        }
        if e.in_result && spec.result.ty != TypeName::Object && spec.result.ty != TypeName::Any {
            out.push(src.at(
                &at("in_result"),
                "an error inside `result` needs a `result` of type `object` (or `any`) to carry `error` and `error_description`",
            ));
        }
        match &e.when {
            Some(Trigger::Invalid(p) | Trigger::NotFound(p))
                if params_known && spec.params.contains_key(path_head(p)) =>
            {
                if let Err(why) = resolve_path(spec, p) {
                    out.push(src.at(&at("when"), why));
                }
            }
            Some(Trigger::Missing(p) | Trigger::Invalid(p) | Trigger::NotFound(p))
                if params_known && !spec.params.contains_key(p) =>
            {
                let hint = if matches!(e.when, Some(Trigger::Missing(_)))
                    && spec.params.contains_key(path_head(p))
                {
                    " (`missing:` takes a parameter; a required member left out is `invalid: PATH`)"
                } else {
                    ""
                };
                out.push(src.at(
                    &at("when"),
                    format!(
                        "`{p}` is not a parameter{hint}; parameters: {}",
                        names(&spec.params)
                    ),
                ));
            }
            Some(Trigger::Rule(r)) if *r >= spec.rules.len() => {
                out.push(src.at(
                    &at("when"),
                    format!(
                        "there is no rule {r}: the spec has {} rule(s), counted from 0",
                        spec.rules.len()
                    ),
                ));
            }
            _ => {}
        }
    }

    if let Some(p) = &spec.pagination {
        check_pagination(src, spec, p, damage, &mut out);
    }
    if let Some(r) = spec
        .deprecated
        .as_ref()
        .and_then(|d| d.replacement.as_ref())
    {
        if !is_method_name(r) || *r == spec.method {
            out.push(src.at(
                &[
                    Seg::Key("deprecated".into()),
                    Seg::Key("replacement".into()),
                ],
                format!("`{r}` is not another method's REST name (such as `crm.item.list`)"),
            ));
        }
    }

    if let Some(switch) = &spec.original_uf_names {
        let fits = spec
            .params
            .get(switch)
            .is_some_and(|s| matches!(s.ty, TypeName::Yn | TypeName::Boolean) && !s.required);
        if !fits && !damage.under(&key("params")) {
            out.push(src.at(
                &key("original_uf_names"),
                format!("`{switch}` must be an optional `yn` or `boolean` parameter: the switch the method reads (`useOriginalUfNames`)"),
            ));
        }
    }

    for (i, ex) in spec.examples.iter().enumerate() {
        let path = vec![
            Seg::Key("examples".into()),
            Seg::Index(i),
            Seg::Key("response".into()),
        ];
        let obj = ex.response.as_object();
        if let Some(result) = obj.and_then(|o| o.get("result")) {
            // A `result` that did not read whole cannot judge the example.
            if !damage.under(&key("result")) {
                if let Err(e) = conforms(&spec.result, result, Mode::Response) {
                    out.push(src.at(&path, format!("the example does not match `result`: {e}")));
                }
            }
        } else if let Some(code) = obj.and_then(|o| o.get("error")).and_then(|c| c.as_str()) {
            let documented_200 = ex.status == 200
                && spec
                    .error_by_code(code)
                    .is_some_and(|e| e.status == 200 && !e.in_result);
            if !(400..=599).contains(&ex.status) && !documented_200 {
                out.push(src.at(
                    &path,
                    format!(
                        "an error example needs an error `status`, not {} (200 only for a code `errors` lists with status 200)",
                        ex.status
                    ),
                ));
            }
            if spec.error_by_code(code).is_none()
                && !crate::is_system_code(code)
                && !damage.under(&key("errors"))
            {
                out.push(src.at(&path, format!("the example answers `{code}`, which is neither in `errors` nor a system error")));
            }
        } else {
            out.push(src.at(&path, "an example is a whole envelope: `{result: ...}` or `{error: ..., error_description: ...}`"));
        }
    }
    out
}

fn check_pagination(
    src: &Source<'_>,
    spec: &Spec,
    p: &crate::Pagination,
    damage: &Damage,
    out: &mut Vec<Diagnostic>,
) {
    let param = |name: &str| vec![Seg::Key("params".into()), Seg::Key(name.into())];
    // The shapes of parameters and members that were reported already are not judged again.
    let result_read = !damage.under(&[Seg::Key("result".into())]);
    let at = |k: &str| vec![Seg::Key("pagination".into()), Seg::Key(k.into())];
    // The position (and an offset list's page size): an optional `integer` parameter, or a
    // member of an object parameter (`params.offset`).
    let mut needs = vec![("start", p.position_path())];
    if p.style == crate::PageStyle::Offset {
        needs = vec![("offset", p.position_path()), ("limit", p.limit_path())];
    }
    let misplaced = match p.style {
        crate::PageStyle::Classic => {
            vec![("offset", p.offset.is_some()), ("limit", p.limit.is_some())]
        }
        crate::PageStyle::Offset => vec![("start", p.start.is_some())],
    };
    for (key, given) in misplaced {
        if given {
            out.push(src.at(
                &at(key),
                format!("`{key}` belongs to the other pagination style"),
            ));
        }
    }
    for (key, path) in needs {
        let steps: Vec<&str> = path.split('.').collect();
        if !damage.under(&param(steps[0]))
            && param_at(&spec.params, &steps)
                .is_none_or(|s| s.ty != TypeName::Integer || s.required)
        {
            let (at_key, what) = if path == key {
                (
                    "style",
                    format!(
                        "this style pages with an optional `integer` parameter `{key}`; declare it in `params`"
                    ),
                )
            } else {
                (
                    key,
                    format!(
                        "`{path}` must name an optional `integer` parameter, or a member of an object parameter (`params.{key}`)"
                    ),
                )
            };
            out.push(src.at(&at(at_key), what));
        }
    }
    // The list: `result` itself, or its `items` member; it must be an array of objects.
    let list = match &p.items {
        None => Some(&spec.result),
        Some(name) => spec.result.fields.as_ref().and_then(|f| f.get(name)),
    };
    let item = match list {
        Some(l) if l.ty == TypeName::Array => l.items.as_deref(),
        _ if !result_read => None,
        _ => {
            let what = p
                .items
                .as_deref()
                .map_or("`result`".to_owned(), |n| format!("`result.{n}`"));
            out.push(src.at(
                &at("items"),
                format!("{what} must be an `array` holding the page's items"),
            ));
            None
        }
    };
    // Without `hasNextPage`, a page shorter than the page size is the last one.
    if p.style == crate::PageStyle::Offset {
        let has_next = spec
            .result
            .fields
            .as_ref()
            .and_then(|f| f.get("hasNextPage"));
        if result_read && has_next.is_some_and(|s| s.ty != TypeName::Boolean) {
            out.push(src.at(
                &at("style"),
                "`result.hasNextPage` tells an offset list whether more pages follow: make it a `boolean`",
            ));
        }
    }
    if let Some(id) = &p.id {
        let field = item.and_then(|i| i.fields.as_ref()).and_then(|f| f.get(id));
        if result_read && field.is_none_or(|f| !matches!(f.ty, TypeName::Integer | TypeName::Id)) {
            out.push(src.at(
                &at("id"),
                format!("`{id}` must be an `integer` or `id` member of the items"),
            ));
        }
        if p.style != crate::PageStyle::Classic {
            out.push(src.at(&at("id"), "the fast mode exists for `classic` lists only"));
        }
        for (name, ty) in [(&p.filter, TypeName::Filter), (&p.order, TypeName::Order)] {
            let steps: Vec<&str> = name.split('.').collect();
            if !damage.under(&param(steps[0]))
                && param_at(&spec.params, &steps)
                    .is_none_or(|s| !matches!(s.ty, TypeName::Any) && s.ty != ty || s.required)
            {
                out.push(src.at(&at("id"), format!("the fast mode sets the optional parameter `{name}`, of type `{}` (or `any`); declare it", ty.as_str())));
            }
        }
    }
}

/// The parameter, or the member of object parameters, that `steps` names.
fn param_at<'a>(params: &'a IndexMap<String, Schema>, steps: &[&str]) -> Option<&'a Schema> {
    let (first, rest) = steps.split_first()?;
    let mut s = params.get(*first)?;
    for step in rest {
        s = s.fields.as_ref()?.get(*step)?;
    }
    Some(s)
}

fn names(m: &IndexMap<String, Schema>) -> String {
    m.keys()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn check_members(
    src: &Source<'_>,
    members: &IndexMap<String, Schema>,
    path: &[Seg],
    contexts: &[AuthContext],
    request: bool,
    out: &mut Vec<Diagnostic>,
) {
    let mut rust_names = HashSet::new();
    for (name, schema) in members {
        let mut p = path.to_vec();
        p.push(Seg::Key(name.clone()));
        // A CamelCase `name` names the member's type; the field then keeps the key's name.
        let rust = match &schema.name {
            Some(n) if !n.starts_with(|c: char| c.is_ascii_uppercase()) => n.clone(),
            _ => snake_case(name),
        };
        if rust.is_empty() || !rust.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.push(src.at(
                &p,
                format!("`{name}` gives no Rust field name; set `name:` to one"),
            ));
        } else if !rust_names.insert(rust.clone()) {
            out.push(src.at(&p, format!("`{name}` and another member both become the Rust field `{rust}`; set `name:` on one")));
        }
        check_schema(src, schema, &p, contexts, request, out);
    }
}

/// `json_string` is read where a value is a parameter or a member of an object: the decoder of
/// `result`, of items and of variants takes the value as it comes.
fn not_json(src: &Source<'_>, s: &Schema, path: &[Seg], out: &mut Vec<Diagnostic>) {
    if s.json_string {
        let mut p = path.to_vec();
        p.push(Seg::Key("json_string".into()));
        out.push(src.at(&p, "`json_string` applies to parameters and object members; put it on the member that holds this value"));
    }
}

pub(crate) fn check_schema(
    src: &Source<'_>,
    s: &Schema,
    path: &[Seg],
    contexts: &[AuthContext],
    request: bool,
    out: &mut Vec<Diagnostic>,
) {
    let at = |k: &str| {
        let mut p = path.to_vec();
        p.push(Seg::Key(k.to_owned()));
        p
    };
    let ty = s.ty;
    let only = |present: bool, k: &str, types: &str, out: &mut Vec<Diagnostic>| {
        if present {
            out.push(src.at(
                &at(k),
                format!("`{k}` applies to {types}, not to `{}`", ty.as_str()),
            ));
        }
    };
    match ty {
        TypeName::Enum => match &s.values {
            None => out.push(src.at(
                path,
                "an `enum` needs `values`: the list of allowed strings",
            )),
            Some(v) if v.is_empty() => {
                out.push(src.at(&at("values"), "an `enum` needs at least one value"))
            }
            Some(v) => {
                let mut seen = HashSet::new();
                for value in v {
                    if value.is_empty() || crate::model::pascal_case(value).is_empty() {
                        out.push(src.at(
                            &at("values"),
                            format!("`{value}` cannot name a Rust variant"),
                        ));
                    } else if !seen.insert(crate::model::pascal_case(value)) {
                        out.push(src.at(&at("values"), format!("`{value}` repeats another value")));
                    }
                }
            }
        },
        TypeName::Integer | TypeName::Id if s.values.is_some() => {
            let values = s.values.as_deref().unwrap_or_default();
            if values.is_empty() {
                out.push(src.at(&at("values"), "`values` needs at least one value"));
            }
            let mut seen = HashSet::new();
            for value in values {
                match value.trim().parse::<i64>() {
                    Err(_) => out.push(src.at(
                        &at("values"),
                        format!(
                            "`{value}` is not an integer: the `values` of an `{}` are its allowed numbers (use `enum` for strings)",
                            ty.as_str()
                        ),
                    )),
                    Ok(n) if !seen.insert(n) => {
                        out.push(src.at(&at("values"), format!("`{value}` repeats another value")))
                    }
                    Ok(_) => {}
                }
            }
        }
        _ => only(
            s.values.is_some(),
            "values",
            "`enum`, `integer` and `id`",
            out,
        ),
    }
    match ty {
        TypeName::Object => match &s.fields {
            None => out.push(src.at(
                path,
                "an `object` needs `fields` (use `any` for free-form JSON)",
            )),
            Some(f) => {
                check_members(src, f, &at("fields"), contexts, request, out);
                if !request {
                    only(!s.rules.is_empty(), "rules", "request objects", out);
                }
                check_rules(src, &s.rules, Some(f), &at("rules"), "field", out);
            }
        },
        TypeName::Filter | TypeName::Order => {
            if !request {
                out.push(src.at(
                    &at("type"),
                    format!(
                        "`{}` is for parameters; in a result, use `map` or `any`",
                        ty.as_str()
                    ),
                ));
            }
            if let Some(f) = &s.fields {
                check_members(src, f, &at("fields"), contexts, request, out);
            }
            only(!s.rules.is_empty(), "rules", "`object`", out);
        }
        _ => {
            only(
                s.fields.is_some(),
                "fields",
                "`object`, `filter` and `order`",
                out,
            );
            only(!s.rules.is_empty(), "rules", "`object`", out);
        }
    }
    match (ty, &s.dynamic) {
        (TypeName::Object, Some(families)) => {
            for (prefix, member) in families {
                let p = {
                    let mut p = at("dynamic");
                    p.push(Seg::Key(prefix.clone()));
                    p
                };
                if prefix.is_empty()
                    || !prefix
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    out.push(src.at(&p, format!("`{prefix}` is not a name prefix: write the common start of the names (`ufCrm`, `UF_CRM_`, `parentId`)")));
                }
                let fits = member.ty.is_plain()
                    || member.ty == TypeName::Array
                        && member.items.as_deref().is_none_or(|i| i.ty.is_plain());
                if !fits {
                    out.push(src.at(&p, format!("a family of members takes a scalar, `any`, or an array of them, not `{}`", member.ty.as_str())));
                }
                if member.required {
                    out.push(src.at(
                        &p,
                        "a family of members cannot be `required`: no name of it is known",
                    ));
                }
                check_schema(src, member, &p, contexts, request, out);
            }
        }
        (_, d) => only(d.is_some(), "dynamic", "`object`", out),
    }
    match (ty, &s.variants) {
        (TypeName::OneOf, None) => out.push(src.at(
            path,
            "a `one_of` needs `variants`: a name and a schema for each shape the value takes",
        )),
        (TypeName::OneOf, Some(v)) => {
            if v.len() < 2 {
                out.push(src.at(&at("variants"), "a `one_of` needs at least two variants"));
            }
            let mut seen = HashSet::new();
            for (name, variant) in v {
                let mut p = at("variants");
                p.push(Seg::Key(name.clone()));
                let rust = crate::model::pascal_case(name);
                if rust.is_empty() || rust.starts_with(|c: char| c.is_ascii_digit()) {
                    out.push(src.at(&p, format!("`{name}` gives no Rust variant name")));
                } else if !seen.insert(rust.clone()) {
                    out.push(src.at(
                        &p,
                        format!("`{name}` and another variant both become `{rust}`"),
                    ));
                }
                if variant.ty == TypeName::OneOf {
                    out.push(src.at(
                        &p,
                        "a variant of a `one_of` cannot be a `one_of`: list its variants here",
                    ));
                }
                if variant.required || variant.nullable {
                    out.push(src.at(
                        &p,
                        "`required` and `nullable` belong to the `one_of`, not to a variant",
                    ));
                }
                check_schema(src, variant, &p, contexts, request, out);
                not_json(src, variant, &p, out);
            }
        }
        (_, v) => only(v.is_some(), "variants", "`one_of`", out),
    }
    match ty {
        TypeName::Array | TypeName::Map => match &s.items {
            None => out.push(src.at(
                path,
                format!(
                    "an `{}` needs `items`: the type of its elements",
                    ty.as_str()
                ),
            )),
            Some(i) => {
                check_schema(src, i, &at("items"), contexts, request, out);
                not_json(src, i, &at("items"), out);
            }
        },
        _ => only(s.items.is_some(), "items", "`array` and `map`", out),
    }
    if !ty.is_textual() {
        // On a map it is the pattern of the keys.
        if ty != TypeName::Map {
            only(
                s.pattern.is_some(),
                "pattern",
                "string types and `map` (its keys)",
                out,
            );
        }
        only(s.min_length.is_some(), "min_length", "string types", out);
        only(s.max_length.is_some(), "max_length", "string types", out);
    }
    if !matches!(ty, TypeName::Integer | TypeName::Id | TypeName::Number) {
        only(
            s.minimum.is_some(),
            "minimum",
            "`integer`, `id` and `number`",
            out,
        );
        only(
            s.maximum.is_some(),
            "maximum",
            "`integer`, `id` and `number`",
            out,
        );
    }
    if let (Some(lo), Some(hi)) = (s.minimum, s.maximum) {
        if lo > hi {
            out.push(src.at(&at("minimum"), format!("minimum {lo} exceeds maximum {hi}")));
        }
    }
    if !matches!(ty, TypeName::Array | TypeName::Map) {
        only(s.min_items.is_some(), "min_items", "`array` and `map`", out);
        only(s.max_items.is_some(), "max_items", "`array` and `map`", out);
    }
    if let Some(p) = &s.pattern {
        if let Err(e) = regex::Regex::new(p) {
            let first = e
                .to_string()
                .lines()
                .last()
                .unwrap_or_default()
                .trim()
                .to_owned();
            out.push(src.at(
                &at("pattern"),
                format!("invalid regular expression `{p}`: {first}"),
            ));
        }
    }
    if let (Some(lo), Some(hi)) = (s.min_length, s.max_length) {
        if lo > hi {
            out.push(src.at(
                &at("min_length"),
                format!("min_length {lo} exceeds max_length {hi}"),
            ));
        }
    }
    for c in &s.required_in {
        if !contexts.contains(c) {
            out.push(src.at(
                &at("required_in"),
                format!("`{}` is not among the method's `contexts`", c.as_str()),
            ));
        }
    }
    if s.required && !s.required_in.is_empty() {
        out.push(src.at(
            &at("required_in"),
            "`required_in` makes no sense on a parameter that is always `required`",
        ));
    }
    if s.json_string
        && !matches!(
            ty,
            TypeName::Object | TypeName::Array | TypeName::Map | TypeName::OneOf
        )
    {
        only(
            true,
            "json_string",
            "`object`, `array`, `map` and `one_of`",
            out,
        );
    }
    // A secret in a response (a token in an event's payload) is read into a `Secret` too.
    if s.secret && !matches!(ty, TypeName::String | TypeName::Url) {
        only(true, "secret", "strings", out);
    }
    if let Some(name) = &s.name {
        if matches!(ty, TypeName::Object | TypeName::Enum)
            && path.len() > 1
            && !is_type_name(name)
            && !is_field_name(name)
        {
            out.push(src.at(&at("name"), format!("`{name}` is not a Rust name")));
        }
    }
}

/// The rules of one object (the parameters, or an object's fields): each of one kind, naming
/// members that exist and are not required already.
fn check_rules(
    src: &Source<'_>,
    rules: &[crate::Rule],
    members: Option<&IndexMap<String, Schema>>,
    path: &[Seg],
    what: &str,
    out: &mut Vec<Diagnostic>,
) {
    use crate::model::RuleKind;
    for (i, rule) in rules.iter().enumerate() {
        let at = |k: &str| {
            let mut p = path.to_vec();
            p.push(Seg::Index(i));
            p.push(Seg::Key(k.to_owned()));
            p
        };
        let kind = match rule.kind() {
            Ok(k) => k,
            Err(e) => {
                let mut p = path.to_vec();
                p.push(Seg::Index(i));
                out.push(src.at(&p, e));
                continue;
            }
        };
        let (key, named, moot): (&str, Vec<&String>, bool) = match kind {
            RuleKind::AtLeastOne(m) => ("at_least_one_of", m.iter().collect(), true),
            RuleKind::AtMostOne(m) => ("at_most_one_of", m.iter().collect(), false),
            RuleKind::AllOrNone(m) => ("all_or_none", m.iter().collect(), false),
            RuleKind::Requires { then, .. } => ("then_required", then.iter().collect(), true),
        };
        let multi = !matches!(kind, RuleKind::Requires { .. });
        if multi && named.len() < 2 {
            out.push(src.at(
                &at(key),
                format!("a rule needs at least two {what}s (use `required` for one)"),
            ));
        }
        let mut check = |key: &str, p: &str, moot: bool| {
            // Members whose names are not all known are not looked up.
            let Some(members) = members else { return };
            if !members.contains_key(p) {
                out.push(src.at(
                    &at(key),
                    format!(
                        "the rule names `{p}`, which is not a {what}; {what}s: {}",
                        names(members)
                    ),
                ));
            } else if moot && members[p].required {
                out.push(src.at(
                    &at(key),
                    format!("the rule names `{p}`, which is already required"),
                ));
            }
        };
        for p in named {
            check(key, p, moot);
        }
        if let RuleKind::Requires { given, .. } = kind {
            check("if_given", given, false);
        }
    }
}

fn is_method_name(s: &str) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

fn is_ident_word(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_type_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

fn is_field_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The parameter a trigger's path starts at.
fn path_head(path: &str) -> &str {
    path.split(['.', '[']).next().unwrap_or(path)
}

/// Follows a trigger's path (`MESSAGES[].message`, `fields.ID`, `MESSAGES[].*`) through the
/// parameters' schemas; the error says where it leaves them.
fn resolve_path(spec: &Spec, path: &str) -> Result<(), String> {
    use crate::validate::Step;
    let Some(steps) = crate::validate::steps(path) else {
        return Err(format!(
            "`{path}` is not a path: write a parameter, then `.member`, `[]` (any item) or `.*` (any member), e.g. `MESSAGES[].message`"
        ));
    };
    let mut schema = None::<&Schema>;
    let mut walked = String::new();
    for (i, step) in steps.iter().enumerate() {
        let next = match (schema, step) {
            (None, Step::Member(name)) => spec.params.get(*name),
            (Some(s), Step::Item("")) if matches!(s.ty, TypeName::Array | TypeName::Map) => {
                s.items.as_deref()
            }
            (Some(s), Step::Item(_)) if matches!(s.ty, TypeName::Array | TypeName::Map) => {
                return Err(format!(
                    "`{path}`: write `{walked}[]` for any item, not an index or a key"
                ));
            }
            (Some(s), Step::Member("*")) if s.ty == TypeName::Object => {
                if i + 1 < steps.len() {
                    return Err(format!("`{path}`: `*` (any member) can only end a path"));
                }
                return Ok(());
            }
            (Some(s), Step::Member(name)) if s.ty == TypeName::Object => {
                match s.fields.as_ref().and_then(|f| f.get(*name)) {
                    Some(f) => Some(f),
                    None => {
                        let known = s
                            .fields
                            .iter()
                            .flatten()
                            .map(|(k, _)| format!("`{k}`"))
                            .collect::<Vec<_>>();
                        return Err(format!(
                            "`{path}`: `{walked}` has no member `{name}`; it has {}",
                            if known.is_empty() {
                                "none listed".to_owned()
                            } else {
                                known.join(", ")
                            }
                        ));
                    }
                }
            }
            (Some(s), _) => {
                let want = match step {
                    Step::Item(_) => "`[]` needs an `array` or a `map`",
                    Step::Member(_) => "a member needs an `object`",
                };
                return Err(format!(
                    "`{path}`: `{walked}` is of type `{}`, and {want}",
                    s.ty.as_str()
                ));
            }
            (None, Step::Item(_)) => None,
        };
        let Some(next) = next else {
            // An array or a map whose items are not described, or a parameter that is unknown
            // (reported above): nothing to follow further.
            return Ok(());
        };
        match step {
            Step::Member(name) if i == 0 => walked.push_str(name),
            Step::Member(name) => {
                walked.push('.');
                walked.push_str(name);
            }
            Step::Item(_) => walked.push_str("[]"),
        }
        schema = Some(next);
    }
    Ok(())
}
