//! Every call style against every fault the mock can inject ([`Fault::samples`], so a fault
//! added to the mock is tried here without touching this file): each ends in a typed error or
//! a correct result, without a panic, without hanging, and without running a write twice.
//!
//! It prints the table of what was tried; `cargo test -p bitrix-tests --test suite faults --
//! --nocapture` shows it.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::post;
use bitrix_api::crm::CrmItemList;
use bitrix_api::events::SmsHandlerRequest;
use bitrix_api::handler::{Verified, Verifier};
use bitrix_api::imbot::ImbotV2BotList;
use bitrix_api::messageservice::{
    MessageStatus, MessageserviceMessageStatusUpdate, MessageserviceSenderAdd,
    MessageserviceSenderList, SenderType,
};
use bitrix_api::{Client, ClientBuilder, Error, OAuthApp, RetryPolicy};
use bitrix_mock::{Fault, MAIN_APP, MockPortal};
use futures_util::StreamExt;

/// Longer than any case may take: a case still running then is a hang.
const HANG: Duration = Duration::from_secs(30);
const ITEMS: usize = 120;
const BOTS: usize = 30;

/// A client that meets the faults: OAuth with refresh, a 2 s timeout (shorter than
/// `Fault::Delay`'s), a 1 MiB body limit, quick retries.
fn client(mock: &MockPortal) -> Client {
    ClientBuilder::access_token(&mock.base_url(), mock.access_token())
        .refresh(
            mock.refresh_token(),
            OAuthApp::new(mock.client_id(), mock.client_secret())
                .token_endpoint(mock.token_endpoint()),
        )
        .timeout(Duration::from_secs(2))
        .max_body_size(1 << 20)
        .rate_limit(None)
        .retry(RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            max_total_wait: Duration::from_secs(5),
        })
        .build()
        .unwrap()
}

/// Whether the portal ran the method despite the fault (so that sending it again would run it
/// twice).
fn executes(fault: &Fault) -> bool {
    matches!(
        fault,
        Fault::TruncatedJson | Fault::Delay(_) | Fault::DropConnection
    )
}

/// What a case ended in: `Ok` with a word on the result, or the error's kind.
type Outcome = Result<String, String>;

fn typed<T, E: std::fmt::Debug>(r: Result<T, Error<E>>, ok: impl FnOnce(T) -> String) -> Outcome {
    match r {
        Ok(v) => Ok(ok(v)),
        Err(e) => Err(kind(&e)),
    }
}

fn kind<E: std::fmt::Debug>(e: &Error<E>) -> String {
    match e {
        Error::Method { code, .. } => format!("method:{code:?}"),
        Error::System { code, .. } => format!("system:{code:?}"),
        Error::Other(a) => format!("other:{}", a.code),
        Error::Validation(_) => "validation".into(),
        Error::Transport(t) => format!("transport:{:?}", t.kind),
        Error::Decode(d) => format!("decode:{}", d.status),
        Error::Auth(a) => format!("auth:{:?}", a.kind),
        _ => "error".into(),
    }
}

/// The ids of a listing, checked: no duplicates, and all of them when the listing succeeded.
fn ids_checked(ids: Vec<Result<i64, String>>, all: usize) -> Result<Outcome, String> {
    let mut seen = BTreeSet::new();
    let mut failed = None;
    for id in ids {
        match id {
            Ok(id) if !seen.insert(id) => return Err(format!("id {id} streamed twice")),
            Ok(_) => {}
            Err(e) => failed = Some(e),
        }
    }
    match failed {
        Some(e) => Ok(Err(e)),
        None if seen.len() == all => Ok(Ok(format!("{all} items"))),
        None => Err(format!("{} of {all} items, and no error", seen.len())),
    }
}

type Case = Pin<Box<dyn Future<Output = Result<Outcome, String>> + Send>>;

