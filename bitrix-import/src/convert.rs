//! One page to one spec: reads the sections of a method page, builds the spec, checks it with
//! `bitrix-spec` and repairs what the checks refuse.

use std::sync::LazyLock;

use bitrix_spec::{AuthContext, Mode, TypeName, Violation, is_system_code};
use indexmap::IndexMap;
use regex::Regex;
use serde_json::{Map, Value};
use serde_yaml::{Mapping, Value as Yaml};

use crate::facts::{self, Limit, doc_type, is_method_name, normalized, plain};
use crate::json::parse_example;
use crate::page::{Block, Page};
use crate::report::Lost;
use crate::schema::{Node, infer, join, reconcile};
use crate::table::Table;

/// What kind of page it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A method page, for this method.
    Method(String),
    /// An event page.
    Event,
    /// Anything else (overview, data types, tutorial).
    Other,
}

static HTTP_STATUS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)HTTP\s+status(?:es)?\s*:?\s*(.*)").expect("valid"));
static STATUS_NUM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b([1-5][0-9][0-9])\b").expect("valid"));
static CURL_DATA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)(?:-d|--data(?:-raw)?)\s+'(.*?)'\s*(?:\\\s*$|\n|$)").expect("valid")
});
static REST_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"/rest/(?:\*\*[^*]+\*\*/)*([A-Za-z][A-Za-z0-9_.]*)").expect("valid")
});

static SDK_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?:callMethod|callListMethod|callFastListMethod|::call|->call|restCommand)\s*\(\s*['"]([A-Za-z][A-Za-z0-9_.]*)['"]"#,
    )
    .expect("valid")
});

/// Is `name` a REST method name: dot-separated parts of ASCII letters, digits and `_`?
pub fn is_rest_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .split('.')
            .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

/// Is `name` shaped like a function of the JavaScript SDK: a member of its global object
/// `BX24` (`BX24.placement.call`), which no REST method is?
pub fn is_js_sdk_name(name: &str) -> bool {
    name.split_once('.')
        .is_some_and(|(first, _)| first == "BX24")
}

/// Do the page's code examples call `method` over REST: a `/rest/` address ending in the
/// method, or the method as the first argument of an SDK's REST call (`callMethod`,
/// `callListMethod`, `callFastListMethod`, `CRest::call`, `->call`, `restCommand`)? A JavaScript
/// command passed to a widget function (`BX24.placement.call('getStatus')`) is not one.
pub fn calls_over_rest(page: &Page, method: &str) -> bool {
    let ends_in_method = |line: &str| {
        let lower = line.to_ascii_lowercase();
        let needle = format!("/{}", method.to_ascii_lowercase());
        lower.match_indices(&needle).any(|(i, _)| {
            lower[i + needle.len()..].chars().next().is_none_or(|c| {
                !(c.is_ascii_alphanumeric() || c == '_' || c == '.')
                    || lower[i + needle.len()..].starts_with(".json")
            })
        })
    };
    page.blocks.iter().any(|b| match b {
        Block::Code { text, .. } => {
            text.lines()
                .any(|l| l.contains("/rest/") && ends_in_method(l))
                || SDK_CALL.captures_iter(text).any(|c| {
                    c.get(1)
                        .is_some_and(|m| m.as_str().eq_ignore_ascii_case(method))
                })
        }
        _ => false,
    })
}

/// Is the page (path under `api-reference/`) an event page?
pub fn is_event_path(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    file.starts_with("on-") || path.split('/').any(|d| d == "events")
}

fn title(page: &Page) -> Option<(String, usize)> {
    page.blocks.iter().find_map(|b| match b {
        Block::Heading {
            level: 1,
            text,
            line,
            ..
        } => Some((text.clone(), *line)),
        _ => None,
    })
}

fn intro_text(page: &Page) -> String {
    let mut out = String::new();
    for b in &page.blocks {
        match b {
            Block::Heading { level, .. } if *level >= 2 => break,
            Block::Text(l) => {
                out.push_str(&l.text);
                out.push('\n');
            }
            _ => {}
        }
    }
    out
}

fn page_text(page: &Page) -> String {
    let mut out = String::new();
    for b in &page.blocks {
        if let Block::Text(l) = b {
            out.push_str(&l.text);
            out.push('\n');
        }
    }
    out
}

/// Does the page document a REST v3 call (served under `/rest/api/`)?
pub fn is_v3(page: &Page) -> bool {
    page.blocks
        .iter()
        .any(|b| matches!(b, Block::Code { text, .. } if text.contains("/rest/api/")))
}

/// Tells method pages from the others, and finds the method name.
pub fn classify(page: &Page) -> Kind {
    let stem = page
        .path
        .rsplit('/')
        .next()
        .unwrap_or("")
        .trim_end_matches(".md");
    // Event folders hold the methods that manage events too (`event.bind`): a page whose title
    // ends in a method name is a method page wherever it is.
    if is_event_path(&page.path) {
        let names_method = title(page).is_some_and(|(t, _)| {
            t.split_whitespace().last().is_some_and(|w| {
                let w = w.trim_matches(|c: char| "`*,:;()\"'".contains(c));
                w.contains('.') && is_method_name(w) && !EVENT_WORD.is_match(w)
            })
        });
        if !names_method {
            let titled = title(page).is_some_and(|(t, _)| {
                t.split_whitespace().any(|w| {
                    EVENT_WORD.is_match(w.trim_matches(|c: char| "`*,:;()\"'".contains(c)))
                })
            });
            return if stem != "index" && (titled || stem.starts_with("on-")) {
                Kind::Event
            } else {
                Kind::Other
            };
        }
    }
    if stem == "index" || page.path.split('/').any(|d| d.starts_with('_')) {
        return Kind::Other;
    }
    let Some((title, _)) = title(page) else {
        return Kind::Other;
    };
    let words: Vec<String> = title
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| "`*,:;()\"'".contains(c))
                .to_owned()
        })
        .collect();
    let text = page_text(page);
    let says_method = text.contains("Who can execute the method")
        || text.contains("Who can call")
        || text.contains("Scope:")
        || page.blocks.iter().any(|b| match b {
            Block::Heading { text, .. } => text.eq_ignore_ascii_case("Method Parameters"),
            Block::Code { text, .. } => REST_URL.is_match(text),
            _ => false,
        });
    if !says_method {
        return Kind::Other;
    }
    if let Some(last) = words.last().filter(|w| is_method_name(w)) {
        return Kind::Method(last.clone());
    }
    let stem_n = normalized(stem);
    // A method name in the title or the introduction that the file is named after.
    let intro = intro_text(page);
    let candidates = words
        .iter()
        .filter(|w| is_method_name(w))
        .cloned()
        .chain(facts::code_spans(&intro));
    for c in candidates {
        if normalized(&c) == stem_n
            && c.chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '.' || ch == '_')
        {
            return Kind::Method(c);
        }
    }
    // The method the code examples call.
    let mut counts: IndexMap<String, usize> = IndexMap::new();
    for b in &page.blocks {
        if let Block::Code { text, .. } = b {
            for c in REST_URL.captures_iter(text) {
                if let Some(m) = c.get(1) {
                    *counts.entry(m.as_str().to_owned()).or_default() += 1;
                }
            }
        }
    }
    counts
        .into_iter()
        .filter(|(m, _)| normalized(m) == stem_n)
        .max_by_key(|(_, n)| *n)
        .map_or(Kind::Other, |(m, _)| Kind::Method(m))
}

/// The counts of one page's examples.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExampleCounts {
    /// JSON examples found.
    pub found: usize,
    /// Read as JSON.
    pub parsed: usize,
    /// Valid against the spec the tables describe.
    pub valid_as_documented: usize,
    /// Valid against the spec written.
    pub valid_in_spec: usize,
}

/// A spec made from a page.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The REST method.
    pub method: String,
    /// The scope (the output folder).
    pub scope: String,
    /// The spec, as YAML text that loads.
    pub yaml: String,
    /// The spec, loaded from `yaml`.
    pub spec: bitrix_spec::Spec,
    /// What the spec does not carry.
    pub lost: Vec<Lost>,
    /// Examples seen.
    pub examples: ExampleCounts,
}

/// Why a method page gave no spec.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The reason.
    pub reason: String,
    /// What was lost before it failed.
    pub lost: Vec<Lost>,
    /// Examples seen.
    pub examples: ExampleCounts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    None,
    Params,
    Response,
    Errors,
    Examples,
}

fn role_of(text: &str) -> Role {
    let t = text.to_lowercase();
    if t.contains("error") {
        Role::Errors
    } else if t.contains("response") || t.contains("returned") || t.contains("result") {
        Role::Response
    } else if t.contains("parameter") || t.contains("fields") || t.contains("argument") {
        Role::Params
    } else if t.contains("example") {
        Role::Examples
    } else {
        Role::None
    }
}

/// A table with the heading it stands under.
struct Placed<'a> {
    table: &'a Table,
    heading: String,
    anchor: Option<String>,
    /// Directly under the section heading (level 2), or under a heading that says the same.
    main: bool,
}

/// A code block with its section and the HTTP statuses stated before it.
struct Snippet<'a> {
    lang: &'a str,
    text: &'a str,
    line: usize,
    statuses: Vec<u16>,
}

#[derive(Default)]
struct Sections<'a> {
    params: Vec<Placed<'a>>,
    response: Vec<Placed<'a>>,
    errors: Vec<Placed<'a>>,
    response_code: Vec<Snippet<'a>>,
    error_code: Vec<Snippet<'a>>,
    example_code: Vec<Snippet<'a>>,
    no_params: bool,
    error_statuses: Vec<u16>,
}

fn statuses(text: &str) -> Vec<u16> {
    STATUS_NUM
        .captures_iter(text)
        .filter_map(|c| c.get(1)?.as_str().parse().ok())
        .collect()
}

fn sections(page: &Page) -> Sections<'_> {
    let mut s = Sections::default();
    let mut h2 = Role::None;
    let mut role = Role::None;
    let mut heading = String::new();
    let mut anchor = None;
    let mut main = false;
    let mut last_status: Vec<u16> = Vec::new();
    for b in &page.blocks {
        match b {
            Block::Heading {
                level,
                text,
                anchor: a,
                ..
            } => {
                last_status.clear();
                if *level <= 2 {
                    h2 = if *level == 2 {
                        role_of(text)
                    } else {
                        Role::None
                    };
                    role = h2;
                    main = true;
                } else {
                    let own = role_of(text);
                    role = if h2 == Role::None { own } else { h2 };
                    // "Returned Data" under "Response Handling" is still the main table.
                    main = own == h2 && !text.contains('`') && a.is_none();
                    if role == Role::Params && own == Role::Params && h2 == Role::Params {
                        main = false;
                    }
                }
                heading = text.clone();
                anchor = a.clone();
            }
            Block::Table(t) => {
                let placed = Placed {
                    table: t,
                    heading: heading.clone(),
                    anchor: anchor.clone(),
                    main,
                };
                match role {
                    Role::Params => s.params.push(placed),
                    Role::Response => s.response.push(placed),
                    Role::Errors => s.errors.push(placed),
                    _ => {}
                }
            }
            Block::Code { lang, text, line } => {
                let snip = Snippet {
                    lang,
                    text,
                    line: *line,
                    statuses: last_status.clone(),
                };
                match role {
                    Role::Response => s.response_code.push(snip),
                    Role::Errors => s.error_code.push(snip),
                    Role::Examples | Role::Params | Role::None => s.example_code.push(snip),
                }
            }
            Block::Text(l) => {
                if let Some(c) = HTTP_STATUS.captures(&l.text) {
                    last_status = statuses(c.get(1).map_or("", |m| m.as_str()));
                    if role == Role::Errors && !l.included {
                        s.error_statuses.extend(last_status.iter().copied());
                    }
                }
                let t = l.text.trim().to_lowercase();
                if role == Role::Params
                    && (t.starts_with("no parameters") || t.contains("without parameters"))
                {
                    s.no_params = true;
                }
            }
        }
    }
    s.error_statuses.sort_unstable();
    s.error_statuses.dedup();
    s
}

