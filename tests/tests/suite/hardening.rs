//! What a hostile or broken server cannot make the client do: send credentials to a host the
//! user did not configure, leak a request's own secrets, read an endless body, or ask the token
//! endpoint again and again for a refresh that failed.

use std::time::{Duration, Instant};

use bitrix_api::imbot::{ChatMessageSendFields, ImbotV2ChatMessageSend};
use bitrix_api::messageservice::{MessageserviceSenderAdd, MessageserviceSenderList, SenderType};
use bitrix_api::{
    AuthErrorKind, Client, ClientBuilder, Error, OAuthApp, RedirectPolicy, RetryPolicy,
    TransportKind,
};
use bitrix_mock::{Fault, MockPortal};

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_total_wait: Duration::from_secs(5),
    }
}

fn oauth(mock: &MockPortal) -> ClientBuilder {
    ClientBuilder::access_token(&mock.base_url(), mock.access_token())
        .retry(fast_retries())
        .rate_limit(None)
}

fn webhook(mock: &MockPortal) -> ClientBuilder {
    ClientBuilder::webhook(&mock.webhook_url())
        .unwrap()
        .retry(fast_retries())
        .rate_limit(None)
}

fn sender(code: &str) -> MessageserviceSenderAdd {
    MessageserviceSenderAdd::new(code, SenderType::Sms, "https://h.example/sms", "SMS")
}

/// The webhook code of a mock's webhook URL.
fn webhook_code(mock: &MockPortal) -> String {
    let url = mock.webhook_url();
    let code = url.trim_end_matches('/').rsplit('/').next().unwrap();
    code.to_owned()
}

/// A portal answering `302` to another host (`localhost` is another host than `127.0.0.1`, and a
/// second portal listens there to count what reaches it): the credentials do not go there unless
/// the user named that host; and nothing there is kept.
#[tokio::test]
async fn a_redirect_to_another_host_does_not_carry_the_credentials() {
    let portal = MockPortal::start().await.unwrap();
    let elsewhere = MockPortal::start().await.unwrap();
    let foreign = elsewhere.base_url().replace("127.0.0.1", "localhost");
    let code = webhook_code(&portal);
    for (name, client) in [
        ("webhook", webhook(&portal).build().unwrap()),
        ("oauth", oauth(&portal).build().unwrap()),
    ] {
        let location = format!("{foreign}/rest/1/{code}/messageservice.sender.list");
        portal.inject_fault(None, Fault::Redirect { location }, 1);
        let err = client
            .call(MessageserviceSenderList::new())
            .await
            .expect_err("not followed");
        match &err {
            Error::Transport(t) => {
                assert_eq!(t.kind, TransportKind::Redirect, "{name}: {t}");
                assert!(!t.outcome_unknown(), "{name}: the portal did not act");
            }
            other => panic!("{name}: {other:?}"),
        }
        let shown = format!("{err} {err:?}");
        assert!(
            shown.contains("localhost"),
            "{name}: names the host: {shown}"
        );
        assert!(!shown.contains(&code), "{name}: {shown}");
        assert!(!shown.contains(&portal.access_token()), "{name}: {shown}");
        assert_eq!(
            elsewhere.requests(),
            0,
            "{name}: the credentials went there"
        );
        assert_eq!(
            client.portal(),
            portal.base_url(),
            "{name}: the move was kept"
        );
        // The client works on at its own address (a webhook may not call this method: the
        // portal says so, which is an answer from there).
        match client.call(MessageserviceSenderList::new()).await {
            Ok(_) => {}
            Err(e) => assert!(e.api().is_some(), "{name}: {e:?}"),
        }
    }

    // Named by the user: followed, and kept by the clones too (they share one portal).
    let trusting = webhook(&portal)
        .redirects(RedirectPolicy::Hosts(vec!["localhost".into()]))
        .build()
        .unwrap();
    let clone = trusting.clone();
    portal.inject_fault(
        None,
        Fault::Redirect {
            location: format!("{foreign}/x"),
        },
        1,
    );
    // The other portal does not know this webhook: an auth error, from there.
    let err = trusting
        .call(MessageserviceSenderList::new())
        .await
        .unwrap_err();
    assert!(err.api().is_some(), "{err:?}");
    assert_eq!(elsewhere.requests(), 1);
    assert_eq!(clone.portal(), foreign);
}

#[tokio::test]
async fn never_follows_no_redirect_and_a_domain_move_is_followed_by_default() {
    let portal = MockPortal::start().await.unwrap();
    let refusing = oauth(&portal)
        .redirects(RedirectPolicy::Never)
        .build()
        .unwrap();
    let following = oauth(&portal).build().unwrap();
    let new_base = portal.change_domain().await.unwrap();
    let err = refusing.call(sender("never")).await.unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if t.kind == TransportKind::Redirect),
        "{err:?}"
    );
    assert!(portal.providers(bitrix_mock::MAIN_APP).is_empty());
    // The same host on another port: the mock's domain move.
    assert!(following.call(sender("moved")).await.unwrap());
    assert_eq!(following.portal(), new_base.trim_end_matches('/'));
    // A redirect loop is not followed twice in one call.
    portal.inject_fault(
        None,
        Fault::Redirect {
            location: "/rest/".into(),
        },
        2,
    );
    let err = following
        .call(MessageserviceSenderList::new())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if t.kind == TransportKind::Redirect && t.message.contains("again")),
        "{err:?}"
    );
}

