//! Calls by REST name (`call_raw`, `Batch::add_raw`, `list_raw*`) against the mock portal: the
//! same path as typed calls, with the `result` as JSON.

use std::collections::BTreeSet;
use std::time::Duration;

use bitrix_api::messageservice::MessageserviceSenderList;
use bitrix_api::{Client, ClientBuilder, Error, OAuthApp, RetryPolicy, SystemError};
use bitrix_mock::{Fault, MockPortal};
use futures_util::{StreamExt, TryStreamExt};
use serde_json::{Value, json};

fn retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_total_wait: Duration::from_secs(5),
    }
}

fn client(mock: &MockPortal) -> Client {
    ClientBuilder::access_token(&mock.base_url(), mock.access_token())
        .rate_limit(None)
        .retry(retries())
        .build()
        .unwrap()
}

fn sender(code: &str) -> Value {
    json!({
        "CODE": code,
        "TYPE": "SMS",
        "HANDLER": "https://sms.example.com/handler",
        "NAME": {"en": "Raw SMS"},
    })
}

#[tokio::test]
async fn a_raw_call_returns_the_result_as_json() {
    let mock = MockPortal::start().await.unwrap();
    let client = client(&mock);
    let added = client
        .call_raw("messageservice.sender.add", sender("raw_sms"))
        .await
        .unwrap();
    assert_eq!(added, json!(true));
    let listed = client
        .call_raw("messageservice.sender.list", json!({}))
        .await
        .unwrap();
    assert_eq!(listed, json!(["raw_sms"]));
    // What the typed call sees is the same.
    let typed = client.call(MessageserviceSenderList::new()).await.unwrap();
    assert_eq!(typed, vec!["raw_sms".to_owned()]);
    assert_eq!(mock.providers(bitrix_mock::MAIN_APP), vec!["raw_sms"]);
    // No parameters at all: `()` serializes to null, sent as `{}`.
    let again = client
        .call_raw("messageservice.sender.list", ())
        .await
        .unwrap();
    assert_eq!(again, listed);
}

#[tokio::test]
async fn with_time_brings_total_next_and_the_time_block() {
    let mock = MockPortal::start().await.unwrap();
    mock.seed_crm_items(2, 120);
    let client = client(&mock);
    let page = client
        .call_raw("crm.item.list", json!({"entityTypeId": 2}))
        .with_time()
        .await
        .unwrap();
    assert_eq!(page.total, Some(120));
    assert_eq!(page.next, Some(50));
    assert!(page.time.is_some(), "the time block");
    assert_eq!(page.result["items"].as_array().map(Vec::len), Some(50));
    // The name is compared as the portal compares it.
    let upper = client
        .call_raw("CRM.ITEM.LIST", json!({"entityTypeId": 2, "start": 100}))
        .with_time()
        .await
        .unwrap();
    assert_eq!(upper.result["items"].as_array().map(Vec::len), Some(20));
    assert_eq!(upper.next, None);
}

#[tokio::test]
async fn an_unknown_method_gets_the_portals_error() {
    let mock = MockPortal::start().await.unwrap();
    let client = client(&mock);
    let err = client
        .call_raw("crm.no.such.method", json!({"x": 1}))
        .await
        .unwrap_err();
    match &err {
        Error::System { code, detail } => {
            assert_eq!(*code, SystemError::MethodNotFound);
            assert_eq!(detail.method, "crm.no.such.method");
        }
        other => panic!("expected ERROR_METHOD_NOT_FOUND, got {other:?}"),
    }
    assert_eq!(mock.received("crm.no.such.method"), 1);
}

#[tokio::test]
async fn a_documented_code_of_a_raw_call_is_an_other_error_with_the_code() {
    let mock = MockPortal::start().await.unwrap();
    let client = client(&mock);
    let err = client
        .call_raw("messageservice.sender.delete", json!({"CODE": "no_such"}))
        .await
        .unwrap_err();
    match &err {
        Error::Other(detail) => assert_eq!(detail.code, "ERROR_SENDER_NOT_FOUND"),
        other => panic!("expected an undocumented-code error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_badly_shaped_name_or_params_are_refused_before_sending() {
    let mock = MockPortal::start().await.unwrap();
    let webhook = mock.webhook_url();
    let client = ClientBuilder::webhook(&webhook)
        .unwrap()
        .rate_limit(None)
        .build()
        .unwrap();
    let code = webhook
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    for bad in [
        "crm lead list".to_owned(),
        "crm..item.list".to_owned(),
        "crm/item/list".to_owned(),
        format!("{webhook}crm.item.list"),
    ] {
        let err = client.call_raw(&bad, json!({})).await.unwrap_err();
        match &err {
            Error::Validation(v) => assert_eq!(v.problems[0].param, "method", "{bad}: {v}"),
            other => panic!("{bad}: expected a validation error, got {other:?}"),
        }
        let text = format!("{err} {err:?}");
        assert!(!text.contains(&code), "the webhook code leaked: {text}");
    }
    let err = client
        .call_raw("crm.item.list", json!([1, 2]))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Validation(v) if v.problems[0].param == "params"),
        "{err:?}"
    );
    assert_eq!(mock.requests(), 0, "nothing was sent");
}