/// One call style: runs against a fresh portal with `fault` injected where that style meets it,
/// and answers its outcome, or `Err` if an invariant broke.
fn run(style: &'static str, fault: Fault) -> Case {
    Box::pin(async move {
        let mock = MockPortal::start().await.map_err(|e| e.to_string())?;
        let client = client(&mock);
        let once = executes(&fault);
        match style {
            "call (read)" => {
                mock.inject_fault(Some("messageservice.sender.list"), fault, 1);
                let r = client.call(MessageserviceSenderList::new()).await;
                Ok(typed(r, |v| format!("{} senders", v.len())))
            }
            "call (write)" => {
                mock.inject_fault(Some("messageservice.sender.add"), fault, 1);
                let add = MessageserviceSenderAdd::new(
                    "w",
                    SenderType::Sms,
                    "https://h.example/sms",
                    "W",
                );
                let r = client.call(add).await;
                let sent = mock.received("messageservice.sender.add");
                let ran = if once { sent } else { sent - 1 };
                if ran > 1 || mock.providers(MAIN_APP).len() > 1 {
                    return Err(format!("the write ran {ran} times"));
                }
                Ok(typed(r, |v| format!("added: {v}")))
            }
            "batch" => {
                mock.inject_fault(Some("batch"), fault, 1);
                let mut batch = client.batch();
                let add = batch
                    .add(MessageserviceSenderAdd::new(
                        "b",
                        SenderType::Sms,
                        "https://h.example/sms",
                        "B",
                    ))
                    .map_err(|e| e.to_string())?;
                let list = batch
                    .add(MessageserviceSenderList::new())
                    .map_err(|e| e.to_string())?;
                let r = batch.send().await;
                let sent = mock.received("batch");
                let ran = if once { sent } else { sent - 1 };
                if ran > 1 {
                    return Err(format!("the batch with a write ran {ran} times"));
                }
                Ok(match r {
                    Ok(replies) => {
                        let a = replies.get(&add).map(|r| r.map_err(|e| kind(&e)));
                        let l = replies.get(&list).map(|r| r.map_err(|e| kind(&e)));
                        Ok(format!("add {a:?}, list {l:?}"))
                    }
                    Err(e) => Err(kind(&e)),
                })
            }
            "list (paged)" | "list_fast" => {
                mock.seed_crm_items(2, ITEMS);
                mock.inject_fault(Some("crm.item.list"), fault, 1);
                let stream = if style == "list_fast" {
                    client.list_fast(CrmItemList::new(2)).boxed()
                } else {
                    client.list(CrmItemList::new(2)).boxed()
                };
                let ids: Vec<_> = stream
                    .map(|r| r.map(|i| i.id.unwrap_or(-1)).map_err(|e| kind(&e)))
                    .collect()
                    .await;
                ids_checked(ids, ITEMS)
            }
            "list_batched" => {
                mock.seed_crm_items(2, ITEMS);
                // The first page is a plain call; the others come through `batch`.
                mock.inject_fault(Some("batch"), fault, 1);
                let ids: Vec<_> = client
                    .list_batched(CrmItemList::new(2))
                    .map(|r| r.map(|i| i.id.unwrap_or(-1)).map_err(|e| kind(&e)))
                    .collect()
                    .await;
                ids_checked(ids, ITEMS)
            }
            "list (offset)" => {
                mock.seed_bots(BOTS);
                let all = BOTS + 1;
                mock.inject_fault(Some("imbot.v2.Bot.list"), fault, 1);
                let ids: Vec<_> = client
                    .list(ImbotV2BotList::new().limit(10))
                    .map(|r| r.map(|b| b.id).map_err(|e| kind(&e)))
                    .collect()
                    .await;
                ids_checked(ids, all)
            }
            "refresh" => {
                mock.expire_access_tokens();
                mock.inject_token_fault(fault, 1);
                let r = client.call(MessageserviceSenderList::new()).await;
                if mock.token_requests() > 1 {
                    return Err(format!("{} token requests", mock.token_requests()));
                }
                Ok(typed(r, |v| format!("{} senders", v.len())))
            }
            "handler" => handler_case(&mock, client, fault).await,
            other => Err(format!("unknown style {other}")),
        }
    })
}

#[derive(Clone)]
struct App {
    client: Client,
    verifier: Verifier,
}

impl FromRef<App> for Verifier {
    fn from_ref(app: &App) -> Verifier {
        app.verifier.clone()
    }
}

