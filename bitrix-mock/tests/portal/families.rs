//! Entity families found in the specs: what `add` creates, `get`, `list`, `update` and `delete`
//! see, in the shapes each family's pages document.

use super::*;

/// The record in an answer: the result itself when it has an id, else the one object it wraps
/// (`{"task": {...}}`).
fn record(result: &Value) -> Value {
    let Some(map) = result.as_object() else {
        return Value::Null;
    };
    if map.keys().any(|k| k.eq_ignore_ascii_case("id")) {
        return result.clone();
    }
    match map.values().collect::<Vec<_>>().as_slice() {
        [one] if one.is_object() => (*one).clone(),
        _ => Value::Null,
    }
}

/// The records of a list answer: the result when it is an array, else the one array it holds.
fn records(result: &Value) -> Vec<Value> {
    match result {
        Value::Array(items) => items.clone(),
        Value::Object(map) => map
            .values()
            .find_map(|v| v.as_array().cloned())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn id_of(record: &Value) -> i64 {
    let map = record.as_object().cloned().unwrap_or_default();
    let id = map
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("id"))
        .map(|(_, v)| v.clone())
        .unwrap_or(Value::Null);
    match id {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) => s.parse().unwrap_or(0),
        _ => 0,
    }
}

/// The id `add` answered: a bare id, or the id of the record it answered.
fn added_id(result: &Value) -> i64 {
    match result {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) => s.parse().unwrap_or(0),
        other => id_of(&record(other)),
    }
}

/// One family as its pages describe it.
struct Case {
    family: &'static str,
    /// The parameter naming the entity in `get`, `update` and `delete`.
    id_param: &'static str,
    /// The parameter holding the fields in `add` and `update`; `None`: the parameters themselves.
    wrapper: Option<&'static str>,
    /// A text field to set, filter, order and select on.
    field: &'static str,
    /// Other fields `add` requires.
    required: &'static [(&'static str, i64)],
    /// Does the family document `list`?
    lists: bool,
    /// The not-found error its pages document: (status, code, description).
    not_found: (u16, &'static str, &'static str),
}

const CASES: [Case; 4] = [
    Case {
        family: "crm.deal",
        id_param: "id",
        wrapper: Some("fields"),
        field: "TITLE",
        required: &[],
        // A curated spec: the reference copy has no crm.deal.list page.
        lists: true,
        not_found: (400, "", "Not found"),
    },
    Case {
        family: "crm.contact",
        id_param: "id",
        wrapper: Some("fields"),
        field: "NAME",
        required: &[],
        lists: true,
        // crm.contact.get documents none; its sibling crm.contact.delete does.
        not_found: (400, "ERROR_CORE", "Element not found"),
    },
    Case {
        family: "crm.company",
        id_param: "id",
        wrapper: Some("fields"),
        field: "TITLE",
        required: &[],
        lists: true,
        not_found: (400, "", "Not found"),
    },
    Case {
        family: "tasks.task",
        id_param: "taskId",
        wrapper: Some("fields"),
        // tasks.task.add is documented as the camel-case REST v3 method.
        field: "title",
        required: &[("creatorId", 1), ("responsibleId", 1)],
        lists: true,
        // Its pages document only "wrong task id" (code 0), which says nothing of existence.
        not_found: (400, "ERROR_NOT_FOUND", "Not found"),
    },
];

fn fields(case: &Case, value: &str) -> Value {
    let mut fields = json!({ case.field: value });
    for (name, v) in case.required {
        fields[*name] = json!(v);
    }
    match case.wrapper {
        Some(w) => json!({ w: fields }),
        None => fields,
    }
}

fn id_params(case: &Case, id: i64, mut extra: Value) -> Value {
    extra[case.id_param] = json!(id);
    extra
}

