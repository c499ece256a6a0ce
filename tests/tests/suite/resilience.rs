//! The client keeps working and loses nothing: rate limits, retries, token refresh, domain
//! changes and faults, each against the mock portal with fast limits.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bitrix_api::messageservice::{MessageserviceSenderAdd, MessageserviceSenderList, SenderType};
use bitrix_api::{
    AuthErrorKind, Client, ClientBuilder, Error, OAuthApp, RateLimit, RetryPolicy, SystemError,
    TransportKind,
};
use bitrix_mock::{Fault, MockConfig, MockPortal};

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 8,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
        max_total_wait: Duration::from_secs(10),
    }
}

fn oauth(mock: &MockPortal) -> ClientBuilder {
    ClientBuilder::access_token(&mock.base_url(), mock.access_token()).retry(fast_retries())
}

fn sender(code: &str) -> MessageserviceSenderAdd {
    MessageserviceSenderAdd::new(code, SenderType::Sms, "https://h.example/sms", "SMS")
}

#[tokio::test]
async fn a_burst_of_500_calls_from_20_tasks_never_sees_query_limit_exceeded() {
    let limit = RateLimit {
        rate: 250.0,
        burst: 25,
    };
    let mock = MockPortal::start_with(MockConfig {
        rate_limit: true,
        rate_per_sec: limit.rate,
        burst: limit.burst,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    // No retries: a single 503 would reach the caller.
    let client = oauth(&mock)
        .rate_limit(Some(limit))
        .retry(RetryPolicy::NONE)
        .build()
        .unwrap();
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let client = client.clone();
        tasks.spawn(async move {
            for _ in 0..25 {
                client.call(MessageserviceSenderList::new()).await?;
            }
            Ok::<_, Error>(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap().unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(mock.rate_limited(), 0, "the portal refused requests");
    assert_eq!(mock.received("messageservice.sender.list"), 500);
    // The burst goes at once, the rest at the drain rate: the least time the limit allows.
    let allowed = f64::from(500 - limit.burst) / limit.rate;
    let fraction = allowed / elapsed;
    assert!(
        fraction > 0.6,
        "reached {:.0}% of the allowed rate ({elapsed:.2} s for 500 calls)",
        fraction * 100.0
    );
}

#[tokio::test]
async fn query_limit_exceeded_is_retried_with_backoff() {
    let mock = MockPortal::start_with(MockConfig {
        rate_limit: true,
        rate_per_sec: 20.0,
        burst: 2,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let client = oauth(&mock).rate_limit(None).build().unwrap();
    for _ in 0..8 {
        client.call(MessageserviceSenderList::new()).await.unwrap();
    }
    assert!(
        mock.rate_limited() > 0,
        "the test must provoke 503s to mean anything"
    );
}

#[tokio::test]
async fn fifty_concurrent_calls_with_an_expired_token_cause_exactly_one_refresh() {
    let mock = MockPortal::start().await.unwrap();
    let stored: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = stored.clone();
    let old_refresh = mock.refresh_token();
    let client = oauth(&mock)
        .refresh(
            old_refresh.clone(),
            OAuthApp::new(mock.client_id(), mock.client_secret())
                .token_endpoint(mock.token_endpoint()),
        )
        .on_token_refresh(move |t| {
            seen.lock()
                .unwrap()
                .push(t.refresh_token.expose().to_owned())
        })
        .build()
        .unwrap();
    mock.expire_access_tokens();
    let calls = (0..50).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.call(MessageserviceSenderList::new()).await })
    });
    for call in calls.collect::<Vec<_>>() {
        call.await.unwrap().unwrap();
    }
    assert_eq!(mock.refreshes(), 1);
    let stored = stored.lock().unwrap();
    assert_eq!(stored.len(), 1, "the store gets the rotated tokens once");
    assert_ne!(stored[0], old_refresh, "the refresh token rotates");
}

#[tokio::test]
async fn a_refused_refresh_is_a_clear_error() {
    let mock = MockPortal::start().await.unwrap();
    let app =
        OAuthApp::new(mock.client_id(), mock.client_secret()).token_endpoint(mock.token_endpoint());
    let used = mock.refresh_token();
    // Spend the refresh token, so that the client holds a dead one.
    let first = oauth(&mock)
        .refresh(used.clone(), app.clone())
        .build()
        .unwrap();
    mock.expire_access_tokens();
    first.call(MessageserviceSenderList::new()).await.unwrap();
    mock.expire_access_tokens();
    // The token the portal issued at start, expired by now, with the spent refresh token.
    let stale = ClientBuilder::access_token(&mock.base_url(), mock.access_token())
        .refresh(used, app)
        .build()
        .unwrap();
    let err = stale
        .call(MessageserviceSenderList::new())
        .await
        .unwrap_err();
    match &err {
        Error::Auth(e) => assert_eq!(e.kind, AuthErrorKind::InvalidGrant, "{e}"),
        other => panic!("expected an auth error, got {other:?}"),
    }
    // Without refresh settings, the expiry itself is what the caller sees.
    let plain = oauth(&mock).build().unwrap();
    mock.expire_access_tokens();
    let err = plain
        .call(MessageserviceSenderList::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Auth(ref e) if e.kind == AuthErrorKind::NoRefresh),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_non_idempotent_call_is_not_sent_twice_after_a_dropped_connection() {
    let mock = MockPortal::start().await.unwrap();
    let client = oauth(&mock).build().unwrap();
    mock.inject_fault(Some("messageservice.sender.add"), Fault::DropConnection, 1);
    let err = client.call(sender("dropped")).await.unwrap_err();
    match &err {
        Error::Transport(t) => assert!(t.outcome_unknown(), "{t}"),
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert!(err.to_string().contains("outcome unknown"), "{err}");
    assert_eq!(
        mock.received("messageservice.sender.add"),
        1,
        "sent once only"
    );
    assert_eq!(
        mock.providers(bitrix_mock::MAIN_APP),
        vec!["dropped".to_owned()],
        "and the portal did act"
    );
}

#[tokio::test]
async fn an_idempotent_call_is_retried_after_a_dropped_connection() {
    let mock = MockPortal::start().await.unwrap();
    let client = oauth(&mock).build().unwrap();
    client.call(sender("kept")).await.unwrap();
    mock.inject_fault(Some("messageservice.sender.list"), Fault::DropConnection, 1);
    let list = client.call(MessageserviceSenderList::new()).await.unwrap();
    assert_eq!(list, vec!["kept".to_owned()]);
    assert_eq!(
        mock.received("messageservice.sender.list"),
        2,
        "dropped once, then retried"
    );
}

#[tokio::test]
async fn every_injected_fault_gives_its_typed_error() {
    let mock = MockPortal::start().await.unwrap();
    let client = oauth(&mock)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let add = "messageservice.sender.add";

    mock.inject_fault(Some(add), Fault::Html500, 1);
    let err = client.call(sender("html")).await.unwrap_err();
    assert!(
        matches!(&err, Error::Decode(d) if d.status == 500 && d.body_start.contains('<')),
        "{err:?}"
    );

    mock.inject_fault(Some(add), Fault::TruncatedJson, 1);
    let err = client.call(sender("truncated")).await.unwrap_err();
    assert!(
        matches!(&err, Error::Decode(d) if d.status == 200),
        "{err:?}"
    );

    mock.inject_fault(Some(add), Fault::Delay(Duration::from_secs(2)), 1);
    let err = client.call(sender("slow")).await.unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if t.kind == TransportKind::Timeout && t.outcome_unknown()),
        "{err:?}"
    );

    mock.inject_fault(
        Some(add),
        Fault::ErrorWith200 {
            code: "QUERY_LIMIT_EXCEEDED".into(),
            description: "Too many requests".into(),
        },
        1,
    );
    // A 200 carrying an error envelope is an error all the same (and this one is retried).
    assert!(client.call(sender("after-200")).await.unwrap());

    mock.inject_fault(
        Some(add),
        Fault::ErrorWith200 {
            code: "SOMETHING_NEW".into(),
            description: "New".into(),
        },
        1,
    );
    let err = client.call(sender("unknown")).await.unwrap_err();
    assert!(
        matches!(&err, Error::Other(api) if api.code == "SOMETHING_NEW" && api.status == 200),
        "{err:?}"
    );

    mock.inject_fault(
        Some(add),
        Fault::Status {
            status: 502,
            body: "Bad gateway".into(),
        },
        1,
    );
    let err = client.call(sender("gateway")).await.unwrap_err();
    assert!(
        matches!(&err, Error::Decode(d) if d.status == 502),
        "{err:?}"
    );
    // The non-idempotent add was never repeated after any of these.
    assert_eq!(mock.received(add), 7);
}

#[tokio::test]
async fn operation_time_limit_blocks_that_method_only_until_reset() {
    let mock = MockPortal::start_with(MockConfig {
        operating_limit: 1.0,
        operating_window: Duration::from_millis(800),
        ..MockConfig::default()
    })
    .await
    .unwrap();
    mock.set_method_cost("messageservice.sender.list", 0.8);
    let client = oauth(&mock).build().unwrap();
    for _ in 0..2 {
        client.call(MessageserviceSenderList::new()).await.unwrap();
    }
    // The budget is spent: the portal answers 429 until the window passes; the client waits.
    let started = Instant::now();
    let reply = client
        .call_with_time(MessageserviceSenderList::new())
        .await
        .unwrap();
    assert!(reply.time.is_some());
    assert!(
        mock.received("messageservice.sender.list") >= 4,
        "the third call was refused once"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    // Other methods never waited.
    let quick = Instant::now();
    client.call(sender("other-method")).await.unwrap();
    assert!(quick.elapsed() < Duration::from_millis(500));
}

#[tokio::test]
async fn without_budget_to_wait_operation_time_limit_reaches_the_caller() {
    let mock = MockPortal::start_with(MockConfig {
        operating_limit: 1.0,
        operating_window: Duration::from_secs(60),
        ..MockConfig::default()
    })
    .await
    .unwrap();
    mock.set_method_cost("messageservice.sender.list", 2.0);
    let client = oauth(&mock)
        .retry(RetryPolicy {
            max_total_wait: Duration::from_secs(1),
            ..fast_retries()
        })
        .build()
        .unwrap();
    client.call(MessageserviceSenderList::new()).await.unwrap();
    let err = client
        .call(MessageserviceSenderList::new())
        .await
        .unwrap_err();
    assert_eq!(
        err.system_error(),
        Some(SystemError::OperationTimeLimit),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_domain_change_is_followed_once_and_kept() {
    let mock = MockPortal::start().await.unwrap();
    let client = oauth(&mock).build().unwrap();
    let new_base = mock.change_domain().await.unwrap();
    assert!(client.call(sender("moved")).await.unwrap());
    assert_eq!(client.portal(), new_base.trim_end_matches('/'));
    assert_eq!(
        mock.providers(bitrix_mock::MAIN_APP),
        vec!["moved".to_owned()],
        "registered once, at the new address"
    );
}

#[tokio::test]
async fn plain_http_is_refused_except_to_loopback() {
    let err = ClientBuilder::access_token("http://portal.example.com", "t")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("http://"), "{err}");
    assert!(
        ClientBuilder::access_token("http://portal.example.com", "t")
            .allow_insecure_http(true)
            .build()
            .is_ok()
    );
    assert!(Client::with_access_token("http://127.0.0.1:1", "t").is_ok());
    assert!(Client::with_access_token("http://localhost:1", "t").is_ok());
}

#[tokio::test]
async fn refresh_secrets_stay_out_of_errors_and_logs() {
    let mock = MockPortal::start().await.unwrap();
    let secret = mock.client_secret();
    let refresh = mock.refresh_token();
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    let client = oauth(&mock)
        .refresh(
            refresh.clone(),
            OAuthApp::new(mock.client_id(), secret.clone()).token_endpoint(mock.token_endpoint()),
        )
        .on_token_refresh(move |_| {
            c.fetch_add(1, Ordering::SeqCst);
        })
        .build()
        .unwrap();
    let debug = format!("{client:?}");
    for s in [&secret, &refresh, &mock.access_token()] {
        assert!(!debug.contains(s.as_str()), "secret in Debug: {debug}");
    }
    mock.expire_access_tokens();
    let (logs, ok) = crate::capture_logs(client.call(MessageserviceSenderList::new())).await;
    ok.unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 1);
    assert!(logs.contains("refreshing"), "the log capture works: {logs}");
    for s in [&secret, &refresh] {
        assert!(!logs.contains(s.as_str()), "secret in logs: {logs}");
    }
}

/// A proxy's `429 Too Many Requests` page with `Retry-After`: a read is sent again after at
/// least the asked wait, as a 503 page is; a write is not sent twice.
#[tokio::test]
async fn a_proxy_429_with_retry_after_is_retried_for_a_read_after_the_wait() {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let router = axum::Router::new().fallback(move || {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        async move {
            if n == 0 {
                (
                    axum::http::StatusCode::TOO_MANY_REQUESTS,
                    [("retry-after", "1"), ("content-type", "text/html")],
                    "<html><body>429 Too Many Requests</body></html>".to_owned(),
                )
            } else {
                (
                    axum::http::StatusCode::OK,
                    [("retry-after", "0"), ("content-type", "application/json")],
                    r#"{"result": ["sms_one"]}"#.to_owned(),
                )
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let portal = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let client = ClientBuilder::access_token(&portal, "token")
        .retry(fast_retries())
        .rate_limit(None)
        .build()
        .unwrap();

    let started = Instant::now();
    let listed = client.call(MessageserviceSenderList::new()).await;
    assert_eq!(listed.expect("retried to success"), ["sms_one"]);
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 honoured (the backoff alone is at most 200 ms here): {:?}",
        started.elapsed()
    );

    hits.store(0, Ordering::SeqCst);
    let added = client.call(sender("proxy_429")).await;
    assert!(
        added.is_err(),
        "a write answered 429 by a proxy is not retried"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

/// Servers and proxies echo requests: a 500 page quoting the webhook path and an error
/// description quoting it must not carry the webhook code into an error, its Debug or Display.
#[tokio::test]
async fn a_server_echoing_the_webhook_code_does_not_leak_it_into_errors() {
    let page = Arc::new(AtomicUsize::new(0));
    let counter = page.clone();
    let router = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        async move {
            if n == 0 {
                (
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                    [("content-type", "text/html")],
                    format!("<html>500: cannot serve {uri}</html>"),
                )
            } else {
                (
                    axum::http::StatusCode::BAD_REQUEST,
                    [("content-type", "application/json")],
                    format!(r#"{{"error": "ERROR_X", "error_description": "bad call to {uri}"}}"#),
                )
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let code = "k3y0fthewebh00k";
    let client = ClientBuilder::webhook(&format!("http://{addr}/rest/1/{code}/"))
        .unwrap()
        .retry(fast_retries())
        .rate_limit(None)
        .build()
        .unwrap();
    for _ in 0..2 {
        // Not idempotent: each answer is final.
        let err = client
            .call(sender("echo"))
            .await
            .expect_err("the server fails");
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(code), "{shown}");
        assert!(
            shown.contains("***"),
            "the echo is there, redacted: {shown}"
        );
    }
}
