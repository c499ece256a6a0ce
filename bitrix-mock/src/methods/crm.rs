//! `crm.item.list`: classic pagination (`start`, `total`, `next`) and its fast mode
//! (`start=-1`, order and filter on `id`).

use serde_json::{Value, json};

use super::{Call, Fail, Outcome, Page};
use crate::auth::ADMIN_USER_ID;
use crate::params;
use crate::state::State;

/// The portal's fixed page size for classic list methods.
const PAGE_SIZE: usize = 50;

/// Entity types every portal has, seeded or not: lead, deal, contact, company, quote and smart
/// invoice. Other types exist once items are seeded for them.
const SYSTEM_TYPES: [i64; 6] = [1, 2, 3, 4, 7, 31];

const INVALID: &str = "INVALID_ARG_VALUE";
const FILTER_FIELD: &str = "Invalid filter: field 'field' is not allowed in filter";
const FILTER_VALUE: &str = "Invalid filter: field 'field' has invalid value";
const ORDER_FIELD: &str = "Invalid order: field 'field' is not allowed in order";
const ORDER_DIRECTION: &str =
    "Invalid order: allowed sort directions are ASC, DESC. But got 'orderValue' for field 'field'";

fn worded(text: &'static str, args: Vec<(&'static str, String)>) -> Fail {
    Fail::Worded {
        code: INVALID,
        text,
        args,
    }
}

/// The filter key prefixes of the page, longest first so that `>=` is not read as `>`.
const PREFIXES: [&str; 15] = [
    "!=%", "!%=", ">=", "<=", "=%", "%=", "!%", "!@", "!=", ">", "<", "@", "%", "=", "!",
];

/// One condition on `id`.
enum Cond {
    Cmp(fn(&i64, &i64) -> bool, i64),
    In(Vec<i64>, bool),
}

impl Cond {
    fn admits(&self, id: i64) -> bool {
        match self {
            Cond::Cmp(op, bound) => op(&id, bound),
            Cond::In(ids, inside) => ids.contains(&id) == *inside,
        }
    }
}

/// The filter's conditions. The mock filters on `id` only, with `=`, `!`/`!=`, `>`, `>=`, `<`,
/// `<=`, `@` and `!@`: anything else is refused rather than ignored, so that a test never reads
/// an unfiltered list as a filtered one.
fn conditions(filter: Option<&Value>) -> Result<Vec<Cond>, Fail> {
    let entries: Vec<(String, &Value)> = match filter {
        Some(Value::Object(map)) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        // Not a filter at all: PHP reads it as none.
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for (key, value) in entries {
        let prefix = PREFIXES.iter().find(|p| key.starts_with(**p)).copied();
        let field = &key[prefix.map_or(0, str::len)..];
        let refused = || worded(FILTER_FIELD, vec![("field", field.to_owned())]);
        let invalid = || worded(FILTER_VALUE, vec![("field", field.to_owned())]);
        if !field.eq_ignore_ascii_case("id") {
            return Err(refused());
        }
        let cond = match prefix {
            Some(p @ ("@" | "!@")) => {
                let ids = value.as_array().ok_or_else(invalid)?;
                let ids = ids.iter().map(|v| params::int(Some(v)).ok_or_else(invalid));
                Cond::In(ids.collect::<Result<_, _>>()?, p == "@")
            }
            prefix => {
                let op: fn(&i64, &i64) -> bool = match prefix {
                    None | Some("=") => i64::eq,
                    Some("!" | "!=") => i64::ne,
                    Some(">") => i64::gt,
                    Some(">=") => i64::ge,
                    Some("<") => i64::lt,
                    Some("<=") => i64::le,
                    // Substring searches on a number: not something the mock implements.
                    Some(_) => return Err(refused()),
                };
                Cond::Cmp(op, params::int(Some(value)).ok_or_else(invalid)?)
            }
        };
        out.push(cond);
    }
    Ok(out)
}

/// `true` for `{id: DESC}`; only `id` can be ordered by.
fn descending(order: Option<&Value>) -> Result<bool, Fail> {
    let mut desc = false;
    for (field, direction) in order.and_then(Value::as_object).into_iter().flatten() {
        if !field.eq_ignore_ascii_case("id") {
            return Err(worded(ORDER_FIELD, vec![("field", field.clone())]));
        }
        let direction = params::text(Some(direction)).unwrap_or_default();
        desc = match direction.to_ascii_uppercase().as_str() {
            "ASC" => false,
            "DESC" => true,
            _ => {
                let args = vec![("orderValue", direction), ("field", field.clone())];
                return Err(worded(ORDER_DIRECTION, args));
            }
        };
    }
    Ok(desc)
}

pub(crate) fn item_list(call: &mut Call<'_>) -> Outcome {
    let entity = call.int("entityTypeId").unwrap_or_default();
    let conditions = conditions(call.params.get("filter"))?;
    let desc = descending(call.params.get("order"))?;
    // `select` is accepted and ignored: every item carries all the fields the mock holds.
    let empty = Default::default();
    let items = match call.state.crm_items.get(&entity) {
        Some(items) => items,
        None if SYSTEM_TYPES.contains(&entity) => &empty,
        None => return Err(Fail::code("NOT_FOUND")),
    };
    let admitted = |(id, _): &(&i64, &Value)| conditions.iter().all(|c| c.admits(**id));
    let matching: Vec<&Value> = if desc {
        items
            .iter()
            .rev()
            .filter(admitted)
            .map(|(_, v)| v)
            .collect()
    } else {
        items.iter().filter(admitted).map(|(_, v)| v).collect()
    };
    // `start=-1` (any negative start) is the fast mode: the first page, nothing counted.
    let start = call.int("start").unwrap_or(0);
    let counting = start >= 0;
    let offset = usize::try_from(start).unwrap_or(0);
    let page: Vec<&Value> = matching
        .iter()
        .copied()
        .skip(offset)
        .take(PAGE_SIZE)
        .collect();
    if counting {
        let total = matching.len();
        let next = offset.saturating_add(PAGE_SIZE);
        call.page = Page {
            total: u64::try_from(total).ok(),
            next: (next < total).then(|| u64::try_from(next).ok()).flatten(),
        };
    }
    Ok(json!({ "items": page }))
}

impl State {
    /// Replaces the items of `entity` by `count` items with ids `1..=count`, created a second
    /// apart and the last one now.
    pub(crate) fn seed_crm_items(&mut self, entity: i64, count: usize) {
        let now = crate::clock::unix_secs();
        let last = i64::try_from(count).unwrap_or(i64::MAX);
        let items = (1..=last).map(|id| {
            let created = crate::clock::rfc3339(now.saturating_sub(last - id));
            let item = json!({
                "id": id,
                "title": format!("Item {id}"),
                "assignedById": ADMIN_USER_ID,
                "stageId": "NEW",
                "opportunity": id.saturating_mul(100),
                "createdTime": created,
            });
            (id, item)
        });
        self.crm_items.insert(entity, items.collect());
    }
}
