//! Batch and list pagination against the mock portal.

use std::collections::BTreeSet;

use bitrix_api::crm::CrmItemList;
use bitrix_api::imbot::{ImbotV2BotList, ImbotV2ChatMessageDelete};
use bitrix_api::landing::{LandingSiteGetList, LandingSiteGetListParams};
use bitrix_api::messageservice::{
    MessageserviceSenderAdd, MessageserviceSenderAddError, MessageserviceSenderDelete,
    MessageserviceSenderDeleteError, MessageserviceSenderList, SenderType,
};
use bitrix_api::{Client, ClientBuilder, Error};
use bitrix_mock::MockPortal;
use futures_util::{StreamExt, TryStreamExt};

fn client(mock: &MockPortal) -> Client {
    // The mock does not limit the rate here; these tests count requests, not seconds.
    ClientBuilder::access_token(&mock.base_url(), mock.access_token())
        .rate_limit(None)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_thousand_bot_message_deletes_take_twenty_requests() {
    let mock = MockPortal::start().await.unwrap();
    let client = client(&mock);
    let (bot, _) = mock.bot();
    let chat = mock.create_chat();
    let ids: Vec<i64> = (0..1000).map(|_| mock.post_message(chat, bot)).collect();
    let mut batch = client.batch();
    let slots: Vec<_> = ids
        .iter()
        .map(|&id| batch.add(ImbotV2ChatMessageDelete::new(bot, id)).unwrap())
        .collect();
    let replies = batch.send().await.unwrap();
    assert_eq!(replies.calls(), 20);
    assert_eq!(
        mock.received("batch"),
        20,
        "20 HTTP requests reached the portal"
    );
    for slot in &slots {
        assert!(replies.get(slot).unwrap().unwrap().result);
    }
    assert!(ids.iter().all(|&id| !mock.message_exists(id)));
}

#[tokio::test]
async fn each_command_of_a_mixed_batch_has_its_own_typed_outcome() {
    let mock = MockPortal::start().await.unwrap();
    let client = client(&mock);
    let add = || {
        MessageserviceSenderAdd::new("batch_sms", SenderType::Sms, "https://h.example/sms", "SMS")
    };
    let mut batch = client.batch();
    let first = batch.add(add()).unwrap();
    let again = batch.add(add()).unwrap();
    let missing = batch
        .add(MessageserviceSenderDelete::new("no_such"))
        .unwrap();
    let list = batch.add(MessageserviceSenderList::new()).unwrap();
    let replies = batch.send().await.unwrap();
    assert_eq!(replies.calls(), 1);
    assert!(replies.get(&first).unwrap().unwrap());
    match replies.get(&again).unwrap() {
        Err(Error::Method {
            code: MessageserviceSenderAddError::ErrorSenderAlreadyInstalled,
            detail,
        }) => {
            assert_eq!(detail.description, "Sender already installed!");
        }
        other => panic!("expected ERROR_SENDER_ALREADY_INSTALLED, got {other:?}"),
    }
    assert!(matches!(
        replies.get(&missing).unwrap(),
        Err(Error::Method {
            code: MessageserviceSenderDeleteError::ErrorSenderNotFound,
            ..
        })
    ));
    assert_eq!(replies.get(&list).unwrap().unwrap(), ["batch_sms"]);
    assert_eq!(replies.failures(), 2);
}

#[tokio::test]
async fn halt_stops_at_the_first_failure() {
    let mock = MockPortal::start().await.unwrap();
    let client = client(&mock);
    let mut batch = client.batch();
    let failing = batch
        .add(MessageserviceSenderDelete::new("no_such"))
        .unwrap();
    let after = batch.add(MessageserviceSenderList::new()).unwrap();
    let replies = batch.halt(true).send().await.unwrap();
    assert!(replies.get(&failing).unwrap().is_err());
    assert!(replies.get(&after).is_none(), "not run after the failure");
}

#[tokio::test]
async fn a_batch_command_is_validated_like_a_direct_call() {
    let mock = MockPortal::start().await.unwrap();
    let client = client(&mock);
    let mut batch = client.batch();
    let err = batch
        .add(MessageserviceSenderDelete::new("not valid!"))
        .unwrap_err();
    assert_eq!(err.problems[0].param, "CODE");
    assert!(batch.is_empty());
}

/// Every id of 1..=n exactly once, in order.
fn assert_complete(ids: &[i64], n: i64) {
    let unique: BTreeSet<i64> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "duplicates");
    assert_eq!(ids.len() as i64, n, "gaps");
    assert_eq!(unique.first().copied(), Some(1));
    assert_eq!(unique.last().copied(), Some(n));
}

const ITEMS: i64 = 10_000;