/// A member read from a table row.
#[derive(Debug, Clone)]
struct Member {
    name: String,
    line: usize,
    required: bool,
    doc: Option<String>,
    desc: String,
    anchors: Vec<String>,
    children: Vec<Member>,
    attached: bool,
    /// A family of names (`ufCrm...`): `name` is their common start.
    family: bool,
}

/// The column roles of a member table: (name, type, description), or `None` if it is not one.
fn member_columns(t: &Table) -> Option<(usize, Option<usize>, Option<usize>)> {
    let h = t.header();
    let name = h.iter().position(|c| {
        let first = c.lines().next().unwrap_or("");
        [
            "name",
            "parameter",
            "field",
            "key",
            "property",
            "member",
            "element",
        ]
        .iter()
        .any(|w| first.contains(w))
    })?;
    if h.iter().any(|c| c.contains("code") || c.contains("error")) && name != 0 {
        return None;
    }
    let ty = h
        .iter()
        .enumerate()
        .position(|(i, c)| i != name && c.trim() == "type");
    let desc = h.iter().position(|c| c.contains("description"));
    Some((name, ty, desc))
}

fn members_of(t: &Table, lost: &mut Vec<Lost>) -> Vec<Member> {
    let Some((name_col, ty_col, desc_col)) = member_columns(t) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for row in t.body() {
        let Some(cell) = row.cells.get(name_col) else {
            continue;
        };
        let Some(mut nc) = facts::name_cell(&cell.text) else {
            if !cell.text.trim().is_empty() {
                lost.push(Lost::new(
                    row.line,
                    format!("row `{}` names no member", plain(&cell.text)),
                ));
            }
            continue;
        };
        if let Some(tc) = ty_col.and_then(|i| row.cells.get(i)) {
            nc.ty = facts::code_spans(&tc.text)
                .into_iter()
                .next()
                .or_else(|| Some(plain(&tc.text)).filter(|s| !s.is_empty()));
        }
        let desc = desc_col
            .and_then(|i| row.cells.get(i))
            .or_else(|| row.cells.last().filter(|_| row.cells.len() > 1))
            .map_or(String::new(), |c| c.text.clone());
        // `ufCrm...`, `UF_...`: a family of names that share a start.
        let stem = nc.name.trim_end_matches("...").trim_end_matches('…');
        let family = stem.len() < nc.name.len()
            && stem.starts_with(|c: char| c.is_ascii_alphabetic())
            && stem.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if family {
            out.push(Member {
                name: stem.to_owned(),
                line: row.line,
                required: false,
                doc: nc.ty,
                anchors: Vec::new(),
                desc,
                children: Vec::new(),
                attached: false,
                family: true,
            });
            continue;
        }
        if nc.name.contains("...") || nc.name.contains('…') || nc.name.contains(' ') {
            lost.push(Lost::new(
                row.line,
                format!(
                    "member pattern `{}`: the format has no way to say a family of names",
                    nc.name
                ),
            ));
            continue;
        }
        if nc.name.is_empty() {
            continue;
        }
        out.push(Member {
            name: nc.name,
            line: row.line,
            required: nc.required,
            doc: nc.ty,
            anchors: facts::anchors(&desc),
            desc,
            children: Vec::new(),
            attached: false,
            family: false,
        });
    }
    out
}

fn is_container(m: &Member) -> bool {
    match &m.doc {
        None => true,
        Some(t) => {
            let d = doc_type(t);
            matches!(
                d.ty,
                TypeName::Object | TypeName::Array | TypeName::Any | TypeName::Map
            )
        }
    }
}

/// Finds the member a sub-table describes: by the anchor its heading carries and a row links
/// to, else by a name its heading mentions.
fn attach(
    members: &mut [Member],
    placed: &Placed<'_>,
    sub: Vec<Member>,
) -> Result<(), Vec<Member>> {
    fn walk<'m>(ms: &'m mut [Member], f: &dyn Fn(&Member) -> bool) -> Option<&'m mut Member> {
        // Breadth first: shallow members before deep ones.
        if let Some(i) = ms.iter().position(f) {
            return Some(&mut ms[i]);
        }
        for m in ms.iter_mut() {
            if let Some(x) = walk(&mut m.children, f) {
                return Some(x);
            }
        }
        None
    }
    let target = if let Some(a) = &placed.anchor {
        let a = a.clone();
        walk(members, &move |m: &Member| m.anchors.contains(&a))
    } else {
        None
    };
    let target = match target {
        Some(t) => Some(t),
        None => {
            let mut tokens: Vec<String> = facts::code_spans(&placed.heading);
            tokens.extend(placed.anchor.clone());
            tokens.extend(
                placed
                    .heading
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                    .filter(|w| !w.is_empty())
                    .map(str::to_owned),
            );
            let mut found = None;
            for tok in tokens {
                let tok_l = tok.to_lowercase();
                let last = tok_l.rsplit('.').next().unwrap_or(&tok_l).to_owned();
                let f = move |m: &Member| {
                    let n = m.name.to_lowercase();
                    (n == tok_l || n == last) && !m.attached && is_container(m)
                };
                if walk(members, &f).is_some() {
                    found = Some(f);
                    break;
                }
            }
            match found {
                Some(f) => walk(members, &f),
                None => None,
            }
        }
    };
    match target {
        Some(t) => {
            t.attached = true;
            t.children = sub;
            Ok(())
        }
        None => Err(sub),
    }
}

/// Builds the members of a section: the main table, with the sub-tables attached.
fn member_tree(placed: &[Placed<'_>], lost: &mut Vec<Lost>) -> (Vec<Member>, bool) {
    let mut members: Vec<Member> = Vec::new();
    let mut have_main = false;
    for p in placed {
        if member_columns(p.table).is_none() {
            continue;
        }
        let rows = members_of(p.table, lost);
        if !have_main && (p.main || members.is_empty()) {
            members = rows;
            have_main = true;
            continue;
        }
        if let Err(rows) = attach(&mut members, p, rows) {
            if !rows.is_empty() {
                lost.push(Lost::new(
                    p.table.line,
                    format!(
                        "the table under \"{}\" ({} rows) belongs to no member the importer could find",
                        plain(&p.heading),
                        rows.len()
                    ),
                ));
            }
        }
    }
    (members, have_main)
}

/// A family of members (`ufCrm...`) as the schema of its values: a scalar, `any`, or an array
/// of them (user fields come as any of these).
fn family_node(m: &Member, request: bool, path: &str, lost: &mut Vec<Lost>) -> Node {
    let mut node = node_of(m, request, path, lost);
    let fits = node.ty.is_plain()
        || node.ty == TypeName::Array && node.items.as_deref().is_none_or(|i| i.ty.is_plain());
    if !fits {
        node = Node::new(TypeName::Any);
        node.line = m.line;
    }
    node.required = false;
    node.name = None;
    node
}

/// A member as a schema node; `request` adds defaults and limits.
fn node_of(m: &Member, request: bool, path: &str, lost: &mut Vec<Lost>) -> Node {
    let path = join(path, &m.name);
    let d = m.doc.as_deref().map(doc_type);
    let mut node = match &d {
        Some(d) => node_of_doc(d),
        None => Node::new(if m.children.is_empty() {
            TypeName::Any
        } else {
            TypeName::Object
        }),
    };
    if let (Some(d), Some(t)) = (&d, &m.doc) {
        if d.unknown && m.children.is_empty() {
            lost.push(Lost::new(
                m.line,
                format!("`{path}`: the type `{t}` has no counterpart in the format; left untyped"),
            ));
        }
    }
    node.line = m.line;
    node.required = m.required;
    // "An array of user identifiers or a JSON string containing an array", "an attachment in
    // object format or JSON string": the page types it `string`, the portal takes the structure
    // as well.
    let lower = m.desc.to_ascii_lowercase();
    if lower.contains("json string") {
        match node.ty {
            TypeName::Object | TypeName::Array | TypeName::Map => node.json_string = true,
            TypeName::String if lower.contains("object") || lower.contains("array") => {
                node.ty = TypeName::Any;
            }
            _ => {}
        }
    }
    if !m.children.is_empty() {
        let mut obj = Node::new(TypeName::Object);
        obj.line = m.line;
        for c in &m.children {
            if c.family {
                obj.dynamic
                    .insert(c.name.clone(), family_node(c, request, &path, lost));
            } else {
                obj.fields
                    .insert(c.name.clone(), node_of(c, request, &path, lost));
            }
        }
        if node.ty == TypeName::Array {
            node.items = Some(Box::new(obj));
        } else {
            obj.required = node.required;
            node = obj;
        }
    }
    if request
        && m.children.is_empty()
        && matches!(node.ty, TypeName::Object | TypeName::Any | TypeName::Array)
        && node.items.is_none()
    {
        // A list's filter and order name the entity's fields, which their pages list elsewhere
        // (a `*.fields` method): typed as such, they take operator prefixes and user fields.
        match m.name.as_str() {
            "filter" | "FILTER" => node.ty = TypeName::Filter,
            "order" | "ORDER" => node.ty = TypeName::Order,
            _ => {}
        }
    }
    let values = facts::allowed_values(&m.desc);
    if !values.is_empty() {
        let yn = values.len() == 2 && values.iter().all(|v| v == "Y" || v == "N");
        match node.ty {
            TypeName::String if yn && d.as_ref().is_some_and(|d| d.char_flag) => {
                node.ty = TypeName::Yn;
            }
            TypeName::String => {
                node.ty = TypeName::Enum;
                node.values = values;
            }
            TypeName::Boolean | TypeName::Yn => {}
            TypeName::Integer | TypeName::Id
                if values.iter().all(|v| v.parse::<i64>().is_ok()) =>
            {
                node.values = values;
            }
            // The operators, which `filter` carries.
            TypeName::Filter => {}
            // The directions, which `order` carries.
            TypeName::Order if values.iter().all(|v| v.eq_ignore_ascii_case("asc") || v.eq_ignore_ascii_case("desc")) => {}
            _ => lost.push(Lost::new(
                m.line,
                format!(
                    "`{path}`: allowed values {} of a `{}` (the format lists values of strings only)",
                    values.join(", "),
                    node.ty.as_str()
                ),
            )),
        }
    }
    if request {
        node.default = facts::default_value(&m.desc);
        let (lo, hi) = facts::limits(&m.desc);
        for (limit, upper) in [(lo, false), (hi, true)] {
            let Some(limit) = limit else { continue };
            let applied = match (limit, node.ty) {
                (Limit::Length(n), t) if t.is_textual() => {
                    if upper {
                        node.length.1 = Some(n as usize);
                    } else {
                        node.length.0 = Some(n as usize);
                    }
                    true
                }
                (Limit::Items(n), TypeName::Array) => {
                    if upper {
                        node.count.1 = Some(n as usize);
                    } else {
                        node.count.0 = Some(n as usize);
                    }
                    true
                }
                (Limit::Value(n), TypeName::Integer | TypeName::Id | TypeName::Number) => {
                    if upper {
                        node.bounds.1 = Some(n as f64);
                    } else {
                        node.bounds.0 = Some(n as f64);
                    }
                    true
                }
                _ => false,
            };
            if !applied {
                lost.push(Lost::new(
                    m.line,
                    format!(
                        "`{path}`: {} {} that does not apply to a `{}`",
                        if upper {
                            "an upper limit of"
                        } else {
                            "a lower limit of"
                        },
                        limit.describe(),
                        node.ty.as_str()
                    ),
                ));
            }
        }
    }
    node
}

fn node_of_doc(d: &facts::DocType) -> Node {
    let mut n = Node::new(d.ty);
    if let Some(i) = &d.items {
        n.items = Some(Box::new(node_of_doc(i)));
    }
    if d.ty == TypeName::Enum {
        // Values come from the description; without them it is a string.
        n.ty = TypeName::String;
    }
    n
}

/// An error entry.
#[derive(Debug, Clone)]
struct ErrorRow {
    code: String,
    status: u16,
    description: String,
    /// Reported inside a successful answer's `result`.
    in_result: bool,
}

/// Does an error's description say, without a condition, that only an administrator may call
/// the method ("Access denied! Admin permissions required")? One that names an alternative
/// ("administrator rights or full access to ...") or a case ("binding with AUTH_TYPE requires
/// administrator access rights") depends on more than who calls, and is left unmarked.
fn admin_only(description: &str) -> bool {
    let t = description.to_ascii_lowercase();
    let says = [
        "admin permissions required",
        "administrator rights required",
        "administrator authorization required",
        "must be an administrator",
        "non-administrator",
        "not executed by an administrator",
    ]
    .iter()
    .any(|w| t.contains(w));
    let conditional = [" or ", " with ", " when ", " if ", "binding"]
        .iter()
        .any(|w| t.contains(w));
    says && !conditional
}

fn status_of(code: &str) -> Option<u16> {
    bitrix_spec::SYSTEM_ERRORS
        .iter()
        .find(|(c, _, _)| c.eq_ignore_ascii_case(code))
        .map(|(_, s, _)| *s)
}

fn system_description(code: &str) -> Option<&'static str> {
    bitrix_spec::SYSTEM_ERRORS
        .iter()
        .find(|(c, _, _)| c.eq_ignore_ascii_case(code))
        .map(|(_, _, d)| *d)
}