#[tokio::test]
async fn families_keep_what_add_creates_until_delete() {
    let p = Portal::start().await;
    let families = p.mock.families();
    for case in &CASES {
        assert!(families.iter().any(|f| f == case.family), "{families:?}");
        let method = |op: &str| format!("{}.{op}", case.family);
        let mut ids = Vec::new();
        for title in ["Bravo", "Alpha", "Charlie"] {
            let added = result(p.webhook(&method("add"), fields(case, title)).await);
            ids.push(added_id(&added));
        }
        assert!(ids[0] > 0 && ids[0] < ids[1] && ids[1] < ids[2], "{ids:?}");

        let got = result(
            p.webhook(&method("get"), id_params(case, ids[1], json!({})))
                .await,
        );
        let got = record(&got);
        assert_eq!(got[case.field], "Alpha", "{}: {got}", case.family);
        assert_eq!(id_of(&got), ids[1]);

        if case.lists {
            let all = p.webhook(&method("list"), json!({})).await;
            assert_eq!(all.1["total"], 3, "{}: {all:?}", case.family);
            let listed = records(&result(all));
            assert_eq!(listed.len(), 3);
            let filter = json!({ format!("%{}", case.field): "rav" });
            let found = result(
                p.webhook(&method("list"), json!({ "filter": filter }))
                    .await,
            );
            let found = records(&found);
            assert_eq!(found.len(), 1, "{}: {found:?}", case.family);
            assert_eq!(id_of(&found[0]), ids[0]);
            let ordered = json!({"order": { case.field: "DESC" }, "select": [case.field]});
            let ordered = records(&result(p.webhook(&method("list"), ordered).await));
            let order: Vec<i64> = ordered.iter().map(id_of).collect();
            assert_eq!(order, vec![ids[2], ids[0], ids[1]], "{}", case.family);
            let kept = |r: &Value| r.as_object().map(|m| m.len());
            assert!(ordered.iter().all(|r| kept(r) == Some(2)), "{ordered:?}");
        }

        let changed = fields(case, "Delta");
        let update = p
            .webhook(&method("update"), id_params(case, ids[1], changed))
            .await;
        assert_eq!(update.0, 200, "{}: {update:?}", case.family);
        let got = result(
            p.webhook(&method("get"), id_params(case, ids[1], json!({})))
                .await,
        );
        assert_eq!(record(&got)[case.field], "Delta", "{}", case.family);

        let gone = p
            .webhook(&method("delete"), id_params(case, ids[1], json!({})))
            .await;
        assert_eq!(gone.0, 200, "{}: {gone:?}", case.family);
        let (status, code, description) = case.not_found;
        let answer = p
            .webhook(&method("get"), id_params(case, ids[1], json!({})))
            .await;
        assert_error(&answer, status, code, description);
        // Each operation answers the not-found error its own page documents.
        for op in ["update", "delete"] {
            let answer = p
                .webhook(&method(op), id_params(case, ids[1], fields(case, "x")))
                .await;
            assert_eq!(answer.0, 400, "{}: {answer:?}", case.family);
            let text = answer.1["error_description"].as_str().unwrap_or_default();
            assert!(text.to_lowercase().contains("not found"), "{answer:?}");
        }
        if case.lists {
            let left = p.webhook(&method("list"), json!({})).await;
            assert_eq!(left.1["total"], 2, "{}", case.family);
        }
    }
}

