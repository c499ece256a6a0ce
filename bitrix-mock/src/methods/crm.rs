//! `crm.item.list`: classic pagination (`start`, `total`, `next`), its fast mode (`start=-1`),
//! filter, order and select on any field ([`crate::query`]), and user fields under either
//! spelling (`useOriginalUfNames`).

use serde_json::{Map, Value, json};

use super::{Call, Fail, Outcome, Page};
use crate::auth::ADMIN_USER_ID;
use crate::query::{Query, Refused};
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

/// A query refused, in the spec's words.
fn refused(why: Refused) -> Fail {
    match why {
        Refused::FilterField(field) => worded(FILTER_FIELD, vec![("field", field)]),
        Refused::FilterValue(field) => worded(FILTER_VALUE, vec![("field", field)]),
        Refused::OrderField(field) => worded(ORDER_FIELD, vec![("field", field)]),
        Refused::OrderDirection(direction, field) => worded(
            ORDER_DIRECTION,
            vec![("orderValue", direction), ("field", field)],
        ),
    }
}

pub(crate) fn item_list(call: &mut Call<'_>) -> Outcome {
    let entity = call.int("entityTypeId").unwrap_or_default();
    let empty = Default::default();
    let items = match call.state.crm_items.get(&entity) {
        Some(items) => items,
        None if SYSTEM_TYPES.contains(&entity) => &empty,
        None => return Err(Fail::code("NOT_FOUND")),
    };
    let mut records: Vec<&Map<String, Value>> =
        items.values().filter_map(Value::as_object).collect();
    // Items keep their user fields as `ufCrm2_…`; `useOriginalUfNames=Y` filters, orders,
    // selects and answers them as `UF_CRM_2_…`.
    let renamed: Vec<Map<String, Value>>;
    if crate::params::flag(call.params.get("useOriginalUfNames")) {
        renamed = records.iter().map(|r| original_names(r)).collect();
        records = renamed.iter().collect();
    }
    let param = |key: &str| call.params.get(key);
    let query = Query::parse(param("filter"), param("order"), param("select"), &records)
        .map_err(refused)?
        .ordered_as(call.written.order.as_deref());
    let matching = query.run(&records);
    // `start=-1` (any negative start) is the fast mode: the first page, nothing counted.
    let start = call.int("start").unwrap_or(0);
    let counting = start >= 0;
    let offset = usize::try_from(start).unwrap_or(0);
    let page: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(PAGE_SIZE)
        .map(|r| query.project(r))
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

/// A record with its camelCase user fields under their original names.
fn original_names(record: &Map<String, Value>) -> Map<String, Value> {
    use bitrix_wire::uf::{UfStyle, original, style};
    record
        .iter()
        .map(|(k, v)| {
            let key = match style(k) {
                Some(UfStyle::Camel) => original(k).unwrap_or_else(|| k.clone()),
                _ => k.clone(),
            };
            (key, v.clone())
        })
        .collect()
}

impl State {
    /// Replaces the items of `entity` by `count` items with ids `1..=count`, created a second
    /// apart and the last one now.
    pub(crate) fn seed_crm_items(&mut self, entity: i64, count: usize) {
        let now = crate::clock::unix_secs();
        let last = i64::try_from(count).unwrap_or(i64::MAX);
        let items = (1..=last).map(|id| {
            let created = crate::clock::rfc3339(now.saturating_sub(last - id));
            let color = ["red", "green", "blue"][usize::try_from(id % 3).unwrap_or(0)];
            let mut item = json!({
                "id": id,
                "title": format!("Item {id}"),
                "assignedById": ADMIN_USER_ID,
                "stageId": "NEW",
                "opportunity": id.saturating_mul(100),
                "createdTime": created,
            });
            // One user field, as the crm.item.* methods name it by default.
            item[format!("ufCrm{entity}Color")] = json!(color);
            (id, item)
        });
        self.crm_items.insert(entity, items.collect());
    }
}