async fn listed(mode: &str) -> (Vec<i64>, u64, u64) {
    let mock = MockPortal::start().await.unwrap();
    mock.seed_crm_items(2, ITEMS as usize);
    let client = client(&mock);
    let request = CrmItemList::new(2);
    let items: Vec<_> = match mode {
        "paged" => client.list(request).try_collect().await.unwrap(),
        "fast" => client.list_fast(request).try_collect().await.unwrap(),
        _ => client.list_batched(request).try_collect().await.unwrap(),
    };
    let ids = items
        .iter()
        .map(|i| i.id.expect("every listed item has its id"))
        .collect();
    (ids, mock.received("crm.item.list"), mock.received("batch"))
}

#[tokio::test]
async fn a_ten_thousand_item_list_streams_whole_page_by_page() {
    let (ids, direct, batches) = listed("paged").await;
    assert_complete(&ids, ITEMS);
    assert_eq!((direct, batches), (200, 0));
}

#[tokio::test]
async fn a_ten_thousand_item_list_streams_whole_in_fast_mode() {
    let (ids, direct, batches) = listed("fast").await;
    assert_complete(&ids, ITEMS);
    // 200 full pages, then the short (empty) page that ends the stream.
    assert_eq!((direct, batches), (201, 0));
}

#[tokio::test]
async fn a_ten_thousand_item_list_streams_whole_through_batch() {
    let (ids, direct, batches) = listed("batched").await;
    assert_complete(&ids, ITEMS);
    // The first page gives the total; the other 199 pages go 50 to a batch.
    assert_eq!((direct, batches), (1, 4));
}

#[tokio::test]
async fn the_imbot_v2_list_streams_to_its_end() {
    let mock = MockPortal::start().await.unwrap();
    mock.seed_bots(120);
    let client = client(&mock);
    let bots: Vec<_> = client
        .list(ImbotV2BotList::new().limit(25))
        .try_collect()
        .await
        .unwrap();
    let ids: BTreeSet<i64> = bots.iter().map(|b| b.id).collect();
    assert_eq!(ids.len(), bots.len(), "no duplicates");
    assert_eq!(
        bots.len(),
        121,
        "the 120 seeded and the one the mock starts with"
    );
    assert!(mock.received("imbot.v2.Bot.list") >= 5);
    // A stream can be read partly, too.
    let first_three: Vec<_> = client.list(ImbotV2BotList::new()).take(3).collect().await;
    assert_eq!(first_three.len(), 3);
}

/// An offset list that keeps its paging inside a wrapper (`params.offset`, `params.limit`) and
/// whose result says nothing of the pages after it: the client pages at those paths and stops
/// at the first short page; the mock's family store pages the same way.
#[tokio::test]
async fn a_list_paged_inside_its_params_streams_to_a_short_page() {
    let mock = MockPortal::start().await.unwrap();
    assert!(mock.families().iter().any(|f| f == "landing.site"));
    mock.seed_family("landing.site", 120).unwrap();
    let client = client(&mock);
    let sites: Vec<_> = client
        .list(LandingSiteGetList::new())
        .try_collect()
        .await
        .unwrap();
    let ids: BTreeSet<String> = sites.iter().filter_map(|s| s.id.clone()).collect();
    assert_eq!((sites.len(), ids.len()), (120, 120));
    // 50, 50, then 20: the short page is the last.
    assert_eq!(mock.received("landing.site.getList"), 3);

    // The caller's page size, at the same path: 40, 40, 40, and an empty page.
    let request = LandingSiteGetList::new().params(LandingSiteGetListParams::new().limit(40));
    let again: Vec<_> = client.list(request).try_collect().await.unwrap();
    assert_eq!(again.len(), 120);
    assert_eq!(mock.received("landing.site.getList"), 3 + 4);
}

/// A portal (or proxy) that ignores the fast mode's `>id` filter answers the same full page
/// again and again: the stream yields each item once, then a `Decode` error, and stops.
#[tokio::test]
async fn list_fast_stops_when_the_portal_ignores_the_id_filter() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let asked = Arc::new(AtomicUsize::new(0));
    let counter = asked.clone();
    let page: Vec<serde_json::Value> = (1..=50)
        .map(|id| serde_json::json!({ "id": id, "title": format!("Deal {id}") }))
        .collect();
    let body = serde_json::json!({ "result": { "items": page } }).to_string();
    let router = axum::Router::new().fallback(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        let body = body.clone();
        async move { ([("content-type", "application/json")], body) }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let portal = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });

    let client = ClientBuilder::access_token(&portal, "token")
        .rate_limit(None)
        .build()
        .unwrap();
    let got: Vec<_> = client.list_fast(CrmItemList::new(2)).collect().await;
    let ids: Vec<i64> = got
        .iter()
        .filter_map(|r| r.as_ref().ok().and_then(|item| item.id))
        .collect();
    assert_eq!(ids, (1..=50).collect::<Vec<_>>(), "each item once");
    assert_eq!(got.len(), 51, "the items, then one error");
    let last = got.last().unwrap();
    assert!(
        matches!(last, Err(Error::Decode(e)) if e.message.contains("ignored the `>id` filter")),
        "{last:?}"
    );
    assert_eq!(
        asked.load(Ordering::SeqCst),
        2,
        "the repeated page was asked for once"
    );
}
