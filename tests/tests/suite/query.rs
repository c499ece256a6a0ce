//! Dynamic keys end to end: a `filter` with operator prefixes, an `order`, and user fields set
//! by name on a request, against the mock portal's entity store; and the allowed numbers of an
//! integer.

// crm.deal.* are deprecated in favour of crm.item.*, and still what most integrations call.
#![allow(deprecated)]

use bitrix_api::bizproc::BizprocTaskComplete;
use bitrix_api::crm::{CrmDealAdd, CrmDealAddFields, CrmDealList};
use bitrix_api::{Client, ClientBuilder, Error, Fields, Filter, Order};
use bitrix_mock::MockPortal;
use serde_json::{Value, json};

fn client(mock: &MockPortal) -> Client {
    ClientBuilder::access_token(&mock.base_url(), mock.access_token())
        .rate_limit(None)
        .build()
        .unwrap()
}

async fn add_deals(client: &Client) -> Vec<i64> {
    let mut ids = Vec::new();
    for (title, amount, color) in [
        ("Small offer", 100, "red"),
        ("Large offer", 5000, "blue"),
        ("Repeat order", 700, "blue"),
    ] {
        let fields = CrmDealAddFields::new()
            .title(title)
            .opportunity(amount)
            .field("UF_CRM_COLOR", color);
        let id = client.call(CrmDealAdd::new().fields(fields)).await.unwrap();
        ids.push(id);
    }
    ids
}

fn ids(rows: &[Value]) -> Vec<i64> {
    rows.iter()
        .map(|r| match &r["ID"] {
            Value::String(s) => s.parse().unwrap(),
            other => other.as_i64().unwrap(),
        })
        .collect()
}

#[tokio::test]
async fn a_filter_with_operators_and_an_order_select_what_the_portal_would() {
    let mock = MockPortal::start().await.unwrap();
    let client = client(&mock);
    let added = add_deals(&client).await;

    let request = CrmDealList::new()
        .filter(Filter::new().gte("OPPORTUNITY", 500).like("TITLE", "offer"))
        .order(Order::new().desc("ID"));
    let rows = client.call(request).await.unwrap();
    assert_eq!(ids(&rows), vec![added[1]]);

    let request = CrmDealList::new()
        .filter(Filter::new().eq("UF_CRM_COLOR", "blue"))
        .order(Order::new().desc("OPPORTUNITY"));
    let rows = client.call(request).await.unwrap();
    assert_eq!(ids(&rows), vec![added[1], added[2]]);
    assert_eq!(rows[0]["UF_CRM_COLOR"], json!("blue"));

    let request = CrmDealList::new()
        .filter(Filter::new().not_in("ID", [added[0], added[2]]))
        .order(Order::new().asc("ID"));
    let rows = client.call(request).await.unwrap();
    assert_eq!(ids(&rows), vec![added[1]]);

    let request = CrmDealList::new()
        .filter(Filter::new().between("OPPORTUNITY", 100, 700))
        .order(Order::new().asc("OPPORTUNITY"));
    let rows = client.call(request).await.unwrap();
    assert_eq!(ids(&rows), vec![added[0], added[2]]);
}

#[tokio::test]
async fn a_filter_naming_a_field_the_method_does_not_have_is_refused_before_sending() {
    let mock = MockPortal::start().await.unwrap();
    let client = client(&mock);
    let request = CrmDealList::new().filter(
        Filter::new()
            .like("TITEL", "offer")
            .eq("UF_CRM_1700000000", 1)
            .gte("date_create", "2026-01-01"),
    );
    let err = client.call(request).await.unwrap_err();
    let Error::Validation(v) = &err else {
        panic!("expected a validation error, got {err:?}");
    };
    // Only the misspelt field: user fields and another case of a listed field pass.
    assert_eq!(v.problems.len(), 1, "{v}");
    assert_eq!(v.problems[0].param, "filter");
    assert!(v.problems[0].reason.contains("`TITEL`"), "{v}");
    assert_eq!(mock.received("crm.deal.list"), 0);
}

#[tokio::test]
async fn filter_order_and_user_fields_are_sent_as_the_portal_reads_them() {
    let request = CrmDealList::new()
        .filter(
            Filter::new()
                .is_in("STAGE_ID", ["NEW", "WON"])
                .key("!=%TITLE", "%test%"),
        )
        .order(Order::new().desc("DATE_CREATE").asc("ID"));
    let json = serde_json::to_value(&request).unwrap();
    assert_eq!(
        json,
        json!({
            "filter": {"@STAGE_ID": ["NEW", "WON"], "!=%TITLE": "%test%"},
            "order": {"DATE_CREATE": "DESC", "ID": "ASC"},
        })
    );
    let form = bitrix_api::form::encode(json.as_object().unwrap());
    assert!(form.contains("filter[%40STAGE_ID][0]=NEW"), "{form}");
    assert!(
        form.contains("order[DATE_CREATE]=DESC&order[ID]=ASC"),
        "{form}"
    );

    let fields = CrmDealAddFields::new()
        .title("x")
        .field("UF_CRM_1700000000", json!(["a", "b"]))
        .field("TITLE", "replaced");
    let json = serde_json::to_value(CrmDealAdd::new().fields(fields)).unwrap();
    assert_eq!(
        json,
        json!({"fields": {"TITLE": "replaced", "UF_CRM_1700000000": ["a", "b"]}})
    );
}