fn clean_code(text: &str) -> String {
    let p = plain(text);
    let lower = p.to_lowercase();
    if lower.is_empty()
        || lower.starts_with("empty")
        || lower == "-"
        || lower == "—"
        || lower == "\"\""
        || lower == "''"
    {
        return String::new();
    }
    p.trim_matches(['"', '\'']).to_owned()
}

fn clean_message(text: &str) -> String {
    let t = text.trim();
    // A message wrapped whole in backticks is verbatim.
    if t.starts_with('`') && t.ends_with('`') && t.matches('`').count() == 2 {
        return t.trim_matches('`').to_owned();
    }
    plain(t)
}

fn error_rows(s: &Sections<'_>, lost: &mut Vec<Lost>) -> Vec<ErrorRow> {
    let mut out: Vec<ErrorRow> = Vec::new();
    for p in &s.errors {
        let h = p.table.header();
        let col = |f: &dyn Fn(&str) -> bool| h.iter().position(|c| f(c));
        let status = col(&|c| c.contains("status") || c.contains("http"));
        let code = col(&|c| c.contains("code") && !c.contains("status"));
        let message = col(&|c| {
            c.contains("message") || c.contains("error text") || c.contains("error description")
        });
        let field = col(&|c| c.starts_with("field"));
        if field.is_some() && code.is_none() {
            lost.push(Lost::new(
                p.table.line,
                format!(
                    "{} field validation errors (REST v3, an error object per field): the format has no place for them",
                    p.table.body().len()
                ),
            ));
            continue;
        }
        let desc = col(&|c| c.contains("description"));
        let (Some(code), Some(_)) = (code, message.or(desc)) else {
            continue;
        };
        // "Code\nError Message" in one cell: the code, then its message.
        let combined = h[code].contains("message");
        let message = if combined { None } else { message.or(desc) };
        for row in p.table.body() {
            let cell = |i: usize| row.cells.get(i).map_or("", |c| c.text.as_str());
            let mut code_text = cell(code).to_owned();
            let mut msg = message.map(|i| cell(i).to_owned()).unwrap_or_default();
            if combined {
                let mut parts = code_text.splitn(2, '\n');
                let c = parts.next().unwrap_or("").to_owned();
                msg = parts.next().unwrap_or("").to_owned();
                code_text = c;
            }
            let code = clean_code(&code_text);
            let msg = if msg.trim_start().starts_with('>') {
                String::new()
            } else {
                clean_message(&msg)
            };
            if !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                lost.push(Lost::new(
                    row.line,
                    format!("error `{code}` is not an error code the format accepts"),
                ));
                continue;
            }
            if p.table.included && is_system_code(&code) {
                continue;
            }
            if system_description(&code).is_some_and(|d| d.eq_ignore_ascii_case(&msg)) {
                continue;
            }
            let st = status
                .map(|i| statuses(cell(i)))
                .and_then(|v| v.first().copied())
                .or_else(|| (s.error_statuses.len() == 1).then(|| s.error_statuses[0]))
                .or_else(|| status_of(&code));
            let st = match st {
                Some(st) if (400..=599).contains(&st) => st,
                // Answered with a success status: an error envelope, or inside `result` (told
                // apart by the page's examples, once they are read).
                Some(st) if (200..300).contains(&st) => 200,
                other => {
                    let fallback = s
                        .error_statuses
                        .iter()
                        .copied()
                        .find(|x| (400..=599).contains(x))
                        .unwrap_or(400);
                    lost.push(Lost::new(
                        row.line,
                        match other {
                            Some(x) => format!("error `{code}`: HTTP status {x} is not an error status; recorded as {fallback}"),
                            None => format!(
                                "error `{code}`: the page gives no HTTP status for this row (statuses listed: {}); recorded as {fallback}",
                                s.error_statuses.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")
                            ),
                        },
                    ));
                    fallback
                }
            };
            if out.iter().any(|e| e.code == code && e.description == msg) {
                continue;
            }
            out.push(ErrorRow {
                code,
                status: st,
                description: msg,
                in_result: false,
            });
        }
    }
    out
}

/// A response example.
#[derive(Debug, Clone)]
struct Example {
    status: u16,
    response: Value,
    line: usize,
    title: &'static str,
}

fn is_json_lang(lang: &str) -> bool {
    matches!(lang, "json" | "js" | "javascript" | "" | "json5" | "jsonc")
}

fn response_examples(
    s: &Sections<'_>,
    errors: &[ErrorRow],
    counts: &mut ExampleCounts,
    lost: &mut Vec<Lost>,
) -> Vec<Example> {
    let mut out = Vec::new();
    for (snip, is_error_section) in s
        .response_code
        .iter()
        .map(|x| (x, false))
        .chain(s.error_code.iter().map(|x| (x, true)))
    {
        if !is_json_lang(snip.lang) || !snip.text.trim_start().starts_with(['{', '[']) {
            continue;
        }
        counts.found += 1;
        let (value, cleaned) = match parse_example(snip.text) {
            Ok(x) => x,
            Err(e) => {
                lost.push(Lost::new(snip.line, format!("response example: {e}")));
                continue;
            }
        };
        counts.parsed += 1;
        if cleaned.changed() {
            lost.push(Lost::new(
                snip.line,
                format!("response example cleaned: removed {}", cleaned.describe()),
            ));
        }
        let obj = value.as_object();
        if obj.is_some_and(|o| o.contains_key("result")) {
            let status = snip.statuses.first().copied().unwrap_or(200);
            out.push(Example {
                status: if (200..300).contains(&status) {
                    status
                } else {
                    200
                },
                response: value,
                line: snip.line,
                title: "Success",
            });
        } else if let Some(code) = obj.and_then(|o| o.get("error")) {
            let Some(code) = code.as_str().map(str::to_owned) else {
                lost.push(Lost::new(
                    snip.line,
                    "error example whose `error` is not a string code (a number or an object): the format cannot hold it",
                ));
                continue;
            };
            let status = errors
                .iter()
                .find(|e| e.code.eq_ignore_ascii_case(&code))
                .map(|e| e.status)
                .or_else(|| {
                    snip.statuses
                        .iter()
                        .copied()
                        .find(|x| (400..=599).contains(x))
                })
                .or_else(|| status_of(&code))
                .unwrap_or(400);
            out.push(Example {
                status,
                response: value,
                line: snip.line,
                title: "Error",
            });
        } else if !is_error_section {
            lost.push(Lost::new(
                snip.line,
                "response example shows the result without its `{result, time}` envelope; wrapped in one",
            ));
            let mut env = Map::new();
            env.insert("result".into(), value);
            out.push(Example {
                status: 200,
                response: Value::Object(env),
                line: snip.line,
                title: "Success",
            });
        } else if obj.is_some() {
            lost.push(Lost::new(
                snip.line,
                "JSON example that is neither a `result` nor an `error` envelope",
            ));
        }
    }
    out
}

/// Request bodies of the cURL examples (distinct ones, `auth` left out).
fn request_examples(
    s: &Sections<'_>,
    counts: &mut ExampleCounts,
    lost: &mut Vec<Lost>,
) -> Vec<(Map<String, Value>, usize)> {
    let mut out: Vec<(Map<String, Value>, usize)> = Vec::new();
    for snip in &s.example_code {
        if !snip.text.contains("curl") {
            continue;
        }
        for c in CURL_DATA.captures_iter(snip.text) {
            let Some(body) = c.get(1) else { continue };
            let body = body.as_str();
            if !body.trim_start().starts_with('{') {
                continue;
            }
            counts.found += 1;
            let line = snip.line
                + snip.text[..c.get(0).map_or(0, |m| m.start())]
                    .lines()
                    .count();
            match parse_example(body) {
                Ok((Value::Object(mut m), cleaned)) => {
                    counts.parsed += 1;
                    if cleaned.changed() {
                        lost.push(Lost::new(
                            line,
                            format!("request example cleaned: removed {}", cleaned.describe()),
                        ));
                    }
                    m.remove("auth");
                    if !out.iter().any(|(x, _)| *x == m) {
                        out.push((m, line));
                    }
                }
                Ok(_) => lost.push(Lost::new(line, "request example is not a JSON object")),
                Err(e) => lost.push(Lost::new(line, format!("request example: {e}"))),
            }
        }
    }
    out
}

/// What the top of a page says: the scope (and its line), who may call, application only.
type HeaderFacts = (Option<(String, usize)>, Option<String>, bool);

/// The other scopes a page names beside its first: `(also, alternative)`. A scope named after
/// the first with a suffix (`user_brief` beside `user`) grants the call instead of it; any other
/// is needed as well (`imbot` beside `imopenlines`). Words that are no scope name ("depending
/// on the placement", "module scope from `moduleId`") are reported as lost, and the names
/// after them, which depend on them, are not read.
fn other_scopes(page: &Page, scope: &str, lost: &mut Vec<Lost>) -> (Vec<String>, Vec<String>) {
    let (mut also, mut alternative) = (Vec::new(), Vec::new());
    for b in &page.blocks {
        let Block::Text(l) = b else { continue };
        let t = l.text.trim_start_matches(['>', ' ']);
        let Some(rest) = t.strip_prefix("Scope:") else {
            continue;
        };
        let spans = facts::code_spans(rest);
        let names: Vec<String> = if spans.is_empty() {
            rest.split(',').map(plain).collect()
        } else {
            spans
        };
        for raw in names.iter().filter(|n| !n.is_empty()).skip(1) {
            let valid = raw
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
            let name = scope_name(raw);
            if !valid {
                // What follows depends on it ("module scope from `moduleId` (e.g. `crm`)").
                lost.push(Lost::new(
                    l.no,
                    format!("the page names `{raw}` beside the scope, which is no scope name"),
                ));
                break;
            } else if name != scope && !also.contains(&name) && !alternative.contains(&name) {
                if name.starts_with(&format!("{scope}_")) {
                    alternative.push(name);
                } else {
                    also.push(name);
                }
            }
        }
        break;
    }
    (also, alternative)
}

