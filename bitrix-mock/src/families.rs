//! Entity families: methods of one entity that share a name prefix and end in `add`, `get`,
//! `list`, `update`, `delete` (and `fields`), found by walking the specs. Each family keeps one
//! in-memory store per portal, so that what `add` creates, `get` and `list` answer, `update`
//! changes and `delete` removes.
//!
//! Everything a family does is read from its specs: the wrapper parameter of the fields
//! (`fields`, `FIELDS`, or the parameters themselves), the id parameter (`id`, `ID`, `taskId`),
//! the shape of each answer (a bare id, a record, a record under a key such as `item`, a list at
//! the top or under a key such as `tasks`), the not-found error. An operation whose shape cannot
//! be read from its spec is no part of the family and keeps answering its example; so does a
//! family one of whose methods has a behaviour of its own.

use std::collections::{BTreeMap, HashMap};

use bitrix_spec::{ErrorSpec, Schema, Spec, Trigger, TypeName};
use serde_json::{Map, Value, json};

use crate::methods::Page;
use crate::params::{self, Written};
use crate::query::{Query, Refused};
use crate::server::Reply;
use crate::specs::Specs;

/// The portal's fixed page size for classic list methods.
const PAGE_SIZE: usize = 50;

/// Where a record sits in an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    /// The id alone, as a number (`394`) or, when `text`, as a string (`"394"`).
    Id { text: bool },
    /// The record itself.
    Record,
    /// The record under one key: `{"item": {...}}`.
    Wrapped(String),
}

/// Where the records of a list sit in its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ListShape {
    /// `result` is the array.
    Top,
    /// `result` is an object with the array under this key: `{"tasks": [...]}`.
    Under(String),
}

/// How a list pages, from its spec's `pagination`: classic (`start`, 50 a page, `next` and
/// `total`) unless the spec says otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Paging {
    /// `offset` style: the position is an offset, the page size is `limit`.
    offset: bool,
    /// Where the position is read (`start`, `params.offset`).
    position: String,
    /// Where an offset list's page size is read.
    limit: String,
    /// The object parameter that holds the position, and the list's `filter`, `order` and
    /// `select` beside it (`params` in `landing.site.getList`).
    wrapper: Option<String>,
    /// The result says `hasNextPage`.
    has_next: bool,
}

impl Paging {
    fn of(spec: &Spec) -> Paging {
        let p = spec.pagination.as_ref();
        let position = p.map_or("start", |p| p.position_path()).to_owned();
        Paging {
            offset: p.is_some_and(|p| p.style == bitrix_spec::PageStyle::Offset),
            limit: p.map_or("limit", |p| p.limit_path()).to_owned(),
            wrapper: position.rsplit_once('.').map(|(w, _)| w.to_owned()),
            position,
            has_next: spec
                .result
                .fields
                .as_ref()
                .is_some_and(|f| f.contains_key("hasNextPage")),
        }
    }
}

/// The value at a dotted path of the parameters.
fn at_path<'a>(params: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut steps = path.split('.');
    let mut v = params.get(steps.next()?)?;
    for step in steps {
        v = v.get(step)?;
    }
    Some(v)
}

/// What one of the operations does; the method name is the key it is kept under.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Op {
    Add {
        /// The parameter holding the fields; `None`: the parameters are the fields.
        wrapper: Option<String>,
        shape: Shape,
    },
    Get {
        id_param: String,
        shape: Shape,
    },
    List(ListShape, Paging),
    Update {
        id_param: String,
        wrapper: Option<String>,
        /// `Some` when the answer carries the updated record; else the example is answered.
        shape: Option<Shape>,
    },
    Delete {
        id_param: String,
    },
}

/// One family: its prefix and what its records look like.
#[derive(Debug, Clone)]
pub(crate) struct Family {
    /// The name prefix, lowercased: `crm.deal`, `tasks.task`.
    pub name: String,
    /// The key the id is kept under in a record (`ID`, `id`).
    id_key: String,
    /// Whether the portal sends ids of this family as strings (`"ID": "410"`).
    id_text: bool,
    /// A documented record (from the `get` or `list` example), the pattern of seeded records
    /// and the fields a filter or order may name besides the stored ones.
    template: Map<String, Value>,
    /// The not-found error of each operation, when its spec (or a sibling's) documents one.
    not_found: HashMap<String, (u16, String, String)>,
}