#[tokio::test]
async fn families_page_by_50_and_seed_through_the_control_endpoint() {
    let p = Portal::start().await;
    let http = reqwest::Client::new();
    let seed = |name: &str, count: u64| {
        http.post(format!("{}seed", p.mock.control_url()))
            .bearer_auth(p.mock.control_token())
            .json(&json!({"name": name, "count": count}))
            .send()
    };
    let answer = seed("crm.contact", 120).await.expect("sent");
    assert_eq!(answer.status(), 200);
    let first = p.webhook("crm.contact.list", json!({})).await;
    assert_eq!(
        (&first.1["total"], &first.1["next"]),
        (&json!(120), &json!(50))
    );
    let last = p.webhook("crm.contact.list", json!({"start": 100})).await;
    assert_eq!(last.1["total"], 120);
    assert!(last.1.get("next").is_none(), "{last:?}");
    let last = records(&result(last));
    assert_eq!(
        last.iter().map(id_of).collect::<Vec<_>>(),
        (101..=120).collect::<Vec<_>>()
    );
    // Seeded records look like the documented one, each with its own name.
    let one = result(p.webhook("crm.contact.get", json!({"id": 7})).await);
    let other = result(p.webhook("crm.contact.get", json!({"id": 8})).await);
    assert_eq!(id_of(&one), 7);
    assert!(one.as_object().is_some_and(|m| m.len() > 5), "{one}");
    assert!(one["NAME"].is_string(), "{one}");
    assert_ne!(one["NAME"], other["NAME"]);
    // The next add continues after the seeded ids.
    let added = result(
        p.webhook("crm.contact.add", json!({"fields": {"NAME": "New"}}))
            .await,
    );
    assert_eq!(added_id(&added), 121);

    let too_many = seed("crm.contact", 1 << 40).await.expect("sent");
    assert_eq!(too_many.status(), 400);
    let refused = seed("crm.nothing", 3).await.expect("sent");
    assert_eq!(refused.status(), 400);
    let text = refused.text().await.expect("a body");
    assert!(text.contains("crm.nothing"), "{text}");

    // A reset empties every store.
    p.mock.reset();
    let empty = p.webhook("crm.contact.list", json!({})).await;
    assert_eq!(empty.1["total"], 0);
    assert!(p.mock.seed_family("Tasks.Task", 3).is_ok());
    let tasks = p.webhook("tasks.task.list", json!({})).await;
    assert_eq!(tasks.1["total"], 3, "{tasks:?}");
}

#[tokio::test]
async fn family_calls_keep_the_documented_checks_and_other_methods_their_examples() {
    let p = Portal::start().await;
    // A missing required parameter is answered before the store is looked at.
    let answer = p.webhook("crm.deal.get", json!({})).await;
    assert_eq!(answer.0, 400, "{answer:?}");
    assert_ne!(answer.1["error_description"], "Not found");
    // `fields` answers its example; crm.item.list keeps its own behaviour.
    let fields = result(p.webhook("crm.deal.fields", json!({})).await);
    assert!(fields["TITLE"].is_object(), "{fields}");
    p.mock.seed_crm_items(2, 3);
    let items = p.webhook("crm.item.list", json!({"entityTypeId": 2})).await;
    assert_eq!(items.1["total"], 3);
    // Families work inside batch too.
    let batch = json!({"halt": 0, "cmd": {
        "a": "crm.contact.add?fields[NAME]=Batch",
        "b": "crm.contact.get?id=$result[a]",
    }});
    let batch = result(p.webhook("batch", batch).await);
    assert_eq!(batch["result"]["b"]["NAME"], "Batch", "{batch}");
}

#[tokio::test]
async fn the_authorization_server_answers_app_info_for_a_token() {
    let p = Portal::start().await;
    let http = reqwest::Client::new();
    let url = p.mock.app_info_endpoint();
    let ask = |token: String| http.get(&url).query(&[("auth", token)]).send();
    let answer = ask(p.mock.access_token()).await.expect("sent");
    assert_eq!(answer.status(), 200);
    let body: Value = answer.json().await.expect("JSON");
    let result = &body["result"];
    assert_eq!(result["client_id"], json!(p.mock.client_id()), "{body}");
    assert_eq!(result["user_id"], ADMIN_USER_ID);
    assert_eq!(result["install"]["installed"], true);
    assert_eq!(result["install"]["status"], "L");
    let endpoint = format!("{}/rest/", p.mock.base_url());
    assert_eq!(result["install"]["client_endpoint"], json!(endpoint));
    assert!(
        result["expires"].as_str().is_some_and(|e| e.contains('T')),
        "{body}"
    );
    assert!(body["time"]["start"].is_number(), "{body}");
    let unknown = ask("nope".to_owned()).await.expect("sent");
    assert_eq!(unknown.status(), 401);
    let body: Value = unknown.json().await.expect("JSON");
    assert_eq!(body["error"], "invalid_token");
    p.mock.expire_access_tokens();
    let expired = ask(p.mock.access_token()).await.expect("sent");
    let body: Value = expired.json().await.expect("JSON");
    assert_eq!(body["error"], "expired_token");
}