fn header_facts(page: &Page) -> HeaderFacts {
    let mut scope = None;
    let mut access = None;
    let mut app_only = false;
    for b in &page.blocks {
        let Block::Text(l) = b else { continue };
        let t = l.text.trim_start_matches(['>', ' ']);
        if scope.is_none() {
            if let Some(rest) = t.strip_prefix("Scope:") {
                let spans = facts::code_spans(rest);
                let names: Vec<String> = if spans.is_empty() {
                    rest.split(',').map(plain).collect()
                } else {
                    spans
                };
                if let Some(first) = names.into_iter().find(|n| !n.is_empty()) {
                    scope = Some((first, l.no));
                }
            }
        }
        if access.is_none() {
            if let Some(rest) = t
                .strip_prefix("Who can execute the method:")
                .or_else(|| t.strip_prefix("Who can call the method:"))
            {
                let a = plain(rest);
                if !a.is_empty() {
                    access = Some(a);
                }
            }
        }
        let lower = plain(t).to_lowercase();
        if lower.contains("only in the context of an application")
            || lower.contains("only within the context of an application")
            || lower.contains("only in the application context")
        {
            app_only = true;
        }
    }
    (scope, access, app_only)
}

fn deprecation(page: &Page, method: &str, lost: &mut Vec<Lost>) -> Option<Yaml> {
    let mut in_note = false;
    let mut found = None;
    let mut body = String::new();
    for b in &page.blocks {
        let Block::Text(l) = b else { continue };
        let t = l.text.trim();
        if t.starts_with("{% note")
            && t.to_lowercase().contains("deprecated")
            && !t.contains("fields")
        {
            in_note = true;
            found = Some(l.no);
            continue;
        }
        if in_note {
            if t.starts_with("{% endnote") {
                break;
            }
            body.push_str(t);
            body.push('\n');
        }
    }
    let line = found?;
    let mut m = Mapping::new();
    let links = facts::links(&body);
    let replacement = links
        .iter()
        .map(|(text, _)| text.trim_matches('`').to_owned())
        .chain(facts::code_spans(&body))
        .find(|t| is_method_name(t) && t != method);
    if let Some(r) = replacement {
        m.insert("replacement".into(), Yaml::String(r));
    } else if let Some((text, target)) = links.first() {
        let url = docs_url_of_link(&page.path, target);
        m.insert("note".into(), Yaml::String(format!("see {url}")));
        lost.push(Lost::new(
            line,
            format!(
                "deprecated in favour of \"{}\", which is not one method",
                plain(text)
            ),
        ));
    }
    Some(if m.is_empty() {
        Yaml::Bool(true)
    } else {
        Yaml::Mapping(m)
    })
}

/// The published address of a page (path under `api-reference/`).
pub fn docs_url(path: &str) -> String {
    format!(
        "https://apidocs.bitrix24.com/api-reference/{}.html",
        path.trim_end_matches(".md")
    )
}