#[tokio::test]
async fn a_raw_command_runs_in_a_batch_beside_typed_ones() {
    let mock = MockPortal::start().await.unwrap();
    mock.seed_crm_items(2, 70);
    let client = client(&mock);
    let mut batch = client.batch();
    let add = batch
        .add_raw("messageservice.sender.add", sender("in_batch"))
        .unwrap();
    let list = batch.add(MessageserviceSenderList::new()).unwrap();
    let items = batch
        .add_raw("crm.item.list", json!({"entityTypeId": 2}))
        .unwrap();
    let unknown = batch.add_raw("no.such.method", json!({})).unwrap();
    assert!(batch.add_raw("not a name", json!({})).is_err());
    let replies = batch.send().await.unwrap();
    assert_eq!(replies.calls(), 1);
    assert_eq!(mock.received("batch"), 1);
    assert_eq!(replies.get_raw(&add).unwrap().unwrap(), json!(true));
    assert_eq!(replies.get(&list).unwrap().unwrap(), vec!["in_batch"]);
    let page = replies.get_raw(&items).unwrap().unwrap();
    assert_eq!(page["items"].as_array().map(Vec::len), Some(50));
    assert_eq!(replies.total(&items), Some(70));
    assert_eq!(replies.next(&items), Some(50));
    match replies.get_raw(&unknown).unwrap() {
        Err(Error::System { code, .. }) => assert_eq!(code, SystemError::MethodNotFound),
        other => panic!("expected ERROR_METHOD_NOT_FOUND, got {other:?}"),
    }
}

const ITEMS: usize = 620;

fn assert_complete(items: &[Value], n: usize) {
    let ids: Vec<i64> = items.iter().map(|i| i["id"].as_i64().unwrap()).collect();
    let unique: BTreeSet<i64> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "duplicates");
    assert_eq!(ids.len(), n, "gaps");
}

#[tokio::test]
async fn a_raw_list_streams_whole_in_each_paging_mode() {
    let mock = MockPortal::start().await.unwrap();
    mock.seed_crm_items(2, ITEMS);
    let client = client(&mock);
    let params = json!({"entityTypeId": 2});

    let paged: Vec<Value> = client
        .list_raw("crm.item.list", &params)
        .try_collect()
        .await
        .unwrap();
    assert_complete(&paged, ITEMS);
    assert_eq!(mock.received("crm.item.list"), 13, "13 pages of 50");

    let fast: Vec<Value> = client
        .list_raw_fast("crm.item.list", &params, "id")
        .try_collect()
        .await
        .unwrap();
    assert_complete(&fast, ITEMS);
    assert_eq!(
        mock.received("crm.item.list"),
        13 + 13,
        "12 full pages and the short one"
    );

    let batched: Vec<Value> = client
        .list_raw_batched("crm.item.list", &params)
        .try_collect()
        .await
        .unwrap();
    assert_complete(&batched, ITEMS);
    assert_eq!(
        (mock.received("crm.item.list"), mock.received("batch")),
        (13 + 13 + 1, 1),
        "the first page, then 12 pages in one batch"
    );
}

