//! Filter, order and select over JSON records, the way the portal's list methods read them:
//! `filter` keys with operator prefixes, `order` by any field, `select` of fields.
//!
//! Several `order` fields apply in the order the request wrote them
//! ([`Query::ordered_as`]); the parsed map alone would sort them by name.
//!
//! Field names match case-insensitively (`stageId`, `STAGE_ID` is not the same name, but
//! `STAGEID` is), as the portal's ORM resolves them. A list method maps [`Refused`] to its spec's
//! wording.

use std::cmp::Ordering;

use serde_json::{Map, Value};

/// Why a query cannot run; each names the field as the client wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refused {
    /// The filter names a field the records do not have, or an operator the field cannot take.
    FilterField(String),
    /// The filter's value does not fit the field or the operator.
    FilterValue(String),
    /// The order names a field the records do not have.
    OrderField(String),
    /// A direction other than `ASC`/`DESC`: (direction, field).
    OrderDirection(String, String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Contains(bool),
    Like(bool),
    In(bool),
    Between(bool),
}

struct Cond {
    field: String,
    op: Op,
    value: Value,
}

/// A parsed query, ready to run over records.
pub(crate) struct Query {
    conds: Vec<Cond>,
    order: Vec<(String, bool)>,
    select: Option<Vec<String>>,
}

/// The key of `record` that `name` stands for.
fn key_of<'a>(record: &'a Map<String, Value>, name: &str) -> Option<&'a String> {
    record.keys().find(|k| k.eq_ignore_ascii_case(name))
}

fn field<'a>(record: &'a Map<String, Value>, name: &str) -> &'a Value {
    key_of(record, name)
        .and_then(|k| record.get(k))
        .unwrap_or(&Value::Null)
}

/// A value as a number, if it reads as one (the portal compares numeric strings as numbers).
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Bool(b) => if *b { "Y" } else { "N" }.to_owned(),
        other => other.to_string(),
    }
}

fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        _ => match (number(a), number(b)) {
            (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
            _ => text(a).to_lowercase().cmp(&text(b).to_lowercase()),
        },
    }
}