fn docs_url_of_link(page: &str, target: &str) -> String {
    let target = target.split('#').next().unwrap_or(target);
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for seg in target.split('/') {
        match seg {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    docs_url(&parts.join("/"))
}

fn idempotent(method: &str) -> bool {
    let last = method.rsplit('.').next().unwrap_or(method).to_lowercase();
    const SAFE: [&str; 14] = [
        "get", "list", "fields", "count", "search", "find", "check", "is", "has", "info", "delete",
        "remove", "update", "set",
    ];
    SAFE.iter().any(|p| last.starts_with(p))
        || last.starts_with("unbind")
        || last.starts_with("unregister")
}

fn scope_name(raw: &str) -> String {
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// The parts of a spec that repairs change.
struct Draft {
    header: Mapping,
    params: IndexMap<String, Node>,
    result: Node,
    errors: Vec<ErrorRow>,
    examples: Vec<Example>,
    /// Whether to write the `pagination` the parameters and result suggest (cleared when the
    /// checks refuse it).
    paging: bool,
}

impl Draft {
    fn yaml(&self) -> String {
        let mut m = self.header.clone();
        if !self.params.is_empty() {
            let mut p = Mapping::new();
            for (k, v) in &self.params {
                p.insert(Yaml::String(k.clone()), v.to_yaml());
            }
            m.insert("params".into(), Yaml::Mapping(p));
        }
        m.insert("result".into(), self.result.to_yaml());
        if !self.errors.is_empty() {
            let list = self
                .errors
                .iter()
                .map(|e| {
                    let mut x = Mapping::new();
                    x.insert("code".into(), Yaml::String(e.code.clone()));
                    x.insert("status".into(), Yaml::Number(e.status.into()));
                    x.insert("description".into(), Yaml::String(e.description.clone()));
                    if e.in_result {
                        x.insert("in_result".into(), Yaml::Bool(true));
                    }
                    if admin_only(&e.description) {
                        let mut when = Mapping::new();
                        when.insert("not_admin".into(), Yaml::Bool(true));
                        x.insert("when".into(), Yaml::Mapping(when));
                    }
                    Yaml::Mapping(x)
                })
                .collect();
            m.insert("errors".into(), Yaml::Sequence(list));
        }
        if !self.examples.is_empty() {
            let list = self
                .examples
                .iter()
                .map(|e| {
                    let mut x = Mapping::new();
                    x.insert("title".into(), Yaml::String(e.title.into()));
                    if e.status != 200 {
                        x.insert("status".into(), Yaml::Number(e.status.into()));
                    }
                    x.insert(
                        "response".into(),
                        serde_yaml::to_value(&e.response).unwrap_or(Yaml::Null),
                    );
                    Yaml::Mapping(x)
                })
                .collect();
            m.insert("examples".into(), Yaml::Sequence(list));
        }
        if let Some(p) = self.pagination().filter(|_| self.paging) {
            m.insert("pagination".into(), Yaml::Mapping(p));
        }
        // The `crm.item.*` switch between `ufCrm2_…` and `UF_CRM_2_…`.
        let switch = "useOriginalUfNames";
        if self
            .params
            .get(switch)
            .is_some_and(|n| matches!(n.ty, TypeName::Yn | TypeName::Boolean) && !n.required)
        {
            m.insert("original_uf_names".into(), switch.into());
        }
        serde_yaml::to_string(&Yaml::Mapping(m)).unwrap_or_default()
    }

    /// How the method pages, read from its parameters and result: a classic list takes an
    /// optional integer `start`; an offset list optional integers `limit` and `offset`, at the
    /// top or in one object parameter (`params.limit`). The items are `result` when it is an
    /// array, or the one array member of `result`.
    fn pagination(&self) -> Option<Mapping> {
        let optional_int = |n: &Node| n.ty == TypeName::Integer && !n.required;
        let items = match self.result.ty {
            TypeName::Array => None,
            TypeName::Object => {
                if self
                    .result
                    .fields
                    .get("hasNextPage")
                    .is_some_and(|n| n.ty != TypeName::Boolean)
                {
                    return None;
                }
                let mut arrays = self
                    .result
                    .fields
                    .iter()
                    .filter(|(_, n)| n.ty == TypeName::Array);
                match (arrays.next(), arrays.next()) {
                    (Some((key, _)), None) => Some(key.clone()),
                    _ => return None,
                }
            }
            _ => return None,
        };
        let mut m = Mapping::new();
        let both = |fields: &IndexMap<String, Node>| {
            ["limit", "offset"]
                .iter()
                .all(|k| fields.get(*k).is_some_and(optional_int))
        };
        if self.params.get("start").is_some_and(optional_int) {
            m.insert("style".into(), "classic".into());
        } else if both(&self.params) {
            m.insert("style".into(), "offset".into());
        } else {
            let (wrapper, _) = self
                .params
                .iter()
                .find(|(_, n)| n.ty == TypeName::Object && both(&n.fields))?;
            m.insert("style".into(), "offset".into());
            m.insert("offset".into(), format!("{wrapper}.offset").into());
            m.insert("limit".into(), format!("{wrapper}.limit").into());
        }
        if let Some(key) = items {
            m.insert("items".into(), key.into());
        }
        Some(m)
    }

    fn params_node(&self) -> Node {
        let mut n = Node::new(TypeName::Object);
        n.fields = self.params.clone();
        n
    }
}

/// Converts a method page into a spec that loads, or says why it cannot.
pub fn import(page: &Page, method: &str) -> Result<Imported, Failure> {
    let mut lost = Vec::new();
    let mut counts = ExampleCounts::default();
    for (line, target) in &page.missing_includes {
        lost.push(Lost::new(
            *line,
            format!("the included fragment `{target}` is missing"),
        ));
    }
    if is_v3(page) {
        lost.push(Lost::new(
            1,
            "the method is served under `/rest/api/` (REST v3); the format cannot say so",
        ));
    }
    let (scope, access, app_only) = header_facts(page);
    let folder = page.path.split('/').next().unwrap_or("");
    // The methods that manage event handlers need no scope: they are served to every
    // application, as the `basic` methods are.
    let folder = if folder == "events" { "basic" } else { folder };
    let scope = scope.map_or_else(|| scope_name(folder), |(s, _)| scope_name(&s));
    let (also_scopes, alternative_scopes) = other_scopes(page, &scope, &mut lost);
    let fail = |reason: String, lost: Vec<Lost>, examples: ExampleCounts| Failure {
        reason,
        lost,
        examples,
    };
    if !is_method_name(method)
        && !method
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(fail(
            format!("`{method}` is not a REST method name"),
            lost,
            counts,
        ));
    }
    let (title, _) = title(page).unwrap_or_default();
    let summary = {
        let t = plain(&title);
        let t = t.strip_suffix(method).unwrap_or(&t).trim().to_owned();
        if t.is_empty() {
            format!("The `{method}` method.")
        } else {
            t
        }
    };

    let s = sections(page);
    // Parameters.
    let (param_members, _) = member_tree(&s.params, &mut lost);
    let mut params = IndexMap::new();
    for m in &param_members {
        if m.family {
            lost.push(Lost::new(
                m.line,
                format!(
                    "parameter family `{}...`: the format says families of members inside objects only",
                    m.name
                ),
            ));
            continue;
        }
        if params.contains_key(&m.name) {
            lost.push(Lost::new(
                m.line,
                format!("parameter `{}` is listed twice", m.name),
            ));
            continue;
        }
        params.insert(m.name.clone(), node_of(m, true, "", &mut lost));
    }
    // What adds or changes a record takes no list query: a `FILTER` there is a structure of
    // its own (bizproc.activity.add's `{INCLUDE: [...], EXCLUDE: [...]}`).
    let verb = method
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if ["add", "update", "set", "register", "bind"]
        .iter()
        .any(|w| verb.starts_with(w))
    {
        for node in params.values_mut() {
            if matches!(node.ty, TypeName::Filter | TypeName::Order) {
                node.ty = TypeName::Object;
            }
        }
    }
    // Result.
    let (resp_members, _) = member_tree(&s.response, &mut lost);
    let mut result_node: Option<Node> = None;
    let mut result_fields = IndexMap::new();
    let mut result_families = IndexMap::new();
    for m in &resp_members {
        match m.name.as_str() {
            _ if m.family => {
                result_families.insert(m.name.clone(), family_node(m, false, "result", &mut lost));
            }
            "result" => result_node = Some(node_of(m, false, "", &mut lost)),
            "time" | "total" | "next" => {}
            _ => {
                result_fields.insert(m.name.clone(), node_of(m, false, "result", &mut lost));
            }
        }
    }
    let table_result = result_node.is_some() || !result_fields.is_empty();
    let mut result = result_node.unwrap_or_else(|| {
        if result_fields.is_empty() {
            Node::new(TypeName::Any)
        } else {
            let mut n = Node::new(TypeName::Object);
            n.fields = result_fields;
            n
        }
    });
    if result.ty == TypeName::Object {
        result.dynamic.extend(result_families);
    }
    result.required = true;
    result.normalize();

    let mut errors = error_rows(&s, &mut lost);
    let mut examples = response_examples(&s, &errors, &mut counts, &mut lost);
    let requests = request_examples(&s, &mut counts, &mut lost);

    // Error examples name codes the spec must know.
    for ex in &examples {
        let Some(o) = ex.response.as_object() else {
            continue;
        };
        let Some(code) = o.get("error").and_then(Value::as_str) else {
            continue;
        };
        if !errors.iter().any(|e| e.code.eq_ignore_ascii_case(code))
            && !is_system_code(code)
            && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            errors.push(ErrorRow {
                code: code.to_owned(),
                status: ex.status,
                description: o
                    .get("error_description")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned(),
                in_result: false,
            });
        }
    }
    // A page that shows an error inside a successful `result` (`{result: {result: false, error:
    // CODE}}`) answers its errors of status 200 that way.
    let inside = examples.iter().any(|ex| {
        ex.response
            .get("result")
            .and_then(|r| r.get("error"))
            .and_then(Value::as_str)
            .is_some_and(|code| !code.is_empty())
    });
    if inside {
        for e in errors.iter_mut().filter(|e| e.status == 200) {
            e.in_result = true;
        }
    }
    examples.retain(|ex| {
        let code = ex.response.get("error").and_then(Value::as_str);
        let ok = code.is_none_or(|c| {
            errors.iter().any(|e| e.code.eq_ignore_ascii_case(c)) || is_system_code(c)
        });
        if !ok {
            lost.push(Lost::new(
                ex.line,
                "error example with a code the format does not accept",
            ));
        }
        ok
    });

    // The examples as documented, against the tables.
    for ex in &examples {
        match ex.response.get("result") {
            Some(r) => {
                if result
                    .to_schema()
                    .is_some_and(|sc| bitrix_spec::conforms(&sc, r, Mode::Response).is_ok())
                {
                    counts.valid_as_documented += 1;
                }
            }
            None => counts.valid_as_documented += 1,
        }
    }
    // The example wins: the result takes the shape the success examples show.
    if table_result {
        for ex in &examples {
            if let Some(r) = ex.response.get("result") {
                reconcile(&mut result, r, Mode::Response, "result", ex.line, &mut lost);
            }
        }
    }
    if !table_result {
        // No table: the examples are all there is.
        if let Some(r) = examples.iter().find_map(|e| e.response.get("result")) {
            let mut n = infer(r);
            n.required = true;
            n.normalize();
            for ex in &examples {
                if let Some(r) = ex.response.get("result") {
                    reconcile(
                        &mut n,
                        r,
                        Mode::Response,
                        "result",
                        ex.line,
                        &mut Vec::new(),
                    );
                }
            }
            result = n;
        } else {
            lost.push(Lost::new(
                1,
                "the page describes no result (no returned-data table, no success example); typed as any",
            ));
        }
    }
    result.required = true;

    let mut header = Mapping::new();
    let mut put = |k: &str, v: Yaml| {
        header.insert(Yaml::String(k.to_owned()), v);
    };
    put("method", Yaml::String(method.to_owned()));
    put("scope", Yaml::String(scope.clone()));
    let names = |l: &[String]| Yaml::Sequence(l.iter().map(|s| Yaml::String(s.clone())).collect());
    if !also_scopes.is_empty() {
        put("also_scopes", names(&also_scopes));
    }
    if !alternative_scopes.is_empty() {
        put("alternative_scopes", names(&alternative_scopes));
    }
    put("summary", Yaml::String(summary));
    put(
        "access",
        Yaml::String(access.unwrap_or_else(|| "not stated".to_owned())),
    );
    let contexts = if app_only {
        vec![AuthContext::Application]
    } else {
        vec![AuthContext::Application, AuthContext::Webhook]
    };
    put(
        "contexts",
        Yaml::Sequence(
            contexts
                .iter()
                .map(|c| Yaml::String(c.as_str().into()))
                .collect(),
        ),
    );
    put("idempotent", Yaml::Bool(idempotent(method)));
    put("docs", Yaml::String(docs_url(&page.path)));
    if let Some(d) = deprecation(page, method, &mut lost) {
        put("deprecated", d);
    }
    if s.no_params && !params.is_empty() {
        lost.push(Lost::new(
            1,
            "the page says there are no parameters, yet lists some",
        ));
    }

    let mut draft = Draft {
        header,
        params,
        result,
        errors,
        examples,
        paging: true,
    };
    let file = format!("{scope}/{method}.yaml");
    let context = contexts[0];
    // Names first, then load; repair what the checks refuse, a bounded number of times.
    let mut pn = draft.params_node();
    pn.finalize("", &mut lost);
    draft.params = pn.fields;
    draft.result.finalize("result", &mut lost);
    let mut requests_valid = vec![false; requests.len()];
    for round in 0..12 {
        let yaml = draft.yaml();
        match bitrix_spec::load(&file, &yaml) {
            Ok(spec) => {
                // Request examples: the example wins over the table.
                let mut changed = false;
                for (i, (req, line)) in requests.iter().enumerate() {
                    let req = match_keys(req, &draft.params);
                    match bitrix_spec::validate_request(&spec, &req, context) {
                        Ok(()) => {
                            if round == 0 {
                                counts.valid_as_documented += 1;
                            }
                            requests_valid[i] = true;
                        }
                        Err(v) => {
                            requests_valid[i] = false;
                            changed |= repair_request(&mut draft, &v, &req, *line, &mut lost);
                        }
                    }
                }
                if changed {
                    continue;
                }
                counts.valid_in_spec =
                    draft.examples.len() + requests_valid.iter().filter(|v| **v).count();
                let yaml = format!("{}\n{yaml}", crate::outdir::marker(&docs_url(&page.path)));
                return Ok(Imported {
                    method: method.to_owned(),
                    scope,
                    yaml,
                    spec,
                    lost,
                    examples: counts,
                });
            }
            Err(diags) if draft.paging && diags.iter().any(|d| d.key.starts_with("pagination")) => {
                draft.paging = false;
                lost.push(Lost::new(
                    1,
                    format!(
                        "pagination: {}",
                        diags
                            .iter()
                            .find(|d| d.key.starts_with("pagination"))
                            .map_or_else(String::new, |d| d.message.clone())
                    ),
                ));
            }
            Err(diags) => {
                if !repair(&mut draft, &diags, &mut lost) {
                    let first = diags.first().map_or_else(String::new, ToString::to_string);
                    return Err(fail(
                        format!("the spec does not load: {first}"),
                        lost,
                        counts,
                    ));
                }
            }
        }
    }
    Err(fail("repairs did not converge".into(), lost, counts))
}

/// The request's keys spelled as the spec's parameters (the portal reads them either way).
fn match_keys(req: &Map<String, Value>, params: &IndexMap<String, Node>) -> Map<String, Value> {
    req.iter()
        .map(|(k, v)| {
            let key = params
                .keys()
                .find(|p| p.eq_ignore_ascii_case(k))
                .cloned()
                .unwrap_or_else(|| k.clone());
            (key, v.clone())
        })
        .collect()
}

fn repair_request(
    draft: &mut Draft,
    v: &Violation,
    req: &Map<String, Value>,
    line: usize,
    lost: &mut Vec<Lost>,
) -> bool {
    match v {
        Violation::Missing(p) => match draft.params.get_mut(p) {
            Some(n) if n.required => {
                n.required = false;
                lost.push(Lost::new(
                    n.line.max(1),
                    format!("parameter `{p}` is marked required, but the request example at line {line} leaves it out; made optional"),
                ));
                true
            }
            _ => false,
        },
        Violation::Invalid { param: p, .. } => {
            let Some(value) = req.get(p) else {
                return false;
            };
            let Some(n) = draft.params.get_mut(p) else {
                return false;
            };
            let before = lost.len();
            reconcile(n, value, Mode::Request, p, line, lost);
            lost.len() > before
        }
        Violation::NoParams | Violation::Rule(..) => false,
    }
}

/// Loosens or drops what the checks refuse; `false` when nothing could be done.
fn repair(draft: &mut Draft, diags: &[bitrix_spec::Diagnostic], lost: &mut Vec<Lost>) -> bool {
    let mut done = false;
    // Drop from the end so indexes stay valid.
    let mut drop_errors = Vec::new();
    let mut drop_examples = Vec::new();
    for d in diags {
        let key = d.key.as_str();
        let head = key.split(['.', '[']).next().unwrap_or("");
        match head {
            "params" => {
                let name = key
                    .strip_prefix("params.")
                    .and_then(|r| {
                        draft
                            .params
                            .keys()
                            .find(|k| r == k.as_str() || r.starts_with(&format!("{k}.")))
                    })
                    .cloned();
                if let Some(name) = name {
                    if let Some(n) = draft.params.get_mut(&name) {
                        if n.ty != TypeName::Any {
                            lost.push(Lost::new(
                                n.line.max(1),
                                format!("parameter `{name}` left untyped: {}", d.message),
                            ));
                            let required = n.required;
                            *n = Node::new(TypeName::Any);
                            n.required = required;
                            done = true;
                        }
                    }
                }
            }
            "result" if draft.result.ty != TypeName::Any => {
                lost.push(Lost::new(
                    draft.result.line.max(1),
                    format!("result left untyped: {}", d.message),
                ));
                draft.result = Node::new(TypeName::Any);
                draft.result.required = true;
                done = true;
            }
            "errors" => {
                if let Some(i) = index_of(key) {
                    drop_errors.push(i);
                }
            }
            "examples" => {
                if let Some(i) = index_of(key) {
                    drop_examples.push(i);
                }
            }
            "deprecated" => {
                draft.header.insert("deprecated".into(), Yaml::Bool(true));
                lost.push(Lost::new(
                    1,
                    format!("deprecation replacement dropped: {}", d.message),
                ));
                done = true;
            }
            _ => {}
        }
    }
    drop_errors.sort_unstable();
    drop_errors.dedup();
    for i in drop_errors.into_iter().rev() {
        if i < draft.errors.len() {
            let e = draft.errors.remove(i);
            lost.push(Lost::new(
                1,
                format!(
                    "error `{}` \"{}\" dropped: the checks refuse it",
                    e.code, e.description
                ),
            ));
            done = true;
        }
    }
    drop_examples.sort_unstable();
    drop_examples.dedup();
    for i in drop_examples.into_iter().rev() {
        if i < draft.examples.len() {
            let e = draft.examples.remove(i);
            lost.push(Lost::new(e.line, "example dropped: the checks refuse it"));
            done = true;
        }
    }
    done
}

fn index_of(key: &str) -> Option<usize> {
    let start = key.find('[')? + 1;
    let end = key[start..].find(']')? + start;
    key[start..end].parse().ok()
}

// ---------------------------------------------------------------------------------------------
// Event pages
// ---------------------------------------------------------------------------------------------

static EVENT_WORD: LazyLock<Regex> =
    // `onCrmDealAdd`, `OnImConnectorMessageAdd`, `ONVOXIMPLANTCALLINIT`, and the catalog's
    // dotted capitals, `CATALOG.PRICE.ON.ADD` (REST methods are never all capitals).
    LazyLock::new(|| {
        Regex::new(r"^(?:(?:on|On|ON)[A-Z][A-Za-z0-9_]*|[A-Z][A-Z0-9_]*(?:\.[A-Z0-9_]+)+)$")
            .expect("valid")
    });

/// An event spec made from an event page.
#[derive(Debug, Clone)]
pub struct ImportedEvent {
    /// The event's name as the spec writes it (`onCrmDealAdd`), also its file name.
    pub name: String,
    /// The scope (the output folder).
    pub scope: String,
    /// The page states the scope (else it is the page's folder's).
    pub scope_stated: bool,
    /// The spec, as YAML text that loads.
    pub yaml: String,
    /// What the spec does not carry.
    pub lost: Vec<Lost>,
    /// Examples seen.
    pub examples: ExampleCounts,
}

impl ImportedEvent {
    /// The same spec in another scope folder.
    pub fn in_scope(mut self, scope: &str) -> ImportedEvent {
        self.scope = scope.to_owned();
        self
    }
}

/// `on-voximplant-call-init` -> `onVoximplantCallInit`.
fn camel_of_stem(stem: &str) -> String {
    let mut out = String::new();
    for (i, w) in stem.split('-').filter(|w| !w.is_empty()).enumerate() {
        let mut c = w.chars();
        if let Some(first) = c.next() {
            if i == 0 {
                out.extend(first.to_lowercase());
            } else {
                out.extend(first.to_uppercase());
            }
            out.push_str(c.as_str());
        }
    }
    out
}

/// The event a page documents, as the reference writes its name: the title's `onX`/`OnX`/`ONX`
/// word (an all-capitals name is spelled as the page's file name spells it, when they agree),
/// else the `event` of its payload example, else its file name (`on-x-y.md`).
pub fn event_name(page: &Page) -> Option<String> {
    let stem = page
        .path
        .rsplit('/')
        .next()
        .unwrap_or("")
        .trim_end_matches(".md");
    let from_stem = stem.starts_with("on-").then(|| camel_of_stem(stem));
    let spell = |w: &str| -> String {
        let all_caps = !w.chars().any(|c| c.is_ascii_lowercase());
        match &from_stem {
            Some(s) if all_caps && s.eq_ignore_ascii_case(w) => s.clone(),
            _ => w.to_owned(),
        }
    };
    if let Some((title, _)) = title(page) {
        let found = title
            .split_whitespace()
            .map(|w| w.trim_matches(|c: char| "`*,:;()\"'".contains(c)))
            .find(|w| EVENT_WORD.is_match(w));
        if let Some(w) = found {
            return Some(spell(w));
        }
    }
    for b in &page.blocks {
        let Block::Code { text, .. } = b else {
            continue;
        };
        if let Ok((v, _)) = parse_example(text) {
            if let Some(e) = v.get("event").and_then(Value::as_str) {
                if EVENT_WORD.is_match(e) {
                    return Some(spell(e));
                }
            }
        }
    }
    from_stem.filter(|s| EVENT_WORD.is_match(s))
}

/// The words of the names the reference spells in mixed case (events such as
/// `onImbotMessageAdd`, methods such as `imbot.v2.Chat.Message.send`), to spell a name it only
/// writes in capitals: `ONIMBOTV2MESSAGEADD` -> `onImbotV2MessageAdd`.
#[derive(Debug, Clone, Default)]
pub struct Words(std::collections::BTreeSet<String>);

impl Words {
    /// The words of `names`, lower-cased.
    pub fn of<'a>(names: impl IntoIterator<Item = &'a str>) -> Words {
        let mut set = std::collections::BTreeSet::new();
        // A name in capitals shows no words.
        for name in names
            .into_iter()
            .filter(|n| n.chars().any(|c| c.is_ascii_lowercase()))
        {
            let mut word = String::new();
            let mut prev_lower = false;
            for c in name.chars() {
                if !c.is_ascii_alphanumeric() {
                    if !word.is_empty() {
                        set.insert(std::mem::take(&mut word).to_ascii_lowercase());
                    }
                    prev_lower = false;
                    continue;
                }
                if c.is_ascii_uppercase() && prev_lower && !word.is_empty() {
                    set.insert(std::mem::take(&mut word).to_ascii_lowercase());
                }
                prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
                word.push(c);
            }
            if !word.is_empty() {
                set.insert(word.to_ascii_lowercase());
            }
        }
        Words(set)
    }

    /// `name` in mixed case when it is written in capitals and splits into known words (the
    /// fewest), else as it is.
    pub fn spell(&self, name: &str) -> String {
        if name.chars().any(|c| c.is_ascii_lowercase()) || name.contains('.') {
            return name.to_owned();
        }
        let lower = name.to_ascii_lowercase();
        let n = lower.len();
        // best[i]: the fewest words that spell lower[..i], and where the last one starts.
        let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
        best[0] = Some((0, 0));
        for end in 1..=n {
            for start in 0..end {
                let Some((count, _)) = best[start] else {
                    continue;
                };
                if self.0.contains(&lower[start..end])
                    && best[end].is_none_or(|(c, _)| count + 1 < c)
                {
                    best[end] = Some((count + 1, start));
                }
            }
        }
        if best[n].is_none() {
            return name.to_owned();
        }
        let mut parts = Vec::new();
        let mut end = n;
        while end > 0 {
            let Some((_, start)) = best[end] else { break };
            parts.push(&lower[start..end]);
            end = start;
        }
        parts.reverse();
        let mut out = String::new();
        for (i, w) in parts.iter().enumerate() {
            if i == 0 {
                out.push_str(w);
            } else {
                let mut c = w.chars();
                if let Some(f) = c.next() {
                    out.extend(f.to_uppercase());
                    out.push_str(c.as_str());
                }
            }
        }
        out
    }
}