/// A request's own secret parameters (`botToken`, `secret: true` in its spec) echoed back by the
/// server in every place an error takes server text from.
#[tokio::test]
async fn a_request_s_own_secrets_echoed_by_the_server_are_redacted() {
    let portal = MockPortal::start().await.unwrap();
    let client = webhook(&portal).build().unwrap();
    let bot_token = "b0tT0kenOfTheRequest77";
    let send = || {
        ImbotV2ChatMessageSend::new(1, "chat1")
            .bot_token(bot_token)
            .fields(ChatMessageSendFields::new().message("hi"))
    };
    let method = "imbot.v2.Chat.Message.send";
    // The server echoes the request's secret beside the webhook code.
    let code = webhook_code(&portal);
    let echo = format!("{bot_token}/rest/1/{code}/");
    let scenarios: Vec<(&str, Option<&str>, Fault)> = vec![
        (
            "error description",
            Some(method),
            Fault::ErrorWith200 {
                code: "BOT_TOKEN_INVALID".into(),
                description: format!("botToken {echo} is not valid"),
            },
        ),
        (
            "HTML page body excerpt",
            Some(method),
            Fault::Status {
                status: 500,
                body: format!("<html>cannot serve botToken={echo}</html>"),
            },
        ),
        (
            "result of the wrong shape",
            Some(method),
            Fault::Status {
                status: 200,
                body: format!(r#"{{"result": "{echo}"}}"#),
            },
        ),
        (
            "batch command error",
            Some("batch"),
            Fault::Status {
                status: 200,
                body: format!(
                    r#"{{"result": {{"result": {{}}, "result_error": {{"c00": {{"error": "X", "error_description": "token {echo}"}}}}}}}}"#
                ),
            },
        ),
        (
            "batch command result of the wrong shape",
            Some("batch"),
            Fault::Status {
                status: 200,
                body: format!(r#"{{"result": {{"result": {{"c00": "{echo}"}}}}}}"#),
            },
        ),
        (
            "batch body excerpt",
            Some("batch"),
            Fault::Status {
                status: 502,
                body: format!("bad gateway for {echo}"),
            },
        ),
    ];
    let (mut tried, mut clean) = (0, 0);
    for (name, on, fault) in scenarios {
        portal.inject_fault(on, fault, 1);
        let shown = if on == Some("batch") {
            let mut batch = client.batch().retry(RetryPolicy::NONE);
            let slot = batch.add(send()).unwrap();
            match batch.send().await {
                Ok(replies) => {
                    let outcome = replies.get(&slot).expect("run");
                    format!("{outcome:?} {replies:?}")
                        + &outcome.err().map(|e| e.to_string()).unwrap_or_default()
                }
                Err(e) => format!("{e} {e:?}"),
            }
        } else {
            let err = client.call(send()).await.expect_err(name);
            format!("{err} {err:?}")
        };
        tried += 1;
        assert!(shown.contains("***"), "{name}: the echo is there: {shown}");
        if !shown.contains(bot_token) && !shown.contains(&code) {
            clean += 1;
        } else {
            eprintln!("LEAK in {name}: {shown}");
        }
    }
    eprintln!("request-secret scenarios tried: {tried}, clean: {clean}");
    assert_eq!(clean, tried);
}

#[tokio::test]
async fn an_endless_body_is_refused_at_the_limit() {
    let portal = MockPortal::start().await.unwrap();
    let limit = 1 << 20;
    let client = oauth(&portal).max_body_size(limit).build().unwrap();
    fn too_large<E>(err: &Error<E>) -> bool {
        match err {
            Error::Transport(t) => {
                t.kind == TransportKind::BodyTooLarge && t.message.contains("1048576")
            }
            _ => false,
        }
    }
    async fn bounded<T>(
        f: impl std::future::Future<Output = T>,
    ) -> Result<T, tokio::time::error::Elapsed> {
        tokio::time::timeout(Duration::from_secs(30), f).await
    }

    // Streamed without a length, and never ending: reading stops near the limit.
    portal.inject_fault(None, Fault::HugeBody { bytes: u64::MAX }, 1);
    let started = Instant::now();
    let err = bounded(client.call(MessageserviceSenderList::new()))
        .await
        .expect("no hang")
        .unwrap_err();
    eprintln!(
        "an endless body refused after {:?} and {} bytes sent",
        started.elapsed(),
        portal.huge_body_bytes_sent()
    );
    assert!(too_large(&err), "{err:?}");
    assert!(err.to_string().contains("1048576 bytes"), "{err}");
    let read = portal.huge_body_bytes_sent();
    assert!(read < 16 << 20, "{read} bytes produced for a 1 MiB limit");
    assert_eq!(
        portal.received("messageservice.sender.list"),
        1,
        "not retried: it would be as large again"
    );

    // With a Content-Length over the limit: refused before reading.
    let big = format!(r#"{{"result": "{}"}}"#, "y".repeat(2 << 20));
    portal.inject_fault(
        None,
        Fault::Status {
            status: 200,
            body: big,
        },
        1,
    );
    let err = client
        .call(MessageserviceSenderList::new())
        .await
        .unwrap_err();
    assert!(too_large(&err), "{err:?}");

    // batch takes the same path.
    portal.inject_fault(Some("batch"), Fault::HugeBody { bytes: u64::MAX }, 1);
    let mut batch = client.batch();
    batch.add(MessageserviceSenderList::new()).unwrap();
    let err = bounded(batch.send()).await.expect("no hang").unwrap_err();
    assert!(too_large(&err), "{err:?}");

    // So does the token endpoint.
    let refreshing = oauth(&portal)
        .max_body_size(limit)
        .refresh(
            portal.refresh_token(),
            OAuthApp::new(portal.client_id(), portal.client_secret())
                .token_endpoint(portal.token_endpoint()),
        )
        .build()
        .unwrap();
    portal.expire_access_tokens();
    portal.inject_token_fault(Fault::HugeBody { bytes: u64::MAX }, 1);
    let err = bounded(refreshing.call(MessageserviceSenderList::new()))
        .await
        .expect("no hang")
        .unwrap_err();
    match &err {
        Error::Auth(e) => {
            assert_eq!(e.kind, AuthErrorKind::Failed);
            assert!(e.message.contains("1048576 bytes"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    // Under the limit, all is well: the same client refreshes on the next call.
    refreshing
        .call(MessageserviceSenderList::new())
        .await
        .unwrap();

    let zero = oauth(&portal).max_body_size(0).build();
    assert!(zero.is_err());
}

/// 50 calls with an expired token and a refresh token the endpoint refuses: one request to the
/// endpoint, 50 copies of its error; and no later call asks again for that token.
#[tokio::test]
async fn a_refused_refresh_is_asked_once_and_shared() {
    let portal = MockPortal::start().await.unwrap();
    let client = oauth(&portal)
        .refresh(
            "a-dead-refresh-token",
            OAuthApp::new(portal.client_id(), portal.client_secret())
                .token_endpoint(portal.token_endpoint()),
        )
        .build()
        .unwrap();
    portal.expire_access_tokens();
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.call(MessageserviceSenderList::new()).await })
        })
        .collect();
    let mut messages = Vec::new();
    for call in calls {
        match call.await.unwrap() {
            Err(Error::Auth(e)) => {
                assert_eq!(e.kind, AuthErrorKind::InvalidGrant, "{e}");
                messages.push(e.to_string());
            }
            other => panic!("{other:?}"),
        }
    }
    messages.dedup();
    assert_eq!(messages.len(), 1, "one error for all: {messages:?}");
    assert_eq!(
        portal.token_requests(),
        1,
        "the token endpoint was asked once"
    );
    let later = client.call(MessageserviceSenderList::new()).await;
    assert!(matches!(later, Err(Error::Auth(_))), "{later:?}");
    assert_eq!(
        portal.token_requests(),
        1,
        "a refused refresh token is not sent again"
    );
}

/// A token endpoint that hangs: 20 concurrent callers wait on one attempt, which times out,
/// instead of one timeout after another; a call after that tries again and succeeds.
#[tokio::test]
async fn callers_wait_on_one_hanging_refresh_not_one_after_another() {
    let portal = MockPortal::start().await.unwrap();
    let timeout = Duration::from_millis(500);
    let client = oauth(&portal)
        .timeout(timeout)
        .refresh(
            portal.refresh_token(),
            OAuthApp::new(portal.client_id(), portal.client_secret())
                .token_endpoint(portal.token_endpoint()),
        )
        .build()
        .unwrap();
    portal.expire_access_tokens();
    portal.inject_token_fault(Fault::Delay(Duration::from_secs(5)), 1);
    let started = Instant::now();
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.call(MessageserviceSenderList::new()).await })
        })
        .collect();
    for call in calls {
        match call.await.unwrap() {
            Err(Error::Auth(e)) => assert_eq!(e.kind, AuthErrorKind::Failed, "{e}"),
            other => panic!("{other:?}"),
        }
    }
    let elapsed = started.elapsed();
    assert_eq!(portal.token_requests(), 1);
    assert!(
        elapsed < timeout * 4,
        "20 callers took {elapsed:?} for one timeout of {timeout:?}"
    );
    // A transient failure is not kept: the next call refreshes.
    client.call(MessageserviceSenderList::new()).await.unwrap();
    assert_eq!(portal.token_requests(), 2);
    assert_eq!(portal.refreshes(), 1);
    let _: &Client = &client;
}