/// `bizproc.task.complete`'s `STATUS` takes 1 to 4 (`values: [1, 2, 3, 4]`): another number is
/// refused by the client before sending, and by the mock portal when sent anyway.
#[tokio::test]
async fn an_integer_outside_its_values_is_refused_on_both_sides() {
    let mock = MockPortal::start().await.unwrap();
    let client = client(&mock);
    let err = client
        .call(BizprocTaskComplete::new(5, 7))
        .await
        .unwrap_err();
    let Error::Validation(v) = &err else {
        panic!("expected a validation error, got {err:?}");
    };
    assert_eq!(v.problems[0].param, "STATUS");
    assert_eq!(v.problems[0].reason, "must be one of 1, 2, 3, 4, is 7");
    assert_eq!(mock.received("bizproc.task.complete"), 0);

    let url = format!("{}/rest/bizproc.task.complete", mock.base_url());
    let send = |status: i64| {
        let body = json!({"TASK_ID": 5, "STATUS": status, "auth": mock.access_token()});
        reqwest::Client::new().post(url.clone()).json(&body).send()
    };
    let refused = send(7).await.unwrap();
    let status = refused.status().as_u16();
    let body: Value = refused.json().await.unwrap();
    assert!(status >= 400, "{status} {body}");
    assert_eq!(
        body["error_description"],
        json!("`STATUS` must be one of 1, 2, 3, 4, found 7"),
        "{body}"
    );
    let accepted = send(2).await.unwrap();
    assert_eq!(accepted.status().as_u16(), 200);
}

/// `crm.item.list` names user fields `ufCrm2Color` by default and `UF_CRM_2_COLOR` with
/// `useOriginalUfNames=Y` (`original_uf_names` in its spec): the client refuses a name in the
/// spelling the call does not read, the mock answers in the spelling asked for, and
/// `user_field` finds a field under either.
#[tokio::test]
async fn user_fields_are_named_as_use_original_uf_names_says() {
    use bitrix_api::crm::CrmItemList;
    use bitrix_api::{Method, user_field};
    use futures_util::TryStreamExt;

    let mock = MockPortal::start().await.unwrap();
    mock.seed_crm_items(2, 9);
    let client = client(&mock);

    // The original name while the method reads camelCase: refused, with the name to write.
    let before = mock.received(CrmItemList::NAME);
    let original = Filter::new().eq("UF_CRM_2_COLOR", "red");
    let err = client
        .call(CrmItemList::new(2).filter(original.clone()))
        .await
        .unwrap_err();
    let Error::Validation(v) = err else {
        panic!("expected a validation error, got {err:?}")
    };
    assert_eq!(v.problems[0].param, "filter.UF_CRM_2_COLOR");
    assert!(v.problems[0].reason.contains("write `ufCrm2Color`"), "{v}");
    // And the other way round, operator prefix kept.
    let camel = Filter::new().not_in("ufCrm2Color", ["red"]);
    let request = CrmItemList::new(2)
        .use_original_uf_names(true)
        .filter(camel);
    let Err(Error::Validation(v)) = client.call(request).await else {
        panic!("expected a validation error")
    };
    assert!(
        v.problems[0].reason.contains("write `!@UF_CRM_2_COLOR`"),
        "{v}"
    );
    assert_eq!(mock.received(CrmItemList::NAME), before, "nothing was sent");

    // Each spelling with its switch: the same three items, named as asked.
    let request = CrmItemList::new(2)
        .use_original_uf_names(true)
        .filter(original);
    let items: Vec<_> = client.list(request).try_collect().await.unwrap();
    assert_eq!(items.len(), 3);
    assert!(
        items
            .iter()
            .all(|i| i.extra["UF_CRM_2_COLOR"] == json!("red"))
    );
    let request = CrmItemList::new(2).filter(Filter::new().eq("ufCrm2Color", "red"));
    let camel: Vec<_> = client.list(request).try_collect().await.unwrap();
    assert_eq!(
        camel.iter().map(|i| i.id).collect::<Vec<_>>(),
        items.iter().map(|i| i.id).collect::<Vec<_>>()
    );
    assert!(!camel[0].extra.contains_key("UF_CRM_2_COLOR"));
    for item in [&items[0], &camel[0]] {
        assert_eq!(
            user_field(&item.extra, "UF_CRM_2_COLOR"),
            Some(&json!("red"))
        );
        assert_eq!(user_field(&item.extra, "ufCrm2Color"), Some(&json!("red")));
    }
}