/// The events of a page that documents several, one `## ONX {#anchor}` section each: per
/// event, a page made of the page's header (its lines before the first section, such as the
/// scope) and the section, titled by the event's name, with the section's anchor.
pub fn event_sections(page: &Page) -> Vec<(Page, Option<String>)> {
    let mut header = Vec::new();
    let mut sections: Vec<(Vec<Block>, Option<String>)> = Vec::new();
    let mut current: Option<usize> = None;
    let mut started = false;
    for b in &page.blocks {
        match b {
            Block::Heading { level: 1, .. } => {}
            Block::Heading {
                level: 2,
                text,
                anchor,
                line,
            } => {
                started = true;
                let word = text.trim().trim_matches('`');
                current = if EVENT_WORD.is_match(word) {
                    sections.push((
                        vec![Block::Heading {
                            level: 1,
                            text: word.to_owned(),
                            anchor: None,
                            line: *line,
                        }],
                        anchor.clone(),
                    ));
                    Some(sections.len() - 1)
                } else {
                    None
                };
            }
            _ => match current {
                Some(i) => sections[i].0.push(b.clone()),
                None if !started => {
                    if let Block::Text(_) = b {
                        header.push(b.clone());
                    }
                }
                None => {}
            },
        }
    }
    sections
        .into_iter()
        .map(|(mut blocks, anchor)| {
            let title = blocks.remove(0);
            let mut all = vec![title];
            all.extend(header.iter().cloned());
            all.extend(blocks);
            (
                Page {
                    path: page.path.clone(),
                    blocks: all,
                    missing_includes: page.missing_includes.clone(),
                },
                anchor,
            )
        })
        .collect()
}

/// Members named with dots (`data.FIELDS`) put under the member they name.
fn nest_dotted(members: Vec<Member>, lost: &mut Vec<Lost>) -> Vec<Member> {
    /// The member `path` names a child of, if it is there.
    fn parent<'m>(into: &'m mut [Member], path: &[&str]) -> Option<&'m mut Member> {
        let (head, rest) = path.split_first()?;
        let p = into.iter_mut().find(|p| p.name == *head)?;
        if rest.len() <= 1 {
            Some(p)
        } else {
            parent(&mut p.children, rest)
        }
    }
    let mut out: Vec<Member> = Vec::new();
    for m in members {
        if !m.name.contains('.') {
            out.push(m);
            continue;
        }
        let name = m.name.clone();
        let parts: Vec<&str> = name.split('.').collect();
        match parent(&mut out, &parts) {
            Some(p) if parts.len() > 1 => p.children.push(Member {
                name: parts[parts.len() - 1].to_owned(),
                ..m
            }),
            _ => lost.push(Lost::new(
                m.line,
                format!("`{name}` names no member listed before it"),
            )),
        }
    }
    out
}

/// Who may subscribe, from the page's header.
fn subscribers(page: &Page) -> Option<String> {
    page.blocks.iter().find_map(|b| {
        let Block::Text(l) = b else { return None };
        let t = l.text.trim_start_matches(['>', ' ']);
        let rest = t.strip_prefix("Who can subscribe:")?;
        Some(plain(rest)).filter(|a| !a.is_empty())
    })
}