#[tokio::test]
async fn a_raw_offset_list_follows_has_next_page() {
    let mock = MockPortal::start().await.unwrap();
    mock.seed_bots(60);
    let client = client(&mock);
    // `result` holds `bots` and `users`: the items are named.
    let bots: Vec<Value> = client
        .list_raw_items("imbot.v2.Bot.list", json!({"limit": 25}), "bots")
        .try_collect()
        .await
        .unwrap();
    let ids: BTreeSet<i64> = bots.iter().map(|b| b["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 61, "the 60 seeded and the mock's own, once each");
    assert_eq!(mock.received("imbot.v2.Bot.list"), 3);
    // Unnamed, two arrays are one too many: an error says so.
    let err = client
        .list_raw("imbot.v2.Bot.list", json!({"limit": 25}))
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Decode(d) if d.message.contains("list_raw_items")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_raw_list_stops_at_an_error() {
    let mock = MockPortal::start().await.unwrap();
    let client = client(&mock);
    let got: Vec<_> = client.list_raw("no.such.list", json!({})).collect().await;
    assert_eq!(got.len(), 1);
    assert!(
        matches!(
            &got[0],
            Err(Error::System {
                code: SystemError::MethodNotFound,
                ..
            })
        ),
        "{got:?}"
    );
    let refused: Vec<_> = client.list_raw("no such", json!({})).collect().await;
    assert!(
        matches!(&refused[..], [Err(Error::Validation(_))]),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_raw_call_refreshes_an_expired_token_once() {
    let mock = MockPortal::start().await.unwrap();
    let app =
        OAuthApp::new(mock.client_id(), mock.client_secret()).token_endpoint(mock.token_endpoint());
    let client = ClientBuilder::access_token(&mock.base_url(), mock.access_token())
        .refresh(mock.refresh_token(), app)
        .rate_limit(None)
        .build()
        .unwrap();
    mock.expire_access_tokens();
    let listed = client
        .call_raw("messageservice.sender.list", json!({}))
        .await
        .unwrap();
    assert_eq!(listed, json!([]));
    assert_eq!(mock.refreshes(), 1);
    // A raw list and a raw batch go through the same refresh.
    mock.expire_access_tokens();
    let mut batch = client.batch();
    let slot = batch
        .add_raw("messageservice.sender.list", json!({}))
        .unwrap();
    let replies = batch.send().await.unwrap();
    assert_eq!(replies.get_raw(&slot).unwrap().unwrap(), json!([]));
    assert_eq!(mock.refreshes(), 2);
}

/// A method the client knows nothing about is not sent again after the connection dropped
/// with the request sent; the caller can say it is safe, and a specced method keeps its spec's
/// word.
#[tokio::test]
async fn raw_retries_follow_idempotence() {
    let mock = MockPortal::start().await.unwrap();
    let client = client(&mock);

    mock.inject_fault(Some("custom.thing.get"), Fault::DropConnection, 1);
    let err = client
        .call_raw("custom.thing.get", json!({}))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if t.outcome_unknown()),
        "{err:?}"
    );
    assert_eq!(mock.received("custom.thing.get"), 1, "sent once");

    mock.inject_fault(Some("custom.other.get"), Fault::DropConnection, 1);
    let err = client
        .call_raw("custom.other.get", json!({}))
        .idempotent(true)
        .await
        .unwrap_err();
    // Retried, and the second attempt reached the portal, which does not know the method.
    assert!(
        matches!(
            &err,
            Error::System {
                code: SystemError::MethodNotFound,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(mock.received("custom.other.get"), 2);

    // A raw call does not read specs (they live in the scope crates): even a method whose spec
    // says it is idempotent is sent once, unless the call says so.
    mock.inject_fault(Some("messageservice.sender.list"), Fault::DropConnection, 1);
    let err = client
        .call_raw("messageservice.sender.list", json!({}))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(mock.received("messageservice.sender.list"), 1);
    mock.inject_fault(Some("messageservice.sender.list"), Fault::DropConnection, 1);
    let listed = client
        .call_raw("messageservice.sender.list", json!({}))
        .idempotent(true)
        .await
        .unwrap();
    assert_eq!(listed, json!([]));
    assert_eq!(mock.received("messageservice.sender.list"), 3);

    // A per-call policy: no retry even for an idempotent method.
    mock.inject_fault(Some("messageservice.sender.list"), Fault::DropConnection, 1);
    let err = client
        .call_raw("messageservice.sender.list", json!({}))
        .retry(RetryPolicy::NONE)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
}

#[tokio::test]
async fn raw_calls_are_traced_and_leak_no_credential() {
    let mock = MockPortal::start().await.unwrap();
    let webhook = mock.webhook_url();
    let code = webhook
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let client = ClientBuilder::webhook(&webhook)
        .unwrap()
        .rate_limit(None)
        .build()
        .unwrap();
    let (logs, result) = crate::capture_logs(async {
        let ok = client
            .call_raw("crm.item.list", json!({"entityTypeId": 2}))
            .await;
        let err = client.call_raw("no.such.method", ()).await;
        (ok, err)
    })
    .await;
    let (ok, err) = result;
    assert_eq!(ok.unwrap(), json!({"items": []}));
    let err = err.unwrap_err();
    assert!(logs.contains("bitrix.call"), "{logs}");
    assert!(logs.contains("no.such.method"), "{logs}");
    for text in [logs, format!("{err} {err:?} {client:?}")] {
        assert!(!text.contains(&code), "the webhook code leaked: {text}");
    }
}

#[tokio::test]
async fn a_raw_call_gives_up_at_its_deadline() {
    let mock = MockPortal::start().await.unwrap();
    let client = client(&mock);
    mock.inject_fault(
        Some("messageservice.sender.list"),
        Fault::Delay(Duration::from_secs(5)),
        1,
    );
    let started = std::time::Instant::now();
    let err = client
        .call_raw("messageservice.sender.list", ())
        .with_time()
        .timeout(Duration::from_millis(200))
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    match &err {
        Error::Transport(t) => {
            assert_eq!(t.kind, bitrix_api::TransportKind::Timeout);
            assert!(t.outcome_unknown());
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn a_raw_call_follows_a_domain_change() {
    let mock = MockPortal::start().await.unwrap();
    let client = client(&mock);
    let new_base = mock.change_domain().await.unwrap();
    let added = client
        .call_raw("messageservice.sender.add", sender("moved_raw"))
        .await
        .unwrap();
    assert_eq!(added, json!(true));
    assert_eq!(client.portal(), new_base.trim_end_matches('/'));
    assert_eq!(
        mock.providers(bitrix_mock::MAIN_APP),
        vec!["moved_raw".to_owned()],
        "registered once, at the new address"
    );
}