/// The values of a filter's typed fields: the client refuses a value of another kind before
/// sending, the mock portal refuses it on receipt, and numbers as strings, lists and empty
/// values pass.
#[tokio::test]
async fn a_filter_value_of_the_wrong_kind_is_refused_on_both_sides() {
    let mock = MockPortal::start().await.unwrap();
    let client = client(&mock);
    let added = add_deals(&client).await;

    for (filter, named) in [
        (Filter::new().gte("OPPORTUNITY", "a lot"), ">=OPPORTUNITY"),
        (Filter::new().is_in("ID", [json!(1), json!("x")]), "@ID"),
        (Filter::new().eq("OPENED", 2), "OPENED"),
    ] {
        let Err(Error::Validation(v)) = client.call(CrmDealList::new().filter(filter)).await else {
            panic!("{named}: expected a validation error")
        };
        assert_eq!(v.problems[0].param, "filter");
        assert!(
            v.problems[0]
                .reason
                .contains(&format!("`{named}` compares")),
            "{v}"
        );
    }
    assert_eq!(mock.received("crm.deal.list"), 0, "nothing was sent");

    // The portal reads numbers written as strings, lists of ids, and empty values.
    let request = CrmDealList::new()
        .filter(
            Filter::new()
                .gte("OPPORTUNITY", "500")
                .is_in("ID", [added[1], added[2]]),
        )
        .order(Order::new().asc("ID"));
    let rows = client.call(request).await.unwrap();
    assert_eq!(ids(&rows), vec![added[1], added[2]]);

    // Sent as it is, the mock refuses it too.
    let answer = client
        .call_raw(
            "crm.deal.list",
            json!({"filter": {">=OPPORTUNITY": "a lot"}}),
        )
        .await;
    let err = answer.unwrap_err();
    assert!(err.to_string().contains(">=OPPORTUNITY"), "{err}");
    assert_eq!(mock.received("crm.deal.list"), 2);
}

/// `CrmItem` names two families of members (`dynamic`): user fields `ufCrm…`, any value, and
/// parent links `parentId…`, ids. Both are kept in `extra`; a parent link that is no id fails
/// the decode at its path, as the compile-time check of examples would.
#[test]
fn families_of_members_are_kept_and_checked() {
    use bitrix_api::Method;
    use bitrix_api::crm::CrmItemList;

    let page = CrmItemList::decode(
        r#"{"items": [{"id": 1, "parentId1032": "7", "ufCrm5Color": ["red", 2], "parentId": "x"}]}"#,
    )
    .unwrap();
    let extra = &page.items[0].extra;
    assert_eq!(extra["parentId1032"], json!("7"));
    assert_eq!(extra["ufCrm5Color"], json!(["red", 2]));
    // The prefix alone names no member of the family.
    assert_eq!(extra["parentId"], json!("x"));

    let err = CrmItemList::decode(r#"{"items": [{"id": 1, "parentId1032": "x"}]}"#).unwrap_err();
    assert!(
        err.to_string().contains("result.items[0].parentId1032"),
        "{err}"
    );
}

/// A `file` member (`crm.company.add`'s `LOGO`): the client sends `[name, base64]`, the mock
/// portal takes it and refuses what is no file, and the request's `Debug` shows no content.
#[tokio::test]
async fn a_file_is_sent_as_name_and_base64() {
    use bitrix_api::FileData;
    use bitrix_api::crm::{CrmCompanyAdd, CrmCompanyAddFields};

    let mock = MockPortal::start().await.unwrap();
    let client = client(&mock);
    let logo = FileData::new("logo.png", b"\x89PNG\r\n".to_vec());
    let fields = CrmCompanyAddFields::new().title("Acme").logo(logo.clone());
    let request = CrmCompanyAdd::new(fields);
    let sent = serde_json::to_value(&request).unwrap();
    assert_eq!(sent["fields"]["LOGO"], json!(["logo.png", "iVBORw0K"]));
    assert!(format!("{request:?}").contains("FileData(\"logo.png\", 6 bytes)"));
    let id = client.call(request).await.unwrap();
    assert!(id > 0);
    // The `fileData` form and an id pass too.
    for logo in [logo.in_file_data(), FileData::id(7)] {
        let fields = CrmCompanyAddFields::new().title("Acme").logo(logo);
        client.call(CrmCompanyAdd::new(fields)).await.unwrap();
    }

    // Sent as it is, a value that is no file is refused on receipt.
    let err = client
        .call_raw(
            "crm.company.add",
            json!({"fields": {"TITLE": "Acme", "LOGO": {"name": "x"}}}),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("expected a file"), "{err}");
}