/// Converts an event page into an event spec that loads, or says why it cannot.
pub fn import_event(
    page: &Page,
    section: Option<&str>,
    words: &Words,
) -> Result<ImportedEvent, Failure> {
    let url = match section {
        Some(anchor) => format!("{}#{anchor}", docs_url(&page.path)),
        None => docs_url(&page.path),
    };
    let mut lost = Vec::new();
    let mut counts = ExampleCounts::default();
    let fail = |reason: String, lost: Vec<Lost>, examples: ExampleCounts| Failure {
        reason,
        lost,
        examples,
    };
    let Some(name) = event_name(page).map(|n| words.spell(&n)) else {
        return Err(fail(
            "names no event (no `onX` word in the title, no payload example)".into(),
            lost,
            counts,
        ));
    };
    let (scope, _, _) = header_facts(page);
    let folder = page.path.split('/').next().unwrap_or("");
    let folder = if folder == "events" { "basic" } else { folder };
    let scope_stated = scope.is_some();
    let scope = scope.map_or_else(|| scope_name(folder), |(s, _)| scope_name(&s));
    let (title_text, _) = title(page).unwrap_or_default();
    let summary = {
        let t = plain(&title_text);
        let t: Vec<&str> = t
            .split_whitespace()
            .filter(|w| {
                !w.trim_matches(|c: char| "`*,:;()\"'".contains(c))
                    .eq_ignore_ascii_case(&name)
            })
            .collect();
        let t = t.join(" ");
        if t.is_empty() {
            format!("The `{name}` event.")
        } else {
            t
        }
    };

    // Every member table of the page: the first is the payload, the others are attached to the
    // members they describe.
    let mut placed = Vec::new();
    let mut heading = String::new();
    let mut anchor = None;
    for b in &page.blocks {
        match b {
            Block::Heading {
                text, anchor: a, ..
            } => {
                heading = text.clone();
                anchor = a.clone();
            }
            Block::Table(t) => placed.push(Placed {
                table: t,
                heading: heading.clone(),
                anchor: anchor.clone(),
                main: placed.is_empty(),
            }),
            _ => {}
        }
    }
    let (members, _) = member_tree(&placed, &mut lost);
    let members = nest_dotted(members, &mut lost);
    let envelope = ["event", "event_handler_id", "ts", "auth", "data"];
    let mut data = match members.iter().find(|m| m.name == "data") {
        Some(m) => node_of(m, false, "", &mut lost),
        None if members.iter().any(|m| envelope.contains(&m.name.as_str())) => {
            Node::new(TypeName::Object)
        }
        // A table of the data's members alone.
        None => {
            let mut n = Node::new(TypeName::Object);
            for m in &members {
                if m.family {
                    n.dynamic
                        .insert(m.name.clone(), family_node(m, false, "data", &mut lost));
                } else {
                    n.fields
                        .insert(m.name.clone(), node_of(m, false, "data", &mut lost));
                }
            }
            n
        }
    };
    let from_tables = !data.fields.is_empty();

    // Payload examples: objects with `data` or `event`.
    let mut examples: Vec<(Value, usize)> = Vec::new();
    for b in &page.blocks {
        let Block::Code { lang, text, line } = b else {
            continue;
        };
        if !is_json_lang(lang) || !text.trim_start().starts_with('{') {
            continue;
        }
        counts.found += 1;
        let (value, cleaned) = match parse_example(text) {
            Ok(x) => x,
            Err(e) => {
                lost.push(Lost::new(*line, format!("payload example: {e}")));
                continue;
            }
        };
        counts.parsed += 1;
        // A page of several events shows each one's `data` alone.
        let value = match value {
            Value::Object(o) if section.is_some() && !o.contains_key("data") => {
                let mut env = Map::new();
                env.insert("event".into(), Value::String(name.to_ascii_uppercase()));
                env.insert("data".into(), Value::Object(o));
                Value::Object(env)
            }
            v => v,
        };
        if !value.get("data").is_some_and(Value::is_object) {
            continue;
        }
        if cleaned.changed() {
            lost.push(Lost::new(
                *line,
                format!("payload example cleaned: removed {}", cleaned.describe()),
            ));
        }
        if let Some(e) = value.get("event").and_then(Value::as_str) {
            if !e.eq_ignore_ascii_case(&name) {
                lost.push(Lost::new(
                    *line,
                    format!("an example of another event, `{e}`, left out"),
                ));
                continue;
            }
        }
        examples.push((value, *line));
    }
    data.required = true;
    data.normalize();
    if data.ty != TypeName::Object {
        data = Node::new(TypeName::Object);
    }
    // The example wins: `data` takes the shape the examples show; a member the table types by
    // an entity of another page (`Message`) takes it from the example.
    for (ex, line) in &examples {
        let d = &ex["data"];
        for (k, f) in data.fields.iter_mut() {
            if f.ty == TypeName::Any {
                if let Some(v) = d.get(k).filter(|v| v.is_object() || v.is_array()) {
                    let line = f.line;
                    *f = infer(v);
                    f.line = line;
                    f.normalize();
                }
            }
        }
        if !from_tables && data.fields.is_empty() {
            data = infer(d);
            data.normalize();
        }
        if let Some(sc) = data.to_schema() {
            if bitrix_spec::conforms(&sc, d, Mode::Response).is_ok() {
                counts.valid_as_documented += 1;
            }
        }
        reconcile(&mut data, d, Mode::Response, "data", *line, &mut lost);
    }
    if data.fields.is_empty() && examples.is_empty() {
        lost.push(Lost::new(
            1,
            "the page describes no `data` (no table, no payload example); its members are kept as sent",
        ));
    }
    data.finalize("data", &mut lost);
    // The portal POSTs events as PHP form bodies, which leave out empty arrays and objects:
    // no member of `data` can be relied on to be there.
    fn optional(n: &mut Node) {
        n.required = false;
        n.fields.values_mut().for_each(optional);
        if let Some(i) = &mut n.items {
            optional(i);
        }
    }
    data.fields.values_mut().for_each(optional);

    let mut m = Mapping::new();
    let mut put = |k: &str, v: Yaml| {
        m.insert(Yaml::String(k.to_owned()), v);
    };
    put("event", Yaml::String(name.clone()));
    put("summary", Yaml::String(summary));
    if let Some(a) = subscribers(page) {
        put("access", Yaml::String(a));
    }
    put("docs", Yaml::String(url.clone()));
    if let Some(d) = deprecation(page, &name, &mut lost) {
        let note = match d {
            Yaml::Mapping(m) => m
                .get("replacement")
                .and_then(Yaml::as_str)
                .map(|r| format!("use {r}"))
                .or_else(|| m.get("note").and_then(Yaml::as_str).map(str::to_owned))
                .unwrap_or_else(|| "marked deprecated by the reference".into()),
            _ => "marked deprecated by the reference".into(),
        };
        put("deprecated", Yaml::String(note));
    }
    let mut data_yaml = data.to_yaml();
    if let Yaml::Mapping(dm) = &mut data_yaml {
        // An object without members stays an object: its members are kept as sent.
        dm.insert("type".into(), "object".into());
    }
    put("data", data_yaml);
    let file = format!("{scope}/events/{name}.yaml");
    // An example the spec still refuses is left out, so that the spec loads.
    let mut kept: Vec<&(Value, usize)> = examples.iter().collect();
    for _ in 0..=examples.len() {
        let mut doc = m.clone();
        if !kept.is_empty() {
            doc.insert(
                "examples".into(),
                Yaml::Sequence(
                    kept.iter()
                        .map(|(v, _)| serde_yaml::to_value(v).unwrap_or(Yaml::Null))
                        .collect(),
                ),
            );
        }
        let yaml = serde_yaml::to_string(&Yaml::Mapping(doc)).unwrap_or_default();
        match bitrix_spec::load_event(&file, &yaml) {
            Ok(_) => {
                counts.valid_in_spec = kept.len();
                let yaml = format!("{}\n{yaml}", crate::outdir::marker(&url));
                return Ok(ImportedEvent {
                    name,
                    scope,
                    scope_stated,
                    yaml,
                    lost,
                    examples: counts,
                });
            }
            Err(diags) => {
                let bad = diags.iter().find_map(|d| {
                    let rest = d.key.strip_prefix("examples[")?;
                    Some((rest.split(']').next()?.parse::<usize>().ok()?, &d.message))
                });
                match bad {
                    Some((i, why)) if i < kept.len() => {
                        let (_, line) = kept.remove(i);
                        lost.push(Lost::new(*line, format!("payload example left out: {why}")));
                    }
                    _ => {
                        let first = diags.first().map_or_else(String::new, ToString::to_string);
                        return Err(fail(
                            format!("the event spec does not load: {first}"),
                            lost,
                            counts,
                        ));
                    }
                }
            }
        }
    }
    Err(fail("repairs did not converge".into(), lost, counts))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::page;

    fn page(text: &str) -> Page {
        page::parse(
            "demo/demo-thing-add.md",
            text,
            Path::new("/nonexistent/demo/demo-thing-add.md"),
        )
    }

    const PAGE: &str = r#"# Add a Thing demo.thing.add

> Scope: [`demo`](../scopes/permissions.md)
>
> Who can execute the method: administrator

{% note warning "DEPRECATED" %}

Replaced by [demo.item.add](../item/demo-item-add.md).

{% endnote %}

This method works only within the context of an [application](../app.md).

## Method Parameters

#|
|| **Name**
`type` | **Description** ||
|| **fields***
[`object`](../data-types.md) | Values ([details](#fields)) ||
|| **mode**
[`string`](../data-types.md) | How. Possible values:
- `fast` — quickly
- `slow` — slowly

By default `fast` ||
|| **LIMIT**
[`integer`](../data-types.md) | Page size, maximum 50 ||
|#

### Parameter fields {#fields}

#|
|| **Name**
`type` | **Description** ||
|| **TITLE***
[`string`](../data-types.md) | Title, up to 255 characters ||
|| **ACTIVE**
[`char`](../data-types.md) | Possible values: `Y`, `N` ||
|| **UF_...** | User fields ||
|#

## Response Handling

HTTP Status: **200**

```json
{
    "result": {"id": "15", "tags": [], "owner": {"id": 1}},
    // timing
    "time": {"start": 1.5, ...}
}
```

### Returned Data

#|
|| **Name**
`type` | **Description** ||
|| **result**
[`object`](../data-types.md) | The thing ([fields](#result)) ||
|| **time**
[`time`](../data-types.md) | Timing ||
|#

#### Object result {#result}

#|
|| **Name**
`type` | **Description** ||
|| **id**
[`integer`](../data-types.md) | Identifier ||
|| **tags**
[`string[]`](../data-types.md) | Tags ||
|| **owner**
[`integer`](../data-types.md) | Owner ||
|#

## Error Handling

HTTP Status: **400**, **403**

```json
{
    "error": "ERROR_EMPTY_TITLE",
    "error_description": "Title is empty"
}
```

### Possible Error Codes

#|
|| **Status** | **Code** | **Description** | **Value** ||
|| `400` | `ERROR_EMPTY_TITLE` | Title is empty | `TITLE` missing ||
|| `403` | `ACCESS_DENIED` | `Access denied!` | Not an administrator ||
|| `400` | Empty value | `Unknown error` | Anything else ||
|#
"#;

    #[test]
    fn javascript_sdk_functions_and_commands_are_told_from_rest_methods() {
        assert!(is_js_sdk_name("BX24.placement.call"));
        assert!(!is_js_sdk_name("placement.bind"));
        assert!(!is_js_sdk_name("BX24"));
        assert!(is_rest_name("imbot.v2.Chat.Message.send") && is_rest_name("profile"));
        assert!(!is_rest_name("crm.item..list") && !is_rest_name("crm-item.list"));
        let js = page(
            "# Get Status getStatus\n\n```js\nBX24.placement.call('getStatus', {}, f);\n```\n",
        );
        assert!(!calls_over_rest(&js, "getStatus"));
        let rest =
            page("# A demo.thing.add\n\n```js\nBX24.callMethod('demo.thing.add', {});\n```\n");
        assert!(calls_over_rest(&rest, "demo.thing.add"));
        let curl = page(
            "# A demo.thing.add\n\n```bash\ncurl https://x/rest/**put_your_user_id_here**/**put_your_webhook_here**/demo.thing.add\n```\n",
        );
        assert!(calls_over_rest(&curl, "demo.thing.add"));
        assert!(!calls_over_rest(&curl, "demo.thing"));
    }

    #[test]
    fn title_gives_the_method_and_the_summary() {
        let p = page(PAGE);
        assert_eq!(classify(&p), Kind::Method("demo.thing.add".into()));
        let imp = import(&p, "demo.thing.add").expect("imports");
        let spec = bitrix_spec::load("demo/demo.thing.add.yaml", &imp.yaml).expect("loads");
        assert_eq!(spec.summary, "Add a Thing");
        assert_eq!(spec.scope, "demo");
        assert_eq!(spec.access, "administrator");
        assert_eq!(spec.contexts, [AuthContext::Application]);
        assert!(!spec.idempotent);
        assert_eq!(
            spec.docs,
            "https://apidocs.bitrix24.com/api-reference/demo/demo-thing-add.html"
        );
    }

    #[test]
    fn event_and_overview_pages_are_not_method_pages() {
        let mut p = page("# Thing Added\n\n> Scope: `demo`\n");
        p.path = "demo/events/on-thing-add.md".into();
        assert_eq!(classify(&p), Kind::Event);
        let p = page("# Things: an overview\n\nSome words about `demo.thing.add`.\n");
        assert_eq!(classify(&p), Kind::Other);
        // No method in the title: the introduction names the one the file is named after.
        let p = page(
            "# Add a Thing\n\n> Who can execute the method: anyone\n\nThe `demo.thing.add` method adds.\n",
        );
        assert_eq!(classify(&p), Kind::Method("demo.thing.add".into()));
    }

    #[test]
    fn parameters_with_required_marks_nesting_enums_defaults_and_limits() {
        let imp = import(&page(PAGE), "demo.thing.add").expect("imports");
        let spec = bitrix_spec::load("demo/demo.thing.add.yaml", &imp.yaml).expect("loads");
        let fields = &spec.params["fields"];
        assert!(fields.required);
        assert_eq!(fields.ty, TypeName::Object);
        let members = fields.fields.as_ref().expect("nested table attached");
        assert!(members["TITLE"].required);
        assert_eq!(members["TITLE"].max_length, Some(255));
        assert_eq!(members["ACTIVE"].ty, TypeName::Yn);
        assert!(!members.contains_key("UF_..."));
        let mode = &spec.params["mode"];
        assert_eq!(mode.ty, TypeName::Enum);
        assert_eq!(
            mode.values.as_deref(),
            Some(&["fast".to_owned(), "slow".to_owned()][..])
        );
        assert_eq!(mode.default, Some(serde_yaml::Value::String("fast".into())));
        assert_eq!(spec.params["LIMIT"].maximum, Some(50.0));
        // The `UF_...` row is a family of members, not a member.
        assert!(
            fields
                .dynamic
                .as_ref()
                .is_some_and(|d| d.contains_key("UF_"))
        );
        assert!(
            imp.lost.iter().all(|l| !l.fact.contains("UF_")),
            "{:?}",
            imp.lost
        );
    }

    const LIST_PAGE: &str = r#"# List Things demo.thing.list

> Scope: [`demo`](../scopes/permissions.md)
>
> Who can execute the method: any user

## Method Parameters

#|
|| **Name**
`type` | **Description** ||
|| **filter**
[`object`](../data-types.md) | Filter. Possible values: `>=`, `>`, `<=`, `<`, `@`, `%` ||
|| **order**
[`object`](../data-types.md) | Sort order. Possible values: `asc`, `desc` ||
|| **STATUS**
[`integer`](../data-types.md) | Status. Possible values:
- `1` — open
- `2` — closed ||
|#

## Response Handling

HTTP Status: **200**

```json
{"result": {"result": true}, "time": {"start": 1.5}}
```

## Error Handling

HTTP Status: **200**

```json
{"result": {"result": false, "error": "THING_LOCKED", "error_description": "The thing is locked"}}
```

### Possible Error Codes

#|
|| **Status** | **Code** | **Description** | **Value** ||
|| `200` | `THING_LOCKED` | The thing is locked | Someone edits it ||
|| `403` | `WRONG_AUTH_TYPE` | Application context required | Called by a webhook ||
|#
"#;

    #[test]
    fn filters_orders_integer_values_and_errors_inside_the_result() {
        let imp = import(&page(LIST_PAGE), "demo.thing.list").expect("imports");
        let spec = bitrix_spec::load("demo/demo.thing.list.yaml", &imp.yaml).expect("loads");
        assert_eq!(spec.params["filter"].ty, TypeName::Filter);
        assert_eq!(spec.params["order"].ty, TypeName::Order);
        let status = &spec.params["STATUS"];
        assert_eq!(status.ty, TypeName::Integer);
        assert_eq!(
            status.values.as_deref(),
            Some(&["1".to_owned(), "2".to_owned()][..])
        );
        // The operators and the directions are what the types carry: nothing is lost.
        assert!(
            imp.lost.iter().all(|l| !l.fact.contains("allowed values")),
            "{:?}",
            imp.lost
        );
        let locked = spec
            .error_by_code("THING_LOCKED")
            .expect("the 200 row is kept");
        assert_eq!((locked.status, locked.in_result), (200, true));
        let auth = spec.error_by_code("WRONG_AUTH_TYPE").expect("the 403 row");
        assert_eq!((auth.status, auth.in_result), (403, false));
    }

    /// A list page with the given parameter rows and response example.
    fn paged_page(rows: &str, response: &str) -> String {
        format!(
            "# List Things demo.thing.list\n\n> Scope: [`demo`](../scopes/permissions.md)\n>\n> Who can execute the method: any user\n\n## Method Parameters\n\n#|\n|| **Name**\n`type` | **Description** ||\n{rows}|#\n\n## Response Handling\n\nHTTP Status: **200**\n\n```json\n{response}\n```\n"
        )
    }

    #[test]
    fn pagination_is_read_from_the_parameters_and_the_result() {
        let load = |rows: &str, response: &str| {
            let imp =
                import(&page(&paged_page(rows, response)), "demo.thing.list").expect("imports");
            bitrix_spec::load("demo/demo.thing.list.yaml", &imp.yaml)
                .expect("loads")
                .pagination
        };
        let int =
            |name: &str| format!("|| **{name}**\n[`integer`](../data-types.md) | {name} ||\n");
        // `start`, and the one array of `result`.
        let classic = load(
            &int("start"),
            r#"{"result": {"items": [{"id": 1}]}, "total": 1}"#,
        )
        .expect("a classic list");
        assert_eq!(classic.style, bitrix_spec::PageStyle::Classic);
        assert_eq!(classic.items.as_deref(), Some("items"));
        // `limit` and `offset` inside an object parameter.
        let wrapper = "|| **params**\n[`object`](../data-types.md) | Selection, see [Parameter params](#params) ||\n|#\n\n### Parameter params {#params}\n\n#|\n|| **Name**\n`type` | **Description** ||\n|| **limit**\n[`integer`](../data-types.md) | Page size ||\n|| **offset**\n[`integer`](../data-types.md) | Offset ||\n";
        let offset = load(wrapper, r#"{"result": [{"ID": "1"}]}"#);
        let offset = offset.expect("an offset list");
        assert_eq!(offset.style, bitrix_spec::PageStyle::Offset);
        assert_eq!(
            (offset.position_path(), offset.limit_path()),
            ("params.offset", "params.limit")
        );
        assert_eq!(offset.items, None);
        // No position, or no list in the result: no pagination.
        assert!(load(&int("limit"), r#"{"result": [{"ID": 1}]}"#).is_none());
        assert!(load(&int("start"), r#"{"result": {"a": [1], "b": [2]}}"#).is_none());
    }

    #[test]
    fn families_of_members_and_json_strings_are_read() {
        let rows = "|| **fields**\n[`object`](../data-types.md) | Fields, see [Fields](#fields) ||\n|| **ATTACH**\n[`object`](../data-types.md) | An attachment in object format or JSON string ||\n|#\n\n### Fields {#fields}\n\n#|\n|| **Name**\n`type` | **Description** ||\n|| **TITLE**\n[`string`](../data-types.md) | Title ||\n|| **UF_...**\n[`string`](../data-types.md) | Custom fields, such as `UF_CRM_25534736` ||\n|| **parentId...**\n[`integer`](../data-types.md) | Parent links ||\n";
        let imp = import(
            &page(&paged_page(rows, r#"{"result": 5}"#)),
            "demo.thing.list",
        )
        .expect("imports");
        let spec = bitrix_spec::load("demo/demo.thing.list.yaml", &imp.yaml).expect("loads");
        let fields = &spec.params["fields"];
        let families: Vec<(&str, TypeName)> = fields
            .dynamic
            .iter()
            .flatten()
            .map(|(k, s)| (k.as_str(), s.ty))
            .collect();
        assert_eq!(
            families,
            [("UF_", TypeName::String), ("parentId", TypeName::Integer)]
        );
        assert!(
            !fields
                .fields
                .as_ref()
                .is_some_and(|f| f.contains_key("UF_"))
        );
        assert!(
            imp.lost.iter().all(|l| !l.fact.contains("family")),
            "{:?}",
            imp.lost
        );
        assert!(spec.params["ATTACH"].json_string);
    }

    #[test]
    fn errors_examples_and_the_example_winning_over_the_table() {
        let imp = import(&page(PAGE), "demo.thing.add").expect("imports");
        let spec = bitrix_spec::load("demo/demo.thing.add.yaml", &imp.yaml).expect("loads");
        let errors: Vec<(&str, u16, &str)> = spec
            .errors
            .iter()
            .map(|e| (e.code.as_str(), e.status, e.description.as_str()))
            .collect();
        assert_eq!(
            errors,
            [
                ("ERROR_EMPTY_TITLE", 400, "Title is empty"),
                ("ACCESS_DENIED", 403, "Access denied!"),
                ("", 400, "Unknown error"),
            ]
        );
        assert_eq!(spec.examples.len(), 2);
        assert_eq!(spec.examples[1].status, 400);
        // The table says `owner` is an integer; the example shows an object.
        let result = spec.result.fields.as_ref().expect("result members");
        assert_eq!(result["owner"].ty, TypeName::Object);
        assert_eq!(result["id"].ty, TypeName::Integer);
        assert!(imp.lost.iter().any(|l| l.fact.contains("result.owner")));
        // The example was cleaned, and that is recorded.
        assert!(imp.lost.iter().any(|l| l.fact.contains("cleaned")));
        assert_eq!(imp.examples.found, 2);
        assert_eq!(imp.examples.valid_as_documented, 1);
    }

    #[test]
    fn other_scopes_of_a_page_are_kept() {
        let with = |line: &str| PAGE.replace("> Scope: [`demo`](../scopes/permissions.md)", line);
        let scopes = |line: &str| {
            let imp = import(&page(&with(line)), "demo.thing.add").expect("imports");
            let spec = bitrix_spec::load("demo/demo.thing.add.yaml", &imp.yaml).expect("loads");
            let lost: Vec<String> = imp
                .lost
                .iter()
                .filter(|l| l.fact.contains("scope"))
                .map(|l| l.fact.clone())
                .collect();
            (spec.scope, spec.also_scopes, spec.alternative_scopes, lost)
        };
        let (scope, also, alternative, lost) =
            scopes("> Scope: [`demo`](p.md), [`demo_brief`](p.md), [`demo_basic`](p.md)");
        assert_eq!(scope, "demo");
        assert!(also.is_empty() && lost.is_empty(), "{also:?} {lost:?}");
        assert_eq!(alternative, ["demo_brief", "demo_basic"]);
        let (_, also, alternative, _) = scopes("> Scope: [`demo`](p.md), [`sign.b2e`](p.md)");
        assert_eq!(also, ["sign_b2e"]);
        assert!(alternative.is_empty());
        let (_, also, _, lost) = scopes("> Scope: [`demo`, `depending on the placement`](p.md)");
        assert!(also.is_empty());
        assert_eq!(lost.len(), 1, "{lost:?}");
        assert!(lost[0].contains("`depending on the placement`"), "{lost:?}");
    }

    #[test]
    fn deprecation_names_its_replacement() {
        let imp = import(&page(PAGE), "demo.thing.add").expect("imports");
        let spec = bitrix_spec::load("demo/demo.thing.add.yaml", &imp.yaml).expect("loads");
        let d = spec.deprecated.expect("deprecated");
        assert_eq!(d.replacement.as_deref(), Some("demo.item.add"));
    }

    #[test]
    fn a_page_that_cannot_give_a_spec_fails_with_a_reason() {
        let p = page("# Something demo.-bad\n\n## Method Parameters\n");
        let f = import(&p, "demo.-bad name").expect_err("fails");
        assert!(f.reason.contains("not a REST method name"), "{}", f.reason);
        let e = page::read(Path::new("/nonexistent"), "x.md").expect_err("no such page");
        assert!(e.contains("cannot read"));
    }

    const EVENT_PAGE: &str = r#"# Call Start Event ONDEMOCALLSTART

> Scope: [`demo`](../scopes/permissions.md)
>
> Who can subscribe: any user

## What the Handler Receives

```json
{
    "event": "ONDEMOCALLSTART",
    "data": { "CALL": { "ID": "17", "KIND": "in" }, "EXTRA": [] },
    "ts": "1735374081",
    "auth": { "application_token": "x" }
}
```

#|
|| **Parameter**
`type` | **Description** ||
|| **event**
[`string`](../data-types.md) | Event code ||
|| **data**
[`object`](../data-types.md) | Data ||
|| **data.CALL**
[`object`](../data-types.md) | The call, [below](#call) ||
|| **auth**
[`object`](../data-types.md) | Auth ||
|#

### Parameter CALL {#call}

#|
|| **Parameter**
`type` | **Description** ||
|| **ID**
[`integer`](../data-types.md) | Call ID ||
|#
"#;

    #[test]
    fn an_event_page_becomes_an_event_spec() {
        let p = page::parse(
            "demo/events/on-demo-call-start.md",
            EVENT_PAGE,
            Path::new("/nonexistent/demo/events/on-demo-call-start.md"),
        );
        assert_eq!(classify(&p), Kind::Event);
        // The capitals of the title, spelled as the file name spells them.
        assert_eq!(event_name(&p).as_deref(), Some("onDemoCallStart"));
        let ev = import_event(&p, None, &Words::default()).expect("imports");
        assert_eq!(
            (ev.name.as_str(), ev.scope.as_str()),
            ("onDemoCallStart", "demo")
        );
        let spec =
            bitrix_spec::load_event("demo/events/onDemoCallStart.yaml", &ev.yaml).expect("loads");
        assert_eq!(spec.access.as_deref(), Some("any user"));
        assert_eq!(spec.summary, "Call Start Event");
        let call = &spec.data.fields.as_ref().expect("fields")["CALL"];
        let call_fields = call.fields.as_ref().expect("the sub-table");
        assert_eq!(call_fields["ID"].ty, TypeName::Integer);
        // Members only the example shows stay out of the type (a decoded payload keeps them in
        // `extra`), and no member is required: a form body leaves out empty ones.
        assert!(!call_fields.contains_key("KIND"), "{}", ev.yaml);
        assert!(!call.required && !call_fields["ID"].required);
        assert_eq!(spec.examples.len(), 1);
    }

    #[test]
    fn a_method_page_in_an_events_folder_is_a_method_page() {
        let p = page::parse(
            "events/event-bind.md",
            "# Register a Handler event.bind\n\n> Who can execute the method: any user\n",
            Path::new("/nonexistent/events/event-bind.md"),
        );
        assert_eq!(classify(&p), Kind::Method("event.bind".into()));
        let overview = page::parse(
            "demo/events/index.md",
            "# Overview of Events\n",
            Path::new("/nonexistent/demo/events/index.md"),
        );
        assert_eq!(classify(&overview), Kind::Other);
    }
}