/// One operation of a family, looked up by method name.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    /// Index into [`Families::list`].
    family: usize,
    op: Op,
    /// The method's first success result, answered as it is where the operation has nothing
    /// of its own to say (`true` of `update`/`delete`).
    example: Value,
}

/// Every family of the specs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Families {
    list: Vec<Family>,
    /// By lowercased method name.
    members: HashMap<String, Member>,
}

/// The records of one family in one portal.
#[derive(Debug, Clone, Default)]
pub(crate) struct Store {
    last_id: i64,
    pub records: BTreeMap<i64, Map<String, Value>>,
}

/// The operations, by the last segment of their method names.
const OPS: [&str; 5] = ["add", "get", "list", "update", "delete"];

/// The first documented success `result` of a spec.
fn example_result(spec: &Spec) -> Option<&Value> {
    spec.examples
        .iter()
        .filter(|e| e.status == 200)
        .find_map(|e| e.response.get("result"))
}

/// The key of a record's id: `id` in any case.
fn id_key(record: &Map<String, Value>) -> Option<&String> {
    record.keys().find(|k| k.eq_ignore_ascii_case("id"))
}

/// The record an answer shows and where it sits; `None` if the answer shows none.
fn record_shape(result: &Value) -> Option<(Shape, &Map<String, Value>)> {
    match result {
        Value::Number(_) => None,
        Value::Object(map) if id_key(map).is_some() => Some((Shape::Record, map)),
        Value::Object(map) if map.len() == 1 => {
            let (key, inner) = map.iter().next()?;
            match inner {
                Value::Object(record) if id_key(record).is_some() => {
                    Some((Shape::Wrapped(key.clone()), record))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// Where a record sits in an answer its page shows no example of, from the result's schema: an
/// object with one object member wraps the record in it (`{"vat": {...}}`), any other object is
/// the record.
fn schema_record_shape(schema: &Schema) -> Option<Shape> {
    if schema.ty != TypeName::Object {
        return None;
    }
    let fields = schema.fields.as_ref();
    let members: Vec<(&String, &Schema)> = fields.into_iter().flatten().collect();
    match members.as_slice() {
        [(key, inner)] if inner.ty == TypeName::Object && !key.eq_ignore_ascii_case("id") => {
            Some(Shape::Wrapped((*key).clone()))
        }
        _ => Some(Shape::Record),
    }
}

/// The shape of `add`'s answer: a bare id, or a record.
fn add_shape(result: &Value) -> Option<Shape> {
    match result {
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(Shape::Id { text: false }),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            Some(Shape::Id { text: true })
        }
        other => record_shape(other).map(|(shape, _)| shape),
    }
}

/// The shape of a list's answer, from its example, else from its result schema.
fn list_shape(example: Option<&Value>, schema: &Schema) -> Option<ListShape> {
    match example {
        Some(Value::Array(_)) => return Some(ListShape::Top),
        Some(Value::Object(map)) => {
            let arrays: Vec<&String> = map
                .iter()
                .filter(|(_, v)| v.is_array())
                .map(|(k, _)| k)
                .collect();
            return match arrays.as_slice() {
                [key] => Some(ListShape::Under((*key).clone())),
                _ => None,
            };
        }
        Some(_) => return None,
        None => {}
    }
    match schema.ty {
        TypeName::Array => Some(ListShape::Top),
        TypeName::Object => {
            let arrays: Vec<&String> = schema
                .fields
                .iter()
                .flatten()
                .filter(|(_, s)| s.ty == TypeName::Array)
                .map(|(k, _)| k)
                .collect();
            match arrays.as_slice() {
                [key] => Some(ListShape::Under((*key).clone())),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The parameter naming the entity: `id` in any case, else the one parameter ending in `id`
/// that is a number (`taskId`).
fn id_param(spec: &Spec) -> Option<String> {
    if let Some(name) = spec.params.keys().find(|k| k.eq_ignore_ascii_case("id")) {
        return Some(name.clone());
    }
    let numeric = |s: &Schema| matches!(s.ty, TypeName::Integer | TypeName::Id);
    let candidates: Vec<&String> = spec
        .params
        .iter()
        .filter(|(k, s)| k.to_ascii_lowercase().ends_with("id") && numeric(s))
        .map(|(k, _)| k)
        .collect();
    match candidates.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    }
}

/// The parameter holding the fields of a record: `fields` in any case; `None` when the method
/// takes the fields as its parameters (`department.add`).
fn wrapper(spec: &Spec) -> Option<String> {
    spec.params
        .keys()
        .find(|k| k.eq_ignore_ascii_case("fields"))
        .cloned()
}

/// The documented error that says the entity does not exist: the entry marked `when: {
/// not_found: .. }`, else one whose words say so; one about something a field names (`The
/// user specified in the "Responsible" field was not found`) is another matter.
fn not_found_error(spec: &Spec) -> Option<&ErrorSpec> {
    let marked = spec
        .errors
        .iter()
        .find(|e| matches!(e.when, Some(Trigger::NotFound(_))));
    if marked.is_some() {
        return marked;
    }
    let says = |e: &&ErrorSpec| {
        let code = e.code.to_ascii_lowercase();
        let text = e.description.to_ascii_lowercase();
        e.when.is_none()
            && !text.contains("field")
            && (code.contains("not_found")
                || text.contains("not found")
                || text.contains("does not exist"))
    };
    spec.errors.iter().find(says)
}

impl Families {
    /// Walks the specs for families: a prefix with `add` and `get` or `list`, none of whose
    /// methods has a behaviour of its own (`has_behaviour`).
    pub(crate) fn discover(specs: &Specs, has_behaviour: impl Fn(&str) -> bool) -> Families {
        let mut prefixes: BTreeMap<&str, BTreeMap<&str, &Spec>> = BTreeMap::new();
        let mut list_names: HashMap<&str, &str> = HashMap::new();
        for (name, spec) in specs.iter() {
            if let Some((prefix, op)) = name.rsplit_once('.') {
                if OPS.contains(&op) || op == "fields" {
                    prefixes.entry(prefix).or_default().insert(op, spec);
                }
            }
        }
        // `getList` (landing, sale, task) is the list where no `list` sits beside it.
        for (name, spec) in specs.iter() {
            if let Some((prefix, op)) = name.rsplit_once('.') {
                if op.eq_ignore_ascii_case("getlist") {
                    if let Some(ops) = prefixes.get_mut(prefix) {
                        if !ops.contains_key("list") {
                            ops.insert("list", spec);
                            list_names.insert(prefix, op);
                        }
                    }
                }
            }
        }
        let mut families = Families::default();
        for (prefix, ops) in prefixes {
            let Some(add) = ops.get("add") else { continue };
            if !(ops.contains_key("get") || ops.contains_key("list")) {
                continue;
            }
            if ops
                .keys()
                .any(|op| has_behaviour(&format!("{prefix}.{op}")))
            {
                continue;
            }
            let Some(add_shape) = example_result(add).and_then(add_shape) else {
                continue;
            };
            let get_record = ops
                .get("get")
                .and_then(|s| example_result(s))
                .and_then(record_shape);
            let list_record = ops
                .get("list")
                .and_then(|s| example_result(s))
                .and_then(|r| match r {
                    Value::Array(items) => items.first(),
                    Value::Object(map) => map.values().find_map(|v| v.as_array()?.first()),
                    _ => None,
                })
                .and_then(Value::as_object);
            let add_record = example_result(add).and_then(record_shape).map(|(_, r)| r);
            let template = get_record
                .map(|(_, r)| r)
                .or(list_record)
                .or(add_record)
                .cloned()
                .unwrap_or_default();
            let id_key_name = id_key(&template)
                .cloned()
                .unwrap_or_else(|| "ID".to_owned());
            let id_text = match template.get(&id_key_name) {
                Some(v) => v.is_string(),
                None => matches!(add_shape, Shape::Id { text: true }),
            };
            let index = families.list.len();
            let mut family = Family {
                name: prefix.to_owned(),
                id_key: id_key_name,
                id_text,
                template,
                not_found: HashMap::new(),
            };
            // A page that forgot its not-found error: the one its siblings about one entity
            // document.
            let sibling_error = ["get", "delete", "update"]
                .iter()
                .filter_map(|op| ops.get(op))
                .find_map(|s| not_found_error(s));
            let mut add_member = |op_name: &str, op: Op, spec: &Spec| {
                let op_name = match op {
                    Op::List(..) => list_names.get(prefix).copied().unwrap_or(op_name),
                    _ => op_name,
                };
                let method = format!("{prefix}.{op_name}");
                let documented = not_found_error(spec).or(sibling_error);
                if let Some(e) = documented {
                    family.not_found.insert(
                        method.clone(),
                        (e.status, e.code.clone(), e.description.clone()),
                    );
                }
                let example = example_result(spec).cloned().unwrap_or(Value::Bool(true));
                families.members.insert(
                    method,
                    Member {
                        family: index,
                        op,
                        example,
                    },
                );
            };
            add_member(
                "add",
                Op::Add {
                    wrapper: wrapper(add),
                    shape: add_shape.clone(),
                },
                add,
            );
            for (&op, &spec) in &ops {
                let result = example_result(spec);
                let op = match op {
                    "get" => {
                        let shape = match result {
                            Some(r) => record_shape(r).map(|(shape, _)| shape),
                            // A page without example or result table: the record sits where
                            // `add` puts it.
                            None if spec.result.ty == TypeName::Any => match &add_shape {
                                Shape::Id { .. } => Some(Shape::Record),
                                other => Some(other.clone()),
                            },
                            None => schema_record_shape(&spec.result),
                        };
                        match (id_param(spec), shape) {
                            (Some(id_param), Some(shape)) => Op::Get { id_param, shape },
                            _ => continue,
                        }
                    }
                    "list" => match list_shape(result, &spec.result) {
                        Some(shape) => Op::List(shape, Paging::of(spec)),
                        None => continue,
                    },
                    "update" => match id_param(spec) {
                        Some(id_param) => Op::Update {
                            id_param,
                            wrapper: wrapper(spec),
                            shape: result.and_then(record_shape).map(|(s, _)| s),
                        },
                        None => continue,
                    },
                    "delete" => match id_param(spec) {
                        Some(id_param) => Op::Delete { id_param },
                        None => continue,
                    },
                    _ => continue,
                };
                let name = match &op {
                    Op::Get { .. } => "get",
                    Op::List(..) => "list",
                    Op::Update { .. } => "update",
                    Op::Delete { .. } => "delete",
                    Op::Add { .. } => "add",
                };
                add_member(name, op, spec);
            }
            families.list.push(family);
        }
        families
    }

    /// The families' names (prefixes), sorted.
    pub(crate) fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.list.iter().map(|f| f.name.clone()).collect();
        names.sort();
        names
    }

    /// The family named `name` (any case).
    pub(crate) fn family(&self, name: &str) -> Option<&Family> {
        self.list.iter().find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// Runs `method` over `stores`; `None` if it is no family's operation.
    pub(crate) fn run(
        &self,
        method: &str,
        params: &Map<String, Value>,
        written: &Written,
        stores: &mut HashMap<String, Store>,
    ) -> Option<Reply> {
        let member = self.members.get(method)?;
        let family = self.list.get(member.family)?;
        let store = stores.entry(family.name.clone()).or_default();
        Some(family.run(method, member, params, written, store))
    }
}

/// The fields a call gives: the wrapper parameter's object, or the parameters themselves
/// without the id.
fn given_fields(
    params: &Map<String, Value>,
    wrapper: Option<&str>,
    id_param: Option<&str>,
) -> Map<String, Value> {
    match wrapper {
        Some(w) => match params.get(w) {
            Some(Value::Object(map)) => map.clone(),
            _ => Map::new(),
        },
        None => params
            .iter()
            .filter(|(k, _)| Some(k.as_str()) != id_param)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    }
}

impl Family {
    fn id_value(&self, id: i64) -> Value {
        if self.id_text {
            Value::String(id.to_string())
        } else {
            json!(id)
        }
    }

    /// The not-found error of `method` for the id asked (`asked`, as the request wrote it): a
    /// description quoting the documented example's id (`The Requisite with ID '27' is not
    /// found`) quotes the asked one instead.
    fn not_found(&self, method: &str, asked: Option<i64>) -> Reply {
        match self.not_found.get(method) {
            Some((status, code, description)) => Reply::Error {
                status: *status,
                code: code.clone(),
                description: match asked {
                    Some(id) => quote_id(description, id),
                    None => description.clone(),
                },
            },
            None => Reply::Error {
                status: 400,
                code: "ERROR_NOT_FOUND".to_owned(),
                description: "Not found".to_owned(),
            },
        }
    }

    fn answer(&self, shape: &Shape, record: &Map<String, Value>, id: i64) -> Value {
        match shape {
            Shape::Id { text: false } => json!(id),
            Shape::Id { text: true } => Value::String(id.to_string()),
            Shape::Record => Value::Object(record.clone()),
            Shape::Wrapped(key) => json!({ key.clone(): record }),
        }
    }

    /// A record as stored: the fields given, and the id under the family's key (any key
    /// naming the id in another case is replaced, so the record has one id).
    fn record(&self, id: i64, fields: Map<String, Value>) -> Map<String, Value> {
        let mut record = Map::new();
        record.insert(self.id_key.clone(), self.id_value(id));
        for (k, v) in fields {
            if !k.eq_ignore_ascii_case("id") {
                record.insert(k, v);
            }
        }
        record
    }

    fn run(
        &self,
        method: &str,
        member: &Member,
        params: &Map<String, Value>,
        written: &Written,
        store: &mut Store,
    ) -> Reply {
        let page = Page::default();
        let id_of = |name: &str| params::int(params.get(name)).filter(|id| *id > 0);
        match &member.op {
            Op::Add { wrapper, shape } => {
                // Only a store seeded up to the last id runs out; the portal's database would
                // refuse the insert.
                let Some(id) = store.last_id.checked_add(1) else {
                    return Reply::system("INTERNAL_SERVER_ERROR");
                };
                store.last_id = id;
                let record = self.record(id, given_fields(params, wrapper.as_deref(), None));
                let answer = self.answer(shape, &record, id);
                store.records.insert(id, record);
                Reply::Result(answer, page)
            }
            Op::Get { id_param, shape } => {
                match id_of(id_param).and_then(|id| Some((id, store.records.get(&id)?))) {
                    Some((id, record)) => Reply::Result(self.answer(shape, record, id), page),
                    None => self.not_found(method, params::int(params.get(id_param))),
                }
            }
            Op::Update {
                id_param,
                wrapper,
                shape,
            } => {
                let Some((id, record)) =
                    id_of(id_param).and_then(|id| Some((id, store.records.get_mut(&id)?)))
                else {
                    return self.not_found(method, params::int(params.get(id_param)));
                };
                let fields = given_fields(params, wrapper.as_deref(), Some(id_param));
                for (k, v) in fields {
                    if k.eq_ignore_ascii_case("id") {
                        continue;
                    }
                    // A field named in another case than it was stored under is the same field.
                    let key = record
                        .keys()
                        .find(|s| s.eq_ignore_ascii_case(&k))
                        .cloned()
                        .unwrap_or(k);
                    record.insert(key, v);
                }
                let answer = match shape {
                    Some(shape) => self.answer(shape, record, id),
                    None => member.example.clone(),
                };
                Reply::Result(answer, page)
            }
            Op::Delete { id_param } => match id_of(id_param) {
                Some(id) if store.records.remove(&id).is_some() => {
                    Reply::Result(member.example.clone(), page)
                }
                _ => self.not_found(method, params::int(params.get(id_param))),
            },
            Op::List(shape, paging) => self.list(shape, paging, params, written, store),
        }
    }

    fn list(
        &self,
        shape: &ListShape,
        paging: &Paging,
        params: &Map<String, Value>,
        written: &Written,
        store: &Store,
    ) -> Reply {
        let records: Vec<&Map<String, Value>> = store.records.values().collect();
        // The documented fields may be filtered and ordered on before any record has them.
        let mut known = records.clone();
        if !self.template.is_empty() {
            known.push(&self.template);
        }
        let query_params = match &paging.wrapper {
            Some(w) => at_path(params, w).and_then(Value::as_object),
            None => Some(params),
        };
        let get = |key: &str| query_params.and_then(|p| p.get(key));
        let query = match Query::parse(get("filter"), get("order"), get("select"), &known) {
            Ok(query) => query.ordered_as(written.order.as_deref()),
            Err(why) => return refused(&why),
        };
        let matching = query.run(&records);
        let start = params::int(at_path(params, &paging.position)).unwrap_or(0);
        let offset = usize::try_from(start).unwrap_or(0);
        let size = if paging.offset {
            // An offset list without a page size answers everything from the offset on.
            params::int(at_path(params, &paging.limit))
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(usize::MAX)
        } else {
            PAGE_SIZE
        };
        let items: Vec<Value> = matching
            .iter()
            .skip(offset)
            .take(size)
            .map(|r| query.project(r))
            .collect();
        let more = offset.saturating_add(size) < matching.len();
        let mut page = Page::default();
        // A negative start is the fast mode: nothing counted.
        if start >= 0 && !paging.offset {
            let total = matching.len();
            let next = offset.saturating_add(PAGE_SIZE);
            page = Page {
                total: u64::try_from(total).ok(),
                next: (next < total).then(|| u64::try_from(next).ok()).flatten(),
            };
        }
        let mut result = match shape {
            ListShape::Top => Value::Array(items),
            ListShape::Under(key) => json!({ key.clone(): items }),
        };
        if let (true, Value::Object(m)) = (paging.has_next, &mut result) {
            m.insert("hasNextPage".into(), Value::Bool(more));
        }
        Reply::Result(result, page)
    }

    /// Replaces the records by `count` records shaped like the documented one, ids `1..=count`.
    pub(crate) fn seed(&self, store: &mut Store, count: usize) {
        let last = i64::try_from(count).unwrap_or(i64::MAX);
        store.records.clear();
        for id in 1..=last {
            let mut record = Map::new();
            for (key, value) in &self.template {
                record.insert(key.clone(), distinct(value, id));
            }
            let record = self.record(id, record);
            store.records.insert(id, record);
        }
        store.last_id = last;
    }
}

/// A documented value made distinct for record `n`: words (`"Accounting"`) get the number
/// appended; codes, dates, numbers and flags stay as documented, so they keep their meaning.
fn distinct(value: &Value, n: i64) -> Value {
    match value {
        Value::String(s)
            if s.chars().filter(char::is_ascii_alphabetic).count() >= 2
                && !s.chars().any(|c| c.is_ascii_digit())
                && s.chars().any(|c| c.is_lowercase()) =>
        {
            Value::String(format!("{s} {n}"))
        }
        other => other.clone(),
    }
}

/// `text` with its first quoted number (`'27'`) replaced by `id`.
fn quote_id(text: &str, id: i64) -> String {
    let mut rest = text;
    let mut out = String::with_capacity(text.len());
    while let Some(open) = rest.find('\'') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('\'') else {
            break;
        };
        let inner = &after[..close];
        if !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&rest[..=open]);
            out.push_str(&id.to_string());
            out.push_str(&after[close..]);
            return out;
        }
        out.push_str(&rest[..=open]);
        rest = after;
    }
    out.push_str(rest);
    out
}

/// A list query the records cannot answer, worded as the portal's list methods word it.
fn refused(why: &Refused) -> Reply {
    let text = match why {
        Refused::FilterField(f) => format!("Invalid filter: field '{f}' is not allowed in filter"),
        Refused::FilterValue(f) => format!("Invalid filter: field '{f}' has invalid value"),
        Refused::OrderField(f) => format!("Invalid order: field '{f}' is not allowed in order"),
        Refused::OrderDirection(d, f) => format!(
            "Invalid order: allowed sort directions are ASC, DESC. But got '{d}' for field '{f}'"
        ),
    };
    Reply::argument(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_read_from_examples() {
        assert_eq!(add_shape(&json!(394)), Some(Shape::Id { text: false }));
        assert_eq!(add_shape(&json!("12")), Some(Shape::Id { text: true }));
        assert_eq!(add_shape(&json!(true)), None);
        assert_eq!(
            add_shape(&json!({"item": {"id": 5, "title": "x"}})),
            Some(Shape::Wrapped("item".into()))
        );
        assert_eq!(add_shape(&json!({"ID": "5"})), Some(Shape::Record));
        let schema: Schema = serde_json::from_value(json!({"type": "string"})).expect("a schema");
        assert_eq!(list_shape(Some(&json!([])), &schema), Some(ListShape::Top));
        assert_eq!(
            list_shape(Some(&json!({"tasks": [], "n": 1})), &schema),
            Some(ListShape::Under("tasks".into()))
        );
        assert_eq!(list_shape(Some(&json!({"a": [], "b": []})), &schema), None);
        let wrapped: Schema = serde_json::from_value(
            json!({"type": "object", "fields": {"vat": {"type": "object", "fields": {}}}}),
        )
        .expect("a schema");
        assert_eq!(
            schema_record_shape(&wrapped),
            Some(Shape::Wrapped("vat".into()))
        );
        assert_eq!(schema_record_shape(&schema), None);
        assert_eq!(distinct(&json!("Accounting"), 3), json!("Accounting 3"));
        let found = "The Requisite with ID '27' is not found";
        assert_eq!(quote_id(found, 5), "The Requisite with ID '5' is not found");
        assert_eq!(quote_id("field 'x' of '12'", 5), "field 'x' of '5'");
        assert_eq!(quote_id("Not found", 5), "Not found");
        assert_eq!(quote_id("odd ' quote", 5), "odd ' quote");
        assert_eq!(distinct(&json!("EUR"), 3), json!("EUR"));
        assert_eq!(distinct(&json!("2024-01-01"), 3), json!("2024-01-01"));
    }
}