/// SQL `LIKE` with `%` for any run and `_` for one character, case-insensitive. Greedy with one
/// backtracking point (the last `%`): linear memory and at most `pattern × text` steps, whatever
/// a client sends.
fn like(pattern: &[char], text: &[char]) -> bool {
    let same = |p: char, t: char| p == '_' || p.to_lowercase().eq(t.to_lowercase());
    let (mut p, mut t) = (0, 0);
    let mut resume: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('%') => {
                resume = Some((p, t));
                p += 1;
            }
            Some(&c) if same(c, text[t]) => {
                p += 1;
                t += 1;
            }
            _ => match resume {
                // The last `%` takes one more character and the rest is tried again.
                Some((star, at)) => {
                    resume = Some((star, at + 1));
                    p = star + 1;
                    t = at + 1;
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '%')
}

impl Cond {
    fn admits(&self, record: &Map<String, Value>) -> bool {
        let value = field(record, &self.field);
        let list = || match &self.value {
            Value::Array(items) => items.clone(),
            Value::Object(map) => map.values().cloned().collect(),
            one => vec![one.clone()],
        };
        let eq = |b: &Value| compare(value, b) == Ordering::Equal;
        match self.op {
            Op::Eq => list().iter().any(eq),
            Op::Ne => !list().iter().any(eq),
            Op::Gt => !value.is_null() && compare(value, &self.value) == Ordering::Greater,
            Op::Ge => !value.is_null() && compare(value, &self.value) != Ordering::Less,
            Op::Lt => !value.is_null() && compare(value, &self.value) == Ordering::Less,
            Op::Le => !value.is_null() && compare(value, &self.value) != Ordering::Greater,
            Op::Contains(yes) => {
                let needle = text(&self.value).to_lowercase();
                text(value).to_lowercase().contains(&needle) == yes
            }
            Op::Like(yes) => {
                let pattern: Vec<char> = text(&self.value).chars().collect();
                let subject: Vec<char> = text(value).chars().collect();
                like(&pattern, &subject) == yes
            }
            Op::In(yes) => list().iter().any(eq) == yes,
            Op::Between(yes) => {
                let bounds = list();
                let inside = bounds.len() == 2
                    && compare(value, &bounds[0]) != Ordering::Less
                    && compare(value, &bounds[1]) != Ordering::Greater;
                !value.is_null() && inside == yes
            }
        }
    }
}

/// Entries of a filter or order given as an object or a PHP list.
fn entries(v: Option<&Value>) -> Vec<(String, Value)> {
    match v {
        Some(Value::Object(map)) => map.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        // Not a filter at all: PHP reads it as none.
        _ => Vec::new(),
    }
}

impl Query {
    /// Reads `filter`, `order` and `select` against `records`: a field is known when a record
    /// has it, or when there are no records to say otherwise; user fields and the portal's other
    /// dynamic fields (`bitrix_wire::query::is_dynamic_field`) always are.
    pub(crate) fn parse(
        filter: Option<&Value>,
        order: Option<&Value>,
        select: Option<&Value>,
        records: &[&Map<String, Value>],
    ) -> Result<Query, Refused> {
        let known = |name: &str| {
            records.is_empty()
                || bitrix_wire::query::is_dynamic_field(name)
                || records.iter().any(|r| key_of(r, name).is_some())
        };
        let numeric = |name: &str| {
            records
                .iter()
                .find_map(|r| key_of(r, name).and_then(|k| r.get(k)))
                .is_some_and(Value::is_number)
        };
        let mut conds = Vec::new();
        for (key, value) in entries(filter) {
            let (operator, name) = bitrix_wire::query::split_filter_key(&key);
            let name = name.to_owned();
            if name.is_empty() || !known(&name) {
                return Err(Refused::FilterField(name));
            }
            let op = match operator {
                None | Some("=") => Op::Eq,
                Some("!" | "!=") => Op::Ne,
                Some(">") => Op::Gt,
                Some(">=") => Op::Ge,
                Some("<") => Op::Lt,
                Some("<=") => Op::Le,
                Some("%") => Op::Contains(true),
                Some("!%") => Op::Contains(false),
                Some("=%" | "%=") => Op::Like(true),
                Some("!=%" | "!%=") => Op::Like(false),
                Some("@") => Op::In(true),
                Some("!@") => Op::In(false),
                Some("><") => Op::Between(true),
                _ => Op::Between(false),
            };
            let invalid = || Refused::FilterValue(name.clone());
            let fits = match (op, &value) {
                (Op::Between(_), Value::Array(items)) => items.len() == 2,
                (Op::Between(_) | Op::In(_), other) => other.is_array(),
                _ => true,
            };
            if !fits {
                return Err(invalid());
            }
            if numeric(&name) {
                // A text search over a number is not something the portal's ORM does.
                if matches!(op, Op::Contains(_) | Op::Like(_)) {
                    return Err(Refused::FilterField(name));
                }
                let all: Vec<&Value> = match &value {
                    Value::Array(items) => items.iter().collect(),
                    one => vec![one],
                };
                if all.iter().any(|v| number(v).is_none()) {
                    return Err(invalid());
                }
            }
            conds.push(Cond {
                field: name,
                op,
                value,
            });
        }
        let mut sort = Vec::new();
        for (name, direction) in entries(order) {
            if !known(&name) {
                return Err(Refused::OrderField(name));
            }
            let direction = match &direction {
                Value::String(s) => s.clone(),
                other => text(other),
            };
            let desc = match direction.to_ascii_uppercase().as_str() {
                "ASC" => false,
                "DESC" => true,
                _ => return Err(Refused::OrderDirection(direction, name)),
            };
            sort.push((name, desc));
        }
        let select = match select {
            Some(Value::Array(items)) if !items.is_empty() => {
                Some(items.iter().map(text).collect::<Vec<_>>())
            }
            Some(Value::Object(map)) if !map.is_empty() => Some(map.values().map(text).collect()),
            _ => None,
        };
        let select = select.filter(|names| !names.iter().any(|n| n == "*"));
        Ok(Query {
            conds,
            order: sort,
            select,
        })
    }

    /// Applies the `order` fields in the order the request wrote them (`written`), rather than
    /// the parsed map's alphabetical one; fields it does not list keep their place after them.
    pub(crate) fn ordered_as(mut self, written: Option<&[String]>) -> Self {
        if let Some(written) = written {
            let at = |name: &str| written.iter().position(|w| w == name).unwrap_or(usize::MAX);
            self.order.sort_by_key(|(name, _)| at(name));
        }
        self
    }

    /// The records the filter admits, in the order asked for (then by the order they came in).
    pub(crate) fn run<'a>(
        &self,
        records: &[&'a Map<String, Value>],
    ) -> Vec<&'a Map<String, Value>> {
        let mut out: Vec<&Map<String, Value>> = records
            .iter()
            .copied()
            .filter(|r| self.conds.iter().all(|c| c.admits(r)))
            .collect();
        out.sort_by(|a, b| {
            self.order
                .iter()
                .map(|(name, desc)| {
                    let o = compare(field(a, name), field(b, name));
                    if *desc { o.reverse() } else { o }
                })
                .find(|o| *o != Ordering::Equal)
                .unwrap_or(Ordering::Equal)
        });
        out
    }

    /// `record` with only the selected fields and `id`; all of it without a selection or with
    /// `*`. `uf_*` selects every user field.
    pub(crate) fn project(&self, record: &Map<String, Value>) -> Value {
        let Some(names) = &self.select else {
            return Value::Object(record.clone());
        };
        let wanted = |key: &str| {
            key.eq_ignore_ascii_case("id")
                || names.iter().any(|n| {
                    n.eq_ignore_ascii_case(key)
                        || (n.eq_ignore_ascii_case("uf_*")
                            && key.to_ascii_lowercase().starts_with("uf"))
                })
        };
        let kept = record.iter().filter(|(k, _)| wanted(k));
        Value::Object(kept.map(|(k, v)| (k.clone(), v.clone())).collect())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn records() -> Vec<Map<String, Value>> {
        (1..=6)
            .map(|i| {
                let stage = if i % 2 == 0 { "WON" } else { "NEW" };
                let record = json!({"id": i, "title": format!("Deal {i}"), "stageId": stage,
                    "ufCrmColor": "red"});
                record.as_object().cloned().unwrap_or_default()
            })
            .collect()
    }

    fn ids(filter: Value, order: Value) -> Result<Vec<i64>, Refused> {
        ids_ordered(filter, order, None)
    }

    fn ids_ordered(
        filter: Value,
        order: Value,
        written: Option<&[String]>,
    ) -> Result<Vec<i64>, Refused> {
        let owned = records();
        let all: Vec<&Map<String, Value>> = owned.iter().collect();
        let query = Query::parse(Some(&filter), Some(&order), None, &all)?.ordered_as(written);
        let found = query.run(&all);
        Ok(found.iter().filter_map(|r| r["id"].as_i64()).collect())
    }

    #[test]
    fn operators_and_order() {
        assert_eq!(ids(json!({"stageId": "WON"}), json!({})), Ok(vec![2, 4, 6]));
        assert_eq!(
            ids(json!({"!STAGEID": "WON"}), json!({})),
            Ok(vec![1, 3, 5])
        );
        assert_eq!(ids(json!({">=id": "5"}), json!({})), Ok(vec![5, 6]));
        assert_eq!(ids(json!({"<id": 2}), json!({})), Ok(vec![1]));
        assert_eq!(ids(json!({"%title": "AL 3"}), json!({})), Ok(vec![3]));
        assert_eq!(ids(json!({"@id": [2, 9, 4]}), json!({})), Ok(vec![2, 4]));
        assert_eq!(
            ids(json!({"!@id": [2, 4]}), json!({})),
            Ok(vec![1, 3, 5, 6])
        );
        assert_eq!(ids(json!({"><id": [2, 4]}), json!({})), Ok(vec![2, 3, 4]));
        assert_eq!(
            ids(json!({"=%title": "deal _"}), json!({})).map(|v| v.len()),
            Ok(6)
        );
        // Ties keep the order the records came in.
        let order = json!({"stageId": "desc"});
        assert_eq!(ids(json!({}), order), Ok(vec![2, 4, 6, 1, 3, 5]));
        assert_eq!(
            ids(json!({}), json!({"ID": "desc"})),
            Ok(vec![6, 5, 4, 3, 2, 1])
        );
        assert_eq!(
            ids(json!({"nope": 1}), json!({})),
            Err(Refused::FilterField("nope".into()))
        );
        assert_eq!(
            ids(json!({">id": "abc"}), json!({})),
            Err(Refused::FilterValue("id".into()))
        );
        assert_eq!(
            ids(json!({"><id": [1]}), json!({})),
            Err(Refused::FilterValue("id".into()))
        );
        assert_eq!(
            ids(json!({}), json!({"id": "UP"})),
            Err(Refused::OrderDirection("UP".into(), "id".into()))
        );
    }

    #[test]
    fn like_patterns() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        let matches = |p: &str, t: &str| like(&chars(p), &chars(t));
        assert!(matches("deal _", "Deal 7"));
        assert!(matches("%al%", "Deal 7"));
        assert!(matches("%", ""));
        assert!(matches("a%b%c", "aXbYbZc"));
        assert!(!matches("a%b%c", "aXbYbZ"));
        assert!(!matches("_", ""));
        assert!(!matches("deal", "Deal 7"));
        // A pattern built to make naive matching explode stays quick and shallow.
        let pattern = "%a".repeat(50_000) + "b";
        assert!(!matches(&pattern, &"a".repeat(60_000)));
    }

    #[test]
    fn select_keeps_the_id() {
        let owned = records();
        let all: Vec<&Map<String, Value>> = owned.iter().collect();
        let select = json!(["TITLE", "uf_*"]);
        let query = Query::parse(None, None, Some(&select), &all).expect("parses");
        assert_eq!(
            query.project(all[0]),
            json!({"id": 1, "title": "Deal 1", "ufCrmColor": "red"})
        );
        let star = Query::parse(None, None, Some(&json!(["*"])), &all).expect("parses");
        assert_eq!(star.project(all[0]), Value::Object(all[0].clone()));
    }
}