/// The provider's handler: reports the SMS delivered, through the faulty portal.
async fn deliver(State(app): State<App>, Verified(sms): Verified<SmsHandlerRequest>) -> StatusCode {
    let update = MessageserviceMessageStatusUpdate::new(
        sms.code.unwrap_or_default().as_str(),
        sms.message_id.unwrap_or_default().as_str(),
        MessageStatus::Delivered,
    );
    match app.client.call(update).await {
        Ok(_) => StatusCode::OK,
        Err(_) => StatusCode::BAD_GATEWAY,
    }
}

/// The portal POSTs an SMS to the application's handler, whose call back meets the fault.
async fn handler_case(mock: &MockPortal, client: Client, fault: Fault) -> Result<Outcome, String> {
    let app = App {
        client: client.clone(),
        verifier: Verifier::new(mock.application_token(MAIN_APP)),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let url = format!(
        "http://{}/sms",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    let router = Router::new().route("/sms", post(deliver)).with_state(app);
    tokio::spawn(async move { axum::serve(listener, router).await });
    let add = MessageserviceSenderAdd::new("h", SenderType::Sms, url.as_str(), "H");
    client.call(add).await.map_err(|e| e.to_string())?;
    mock.inject_fault(Some("messageservice.message.status.update"), fault, 1);
    let delivered = mock
        .deliver_sms(MAIN_APP, "h", "+49 30 1234567", "code 4711")
        .await
        .map_err(|e| format!("the handler did not answer: {e}"))?;
    let sent = mock.received("messageservice.message.status.update");
    if sent > 4 {
        return Err(format!("{sent} status updates for one SMS"));
    }
    Ok(match delivered.handler_status {
        200 => Ok("delivered".into()),
        s => Err(format!("handler {s}")),
    })
}

const STYLES: &[&str] = &[
    "call (read)",
    "call (write)",
    "batch",
    "list (paged)",
    "list_fast",
    "list_batched",
    "list (offset)",
    "refresh",
    "handler",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_style_survives_every_fault() {
    let faults = Fault::samples();
    // A few cases at a time: on a loaded machine, a hundred portals at once would make the
    // client's timeouts, not the faults, decide the outcomes.
    let running = Arc::new(tokio::sync::Semaphore::new(8));
    let mut cases = tokio::task::JoinSet::new();
    for (f, fault) in faults.iter().enumerate() {
        for (s, style) in STYLES.iter().enumerate() {
            let case = run(style, fault.clone());
            let running = Arc::clone(&running);
            // A panic is caught by the task; a hang by the timeout.
            cases.spawn(async move {
                let _turn = running.acquire_owned().await;
                let outcome = tokio::spawn(tokio::time::timeout(HANG, case)).await;
                let outcome = match outcome {
                    Err(panic) => Err(format!("PANIC: {panic}")),
                    Ok(Err(_)) => Err(format!("HANG: still running after {HANG:?}")),
                    Ok(Ok(r)) => r,
                };
                (f, s, outcome)
            });
        }
    }
    let mut table: BTreeMap<(usize, usize), Result<Outcome, String>> = BTreeMap::new();
    while let Some(done) = cases.join_next().await {
        let (f, s, outcome) = done.unwrap();
        table.insert((f, s), outcome);
    }

    let mut report = String::from("fault");
    for style in STYLES {
        report.push_str(&format!(" | {style}"));
    }
    report.push('\n');
    let mut failures = Vec::new();
    for (f, fault) in faults.iter().enumerate() {
        report.push_str(&fault.label());
        for (s, style) in STYLES.iter().enumerate() {
            let cell = match &table[&(f, s)] {
                Ok(Ok(_)) => "ok".to_owned(),
                Ok(Err(kind)) => format!("err {kind}"),
                Err(broken) => {
                    failures.push(format!("{style} x {}: {broken}", fault.label()));
                    "FAILED".to_owned()
                }
            };
            report.push_str(&format!(" | {cell}"));
        }
        report.push('\n');
    }
    report.push_str("survived/tried");
    for s in 0..STYLES.len() {
        let survived = (0..faults.len())
            .filter(|f| table[&(*f, s)].is_ok())
            .count();
        report.push_str(&format!(" | {survived}/{}", faults.len()));
    }
    println!("{report}");
    assert!(failures.is_empty(), "{failures:#?}\n{report}");
}
